{#- Settings of this table (the same file, with other settings, is paper_table_5_did_recovery). -#}
{%- set paper_table = 'Table 3' -%}
{%- set window_name = 'shock' -%}
{%- set layout = 'paper' -%}
{%- set comparison_spec = 'state_clustered' -%}
{%- set outcomes = ['gdp', 'gdp_manu', 'exports', 'imports', 'employment'] -%}
{%- set terms = ['intercept', 'period', 'treatment', 'interaction', 'r2', 'adj_r2', 'f_stat'] -%}
-- Paper Table 3 ("DID Model and Result Summary", Model 1: COVID shock, growth in 2018 vs 2020)
-- from the warehouse, next to the paper's published numbers.
--
-- Layout: one row per outcome x term, outcomes in the paper's order (GDP, GDP_Manu, Export,
-- Import, Employment). Terms: the DID coefficients intercept, period, treatment, interaction
-- (y = a + b*Period + c*Treatment + d*Period*Treatment), then the model summary rows r2,
-- adj_r2 and f_stat (for those, *_estimate holds the statistic and *_p_value the F test's p).
-- Column groups:
--   paper_*      the paper's printed estimate, std error, t value, p (seed
--                paper_published_estimates; paper_note flags typos and inconsistencies);
--   ours_*       est_did_coefficients / est_did_fit, spec 'paper' (OLS, iid errors) on the
--                paper's repeated state x cluster layout: the paper's own specification;
--   clustered_*  spec 'state_clustered' (same layout and point estimates, CRV1 errors clustered
--                by state, t(G-1) inference): what the paper's numbers look like with honest
--                standard errors;
--   diff_*       ours (spec paper) minus paper;
--   n_obs, n_clusters (states), and coverage_reason: why the warehouse has no estimate for an
--   outcome in this window (e.g. Census trade ends 2018), from mart_data_coverage.
-- The treatment rule is uscm_strong_b (the paper's row-level rule); change layout above to
-- 'state' (one row per state, rule strong_share_above_median) to read the state-level estimates.
--
-- Run: dbt compile --select paper_table_3_did_shock   (analyses are selected by name)
--      then run target/compiled/cluster_resilience/analyses/paper_table_3_did_shock.sql in
--      duckdb against the built warehouse, from the project root.
--      Compile with the warehouse you will query (same CLUSTER_WAREHOUSE_PATH): the compiled
--      SQL names its database, e.g. "cluster_resilience"."main"."est_did_coefficients".
with

published as (

    select * from {{ ref('paper_published_estimates') }}
    where paper_table = '{{ paper_table }}'

),

coefficients as (

    select * from {{ ref('est_did_coefficients') }}
    where window_name = '{{ window_name }}'
        and layout = '{{ layout }}'
        and treatment_rule = '{{ "uscm_strong_b" if layout == "paper" else "strong_share_above_median" }}'

),

fit as (

    select * from {{ ref('est_did_fit') }}
    where window_name = '{{ window_name }}'
        and layout = '{{ layout }}'
        and treatment_rule = '{{ "uscm_strong_b" if layout == "paper" else "strong_share_above_median" }}'

),

coverage as (

    select outcome, reason
    from {{ ref('mart_data_coverage') }}
    where coverage_level = 'window'
        and window_name = '{{ window_name }}'

),

-- The table's skeleton: every outcome x term the paper prints, in the paper's order.
skeleton as (

    select
        outcome,
        term,
        outcome_order,
        term_order
    from
        (select unnest({{ outcomes }}) as outcome, generate_subscripts({{ outcomes }}, 1) as outcome_order)
    cross join
        (select unnest({{ terms }}) as term, generate_subscripts({{ terms }}, 1) as term_order)

),

paper_wide as (

    select
        outcome,
        term,
        max(value) filter (where statistic in ('estimate', 'value')) as paper_estimate,
        max(value) filter (where statistic = 'std_error') as paper_std_error,
        max(value) filter (where statistic = 't_value') as paper_t_value,
        max(value) filter (where statistic = 'p_value') as paper_p_value,
        max(printed_text) filter (where statistic in ('estimate', 'value')) as paper_printed,
        string_agg(distinct note, ' | ') as paper_note
    from published
    group by outcome, term

),

-- Ours, one row per spec x outcome x term: coefficients, then the fit statistics as terms.
ours_long as (

    select
        spec,
        outcome,
        term,
        estimate,
        std_error,
        statistic as t_value,
        p_value,
        n_obs,
        n_clusters
    from coefficients

    union all

    select
        fit.spec,
        fit.outcome,
        fit_terms.term,
        case fit_terms.term
            when 'r2' then fit.r2
            when 'adj_r2' then fit.adj_r2
            when 'f_stat' then fit.f_stat
        end as estimate,
        null as std_error,
        null as t_value,
        case when fit_terms.term = 'f_stat' then fit.f_p_value end as p_value,
        fit.n_obs,
        null as n_clusters
    from fit
    cross join (select unnest(['r2', 'adj_r2', 'f_stat']) as term) as fit_terms

),

ours_wide as (

    select
        outcome,
        term,
        max(estimate) filter (where spec = 'paper') as ours_estimate,
        max(std_error) filter (where spec = 'paper') as ours_std_error,
        max(t_value) filter (where spec = 'paper') as ours_t_value,
        max(p_value) filter (where spec = 'paper') as ours_p_value,
        max(estimate) filter (where spec = '{{ comparison_spec }}') as clustered_estimate,
        max(std_error) filter (where spec = '{{ comparison_spec }}') as clustered_std_error,
        max(t_value) filter (where spec = '{{ comparison_spec }}') as clustered_t_value,
        max(p_value) filter (where spec = '{{ comparison_spec }}') as clustered_p_value,
        max(n_obs) filter (where spec = 'paper') as n_obs,
        max(n_clusters) filter (where spec = '{{ comparison_spec }}') as n_clusters
    from ours_long
    group by outcome, term

),

final as (

    select
        '{{ paper_table }}' as paper_table,
        '{{ window_name }}' as window_name,
        skeleton.outcome,
        skeleton.term,
        skeleton.outcome_order,
        skeleton.term_order,

        ---------- the paper
        paper_wide.paper_estimate,
        paper_wide.paper_std_error,
        paper_wide.paper_t_value,
        paper_wide.paper_p_value,
        paper_wide.paper_printed,

        ---------- ours, spec paper (OLS, iid)
        ours_wide.ours_estimate,
        ours_wide.ours_std_error,
        ours_wide.ours_t_value,
        ours_wide.ours_p_value,

        ---------- ours, spec state_clustered (CRV1 by state)
        ours_wide.clustered_estimate,
        ours_wide.clustered_std_error,
        ours_wide.clustered_t_value,
        ours_wide.clustered_p_value,

        ---------- ours minus paper
        ours_wide.ours_estimate - paper_wide.paper_estimate as diff_estimate,
        ours_wide.ours_std_error - paper_wide.paper_std_error as diff_std_error,

        ---------- sample and caveats
        ours_wide.n_obs,
        ours_wide.n_clusters,
        case when ours_wide.ours_estimate is null then coverage.reason end as coverage_reason,
        paper_wide.paper_note

    from skeleton
    left join paper_wide
        on skeleton.outcome = paper_wide.outcome
            and skeleton.term = paper_wide.term
    left join ours_wide
        on skeleton.outcome = ours_wide.outcome
            and skeleton.term = ours_wide.term
    left join coverage
        on skeleton.outcome = coverage.outcome

)

select * exclude (outcome_order, term_order)
from final
order by outcome_order, term_order
