-- One row per state, outcome and analysis window: the level at the window's start (pre_year) and
-- end (post_year), the growth between them, and the yearly growth rates the DID compares.
with

windows as (

    select * from {{ ref('dim_analysis_window') }}

),

growth as (

    select * from {{ ref('fct_state_growth') }}

),

state_outcomes as (

    select distinct state_fips, outcome from growth

)

select
    state_outcomes.state_fips,
    state_outcomes.outcome,
    windows.window_name,
    windows.pre_year as start_year,
    windows.post_year as end_year,
    start_growth.value as value_start,
    end_growth.value as value_end,
    {{ growth_rate('end_growth.value', 'start_growth.value') }} as window_growth_rate,
    start_growth.growth_rate as growth_rate_start_year,
    end_growth.growth_rate as growth_rate_end_year
from state_outcomes
cross join windows
left join growth as start_growth
    on state_outcomes.state_fips = start_growth.state_fips
        and state_outcomes.outcome = start_growth.outcome
        and windows.pre_year = start_growth.year
left join growth as end_growth
    on state_outcomes.state_fips = end_growth.state_fips
        and state_outcomes.outcome = end_growth.outcome
        and windows.post_year = end_growth.year
