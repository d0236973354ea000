-- Every DID and factor-regression coefficient beside the number the paper printed for the same
-- model, window, outcome and term (seed paper_published_estimates), with the comparisons the
-- report's headline and the BI dashboard state.
with

published as (

    select * from ({{ paper_published_wide() }}) as published_wide

),

-- The coefficients of both models; the factor regression has no treatment rule.
{%- set shared_columns = 'spec, layout, window_name, outcome, term, estimate, std_error, p_value, '
    ~ 'conf_low, conf_high, n_obs, n_clusters, run_id, run_started_at' %}
coefficients as (

    select
        'did' as model,
        treatment_rule,
        {{ shared_columns }}
    from {{ ref('est_did_coefficients') }}

    union all

    select
        'factor' as model,
        cast(null as {{ dbt.type_string() }}) as treatment_rule,
        {{ shared_columns }}
    from {{ ref('est_factor_coefficients') }}

),

compared as (

    select
        coefficients.*,
        specs.display_order as spec_order,
        coefficients.layout in ('paper', 'state')
        and coalesce(rules.compared_with_paper and rules.rule_level = layouts.native_rule_level, true)
            as compared_with_paper,
        published.paper_table,
        published.paper_estimate,
        published.paper_std_error,
        published.paper_p_value,
        published.paper_printed,
        published.paper_estimate - 1.96 * published.paper_std_error as paper_conf_low,
        published.paper_estimate + 1.96 * published.paper_std_error as paper_conf_high,
        case
            when published.paper_estimate is not null
                then sign(coefficients.estimate) = sign(published.paper_estimate)
        end as same_sign_as_paper,
        coefficients.conf_low > 0 or coefficients.conf_high < 0 as conf_int_excludes_zero,
        case
            when published.paper_estimate is not null
                then published.paper_estimate between coefficients.conf_low and coefficients.conf_high
        end as conf_int_contains_paper
    from coefficients
    inner join {{ ref('specs') }} as specs on coefficients.spec = specs.spec
    left join {{ ref('treatment_rules') }} as rules on coefficients.treatment_rule = rules.treatment_rule
    inner join {{ ref('layouts') }} as layouts on coefficients.layout = layouts.layout
    left join published
        on coefficients.model = published.model
            and coefficients.window_name = published.window_name
            and coefficients.outcome = published.outcome
            and coefficients.term = published.term

)

{{ select_contract_columns('select * from compared') }}
