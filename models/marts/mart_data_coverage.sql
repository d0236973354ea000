-- Data coverage, one row per outcome and year (coverage_level 'year') and per outcome and analysis
-- window (coverage_level 'window'): how many states have data, and whether the window is estimable.
-- A window is estimable for the DID when both its years have growth rates for at least
-- var `min_states_per_period` USCM states and treated and control states are both present;
-- for the factor regression when both years have outcome levels for that many states.
{%- set min_states = var('min_states_per_period') %}
with

outcomes as (

    select * from {{ ref('outcomes') }}

),

state_years as (

    select * from {{ ref('fct_state_growth') }}

),

years as (

    select distinct year from {{ ref('fct_state_year') }}

),

by_year as (

    select
        outcomes.outcome,
        years.year,
        count(state_years.value) as n_states_with_value,
        count(state_years.growth_rate) as n_states_with_growth
    from outcomes
    cross join years
    left join state_years
        on outcomes.outcome = state_years.outcome
            and years.year = state_years.year
    group by outcomes.outcome, years.year

),

did_state_rows as (

    select * from {{ ref('mart_did_panel') }}
    where layout = 'state'

),

factor_state_rows as (

    select * from {{ ref('mart_factor_panel') }}
    where layout = 'state'

),

by_window as (

    select
        did.outcome,
        did.window_name,
        count(did.growth_rate) filter (where did.period = 0) as n_states_pre,
        count(did.growth_rate) filter (where did.period = 1) as n_states_post,
        count(did.growth_rate) filter (where did.period = 0 and did.treated = 1) as n_treated_states_pre,
        count(did.growth_rate) filter (where did.period = 1 and did.treated = 1) as n_treated_states_post,
        count(did.growth_rate) filter (where did.period = 0 and did.treated = 0) as n_control_states_pre,
        count(did.growth_rate) filter (where did.period = 1 and did.treated = 0) as n_control_states_post
    from did_state_rows as did
    group by did.outcome, did.window_name

),

factor_by_window as (

    select
        outcome,
        window_name,
        count(outcome_value) filter (where period = 0) as n_states_level_pre,
        count(outcome_value) filter (where period = 1) as n_states_level_post
    from factor_state_rows
    group by outcome, window_name

),

windows as (

    select
        by_window.*,
        factor_by_window.n_states_level_pre,
        factor_by_window.n_states_level_post,
        dim_window.pre_year,
        dim_window.post_year,
        outcomes.first_year as source_first_year,
        outcomes.last_year as source_last_year,
        least(by_window.n_states_pre, by_window.n_states_post) >= {{ min_states }}
        and least(
            by_window.n_treated_states_pre, by_window.n_treated_states_post,
            by_window.n_control_states_pre, by_window.n_control_states_post) > 0
            as is_estimable_did,
        least(factor_by_window.n_states_level_pre, factor_by_window.n_states_level_post) >= {{ min_states }}
            as is_estimable_factor
    from by_window
    inner join factor_by_window using (outcome, window_name)
    inner join {{ ref('dim_analysis_window') }} as dim_window using (window_name)
    inner join outcomes using (outcome)

)

select
    'year' as coverage_level,
    outcome,
    year,
    cast(null as varchar) as window_name,
    n_states_with_value,
    n_states_with_growth,
    cast(null as integer) as n_states_pre,
    cast(null as integer) as n_states_post,
    cast(null as integer) as n_treated_states_pre,
    cast(null as integer) as n_treated_states_post,
    cast(null as integer) as n_control_states_pre,
    cast(null as integer) as n_control_states_post,
    cast(null as integer) as n_states_level_pre,
    cast(null as integer) as n_states_level_post,
    cast(null as boolean) as is_estimable_did,
    cast(null as boolean) as is_estimable_factor,
    cast(null as varchar) as reason
from by_year

union all

select
    'window' as coverage_level,
    outcome,
    cast(null as integer) as year,
    window_name,
    cast(null as integer) as n_states_with_value,
    cast(null as integer) as n_states_with_growth,
    n_states_pre,
    n_states_post,
    n_treated_states_pre,
    n_treated_states_post,
    n_control_states_pre,
    n_control_states_post,
    n_states_level_pre,
    n_states_level_post,
    is_estimable_did,
    is_estimable_factor,
    case
        when is_estimable_did and is_estimable_factor then null
        else outcome || ' (' || source_first_year || '-' || source_last_year || ' in the shipped data) has growth rates for '
            || n_states_pre || ' states in ' || pre_year || ' and ' || n_states_post || ' in ' || post_year
            || ', levels for ' || n_states_level_pre || ' and ' || n_states_level_post
            || ' (at least {{ min_states }} needed in both years, with treated and control states)'
    end as reason
from windows
