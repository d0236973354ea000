-- The specification curve: the DID effect (term 'interaction') of every treatment rule x layout x
-- window x outcome x spec the warehouse estimates, one row each, with the choices spelled out from
-- the registries (treatment_rules, layouts, outcomes, specs) and the paper's published number for
-- the window and outcome (seeds/paper_published_estimates.csv) beside it.
with

coefficients as (

    select * from {{ ref('est_did_coefficients') }}
    where term = 'interaction'

),

paper as (

    select window_name, outcome, value as paper_estimate
    from {{ ref('paper_published_estimates') }}
    where model = 'did' and term = 'interaction' and statistic = 'estimate'

)

select
    coefficients.treatment_rule,
    rules.label as treatment_label,
    rules.treatment_type,
    rules.rule_level,
    coefficients.layout,
    layouts.local_clusters,
    coefficients.window_name,
    coefficients.outcome,
    outcomes.concept as outcome_concept,
    outcomes.definition as outcome_definition,
    coefficients.spec,
    specs.label as spec_label,
    coefficients.estimate,
    coefficients.std_error,
    coefficients.conf_low,
    coefficients.conf_high,
    coefficients.p_value,
    coefficients.p_value_is_bound,
    coefficients.n_obs,
    coefficients.n_clusters,
    -- bigint on every engine (Spark's row_number() is an int). Estimates equal to 12 decimals are
    -- ties (layouts that give the same regression differ only in the last bits, which vary with
    -- the engine's summation order), ranked by rule and layout.
    cast(row_number() over (
        partition by coefficients.window_name, coefficients.outcome, coefficients.spec
        order by round(coefficients.estimate, 12), coefficients.treatment_rule, coefficients.layout
    ) as bigint) as curve_rank,
    paper.paper_estimate,
    case
        when paper.paper_estimate is null or paper.paper_estimate = 0 then null
        else (coefficients.estimate < 0) = (paper.paper_estimate < 0)
    end as same_sign_as_paper,
    coefficients.run_id,
    coefficients.run_started_at,
    coefficients.git_revision,
    coefficients.data_vintages
from coefficients
inner join {{ ref('treatment_rules') }} as rules on coefficients.treatment_rule = rules.treatment_rule
inner join {{ ref('layouts') }} as layouts on coefficients.layout = layouts.layout
inner join {{ ref('outcomes') }} as outcomes on coefficients.outcome = outcomes.outcome
inner join {{ ref('specs') }} as specs on coefficients.spec = specs.spec
left join paper
    on coefficients.window_name = paper.window_name and coefficients.outcome = paper.outcome
