-- The long panel the factor regression (the paper's "RDD", Tables 4 and 6) reads: outcome LEVELS
-- in each window year with the cluster quality factors of USCM 2016. One row per layout, window,
-- outcome, state, cluster (paper layout only) and period (layouts: seeds/layouts.csv,
-- used_by_factor; outcomes: seeds/outcomes.csv, is_estimated; factors: seeds/factors.csv, one
-- column each here):
--   layout 'paper': every USCM state x cluster row with its own factors (qp, est, ap, wage, lq);
--   layout 'state': one row per state, factors summed over the state's USCM strong clusters
--                   (wage = their payroll per reported employee, lq = their employment-weighted LQ).
with

periods as (

    select * from {{ ref('dim_window_period') }}

),

levels as (

    select * from {{ ref('fct_state_outcome_year') }}

),

outcomes as (

    select outcome from {{ ref('outcomes') }}
    where is_estimated

),

layouts as (

    select layout from {{ ref('layouts') }}
    where used_by_factor

),

state_cluster as (

    select * from {{ ref('stg_uscm__state_cluster_2016') }}

),

paper_rows as (

    select
        'paper' as layout,
        state_fips,
        cluster_code,
        cluster_type,
        q1_payroll_kusd as qp,
        cast(establishments as double) as est,
        annual_payroll_kusd as ap,
        private_wage_usd as wage,
        lq
    from state_cluster

),

state_rows as (

    select
        'state' as layout,
        state_fips,
        cast(null as integer) as cluster_code,
        cast(null as {{ dbt.type_string() }}) as cluster_type,
        coalesce(sum(case when is_strong then q1_payroll_kusd end), 0) as qp,
        cast(coalesce(sum(case when is_strong then establishments end), 0) as double) as est,
        coalesce(sum(case when is_strong then annual_payroll_kusd end), 0) as ap,
        sum(case when is_strong then annual_payroll_kusd end) * 1000
        / nullif(sum(case when is_strong then employment_reported end), 0) as wage,
        sum(case when is_strong then lq * employment end)
        / nullif(sum(case when is_strong then employment end), 0) as lq
    from state_cluster
    group by state_fips

),

units as (

    select * from paper_rows
    union all
    select * from state_rows

)

select
    units.layout,
    periods.window_name,
    outcomes.outcome,
    units.state_fips,
    units.cluster_code,
    units.cluster_type,
    periods.year,
    periods.period,
    levels.value as outcome_value,
    units.qp,
    units.est,
    units.ap,
    units.wage,
    units.lq
from units
inner join layouts on units.layout = layouts.layout
cross join periods
cross join outcomes
left join levels
    on units.state_fips = levels.state_fips
        and outcomes.outcome = levels.outcome
        and periods.year = levels.year
