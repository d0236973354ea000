-- The long panel the DID estimator reads, one row per layout, window, outcome, state, cluster
-- (paper layout only) and period:
--   layout 'paper': state x cluster rows (50 states x 67 clusters) carrying their state's growth
--                   rate, treated by var `did_treatment_rule` (the paper's ~60,000-row layout);
--   layout 'state': one row per state and period, treated by var `state_treatment_rule`.
-- growth_rate is the yearly growth of the outcome in the period's year; NULL where unpublished.
with

periods as (

    select * from {{ ref('dim_window_period') }}

),

growth as (

    select * from {{ ref('fct_state_growth') }}

),

outcomes as (

    select outcome from {{ ref('outcomes') }}
    where outcome in ('{{ var("outcomes") | join("', '") }}')

),

paper_rows as (

    select
        'paper' as layout,
        treatment_rule,
        state_fips,
        cluster_code,
        cluster_type,
        treated
    from {{ ref('fct_state_cluster_treatment') }}
    where treatment_rule = '{{ var("did_treatment_rule") }}'

),

state_rows as (

    select
        'state' as layout,
        treatment_rule,
        state_fips,
        cast(null as integer) as cluster_code,
        cast(null as varchar) as cluster_type,
        treated
    from {{ ref('fct_state_treatment') }}
    where treatment_rule = '{{ var("state_treatment_rule") }}'

),

units as (

    select * from paper_rows
    union all
    select * from state_rows

)

select
    units.layout,
    units.treatment_rule,
    periods.window_name,
    outcomes.outcome,
    units.state_fips,
    units.cluster_code,
    units.cluster_type,
    periods.year,
    periods.period,
    units.treated,
    growth.growth_rate
from units
cross join periods
cross join outcomes
left join growth
    on units.state_fips = growth.state_fips
        and outcomes.outcome = growth.outcome
        and periods.year = growth.year
