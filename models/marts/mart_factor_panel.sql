-- The long panel the factor regression (the paper's "RDD", Tables 4 and 6) reads: outcome LEVELS
-- in each window year with the cluster quality factors of USCM 2016. One row per layout, window,
-- outcome, state, cluster (paper layout only) and period:
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
    where outcome in ('{{ var("outcomes") | join("', '") }}')

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
        cast(null as varchar) as cluster_type,
        coalesce(sum(q1_payroll_kusd) filter (where is_strong), 0) as qp,
        coalesce(sum(establishments) filter (where is_strong), 0) as est,
        coalesce(sum(annual_payroll_kusd) filter (where is_strong), 0) as ap,
        sum(annual_payroll_kusd) filter (where is_strong) * 1000
        / nullif(sum(employment_reported) filter (where is_strong), 0) as wage,
        sum(lq * employment) filter (where is_strong)
        / nullif(sum(employment) filter (where is_strong), 0) as lq
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
cross join periods
cross join outcomes
left join levels
    on units.state_fips = levels.state_fips
        and outcomes.outcome = levels.outcome
        and periods.year = levels.year
