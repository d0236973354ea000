-- Data coverage, one row per outcome and year (coverage_level 'year') and per outcome and analysis
-- window (coverage_level 'window'): how many states have data, and whether the window is estimable.
-- A window is estimable for the DID when both its years have growth rates for at least
-- var `min_states_per_period` USCM states; for the factor regression when both years have outcome
-- levels for that many states. (Whether a treatment rule has treated and control states among
-- them is checked per fit: a fit the data cannot identify is listed in est_skipped.)
{%- set min_states = var('min_states_per_period') %}
with

outcomes as (

    select outcome from {{ ref('outcomes') }}

),

spans as (

    select outcome, min(year) as first_year, max(year) as last_year
    from {{ ref('fct_state_outcome_year') }}
    where value is not null
    group by outcome

),

state_years as (

    select * from {{ ref('fct_state_growth') }}

),

uscm_states as (

    select state_fips from {{ ref('dim_state') }}
    where has_uscm_2016

),

years as (

    select distinct year from {{ ref('fct_state_outcome_year') }}

),

anomalies as (

    select outcome, year, count(*) as n_anomalies
    from {{ ref('mart_data_anomalies') }}
    group by outcome, year

),

by_year as (

    select
        outcomes.outcome,
        years.year,
        count(state_years.value) as n_states_with_value,
        count(state_years.growth_rate) as n_states_with_growth,
        coalesce(max(anomalies.n_anomalies), 0) as n_anomalies
    from outcomes
    cross join years
    left join state_years
        on outcomes.outcome = state_years.outcome
            and years.year = state_years.year
    left join anomalies
        on outcomes.outcome = anomalies.outcome
            and years.year = anomalies.year
    group by outcomes.outcome, years.year

),

uscm_growth as (

    select state_years.*
    from state_years
    inner join uscm_states on state_years.state_fips = uscm_states.state_fips

),

by_window as (

    select
        outcomes.outcome,
        windows.window_name,
        windows.pre_year,
        windows.post_year,
        count(case when uscm_growth.year = windows.pre_year then uscm_growth.growth_rate end) as n_states_pre,
        count(case when uscm_growth.year = windows.post_year then uscm_growth.growth_rate end) as n_states_post,
        count(case when uscm_growth.year = windows.pre_year then uscm_growth.value end) as n_states_level_pre,
        count(case when uscm_growth.year = windows.post_year then uscm_growth.value end) as n_states_level_post
    from outcomes
    cross join {{ ref('dim_analysis_window') }} as windows
    left join uscm_growth
        on outcomes.outcome = uscm_growth.outcome
            and uscm_growth.year in (windows.pre_year, windows.post_year)
    group by outcomes.outcome, windows.window_name, windows.pre_year, windows.post_year

),

windows as (

    select
        by_window.*,
        spans.first_year as source_first_year,
        spans.last_year as source_last_year,
        least(by_window.n_states_pre, by_window.n_states_post) >= {{ min_states }} as is_estimable_did,
        least(by_window.n_states_level_pre, by_window.n_states_level_post) >= {{ min_states }}
            as is_estimable_factor
    from by_window
    left join spans on by_window.outcome = spans.outcome

)

select
    'year' as coverage_level,
    outcome,
    year,
    cast(null as {{ dbt.type_string() }}) as window_name,
    n_states_with_value,
    n_states_with_growth,
    n_anomalies,
    cast(null as bigint) as n_states_pre,
    cast(null as bigint) as n_states_post,
    cast(null as bigint) as n_states_level_pre,
    cast(null as bigint) as n_states_level_post,
    cast(null as boolean) as is_estimable_did,
    cast(null as boolean) as is_estimable_factor,
    cast(null as {{ dbt.type_string() }}) as reason
from by_year

union all

select
    'window' as coverage_level,
    outcome,
    cast(null as integer) as year,
    window_name,
    cast(null as bigint) as n_states_with_value,
    cast(null as bigint) as n_states_with_growth,
    cast(null as bigint) as n_anomalies,
    n_states_pre,
    n_states_post,
    n_states_level_pre,
    n_states_level_post,
    is_estimable_did,
    is_estimable_factor,
    case
        when is_estimable_did and is_estimable_factor then null
        else {{ dbt.concat([
            "outcome", "' (data '", "coalesce(cast(source_first_year as " ~ dbt.type_string() ~ "), 'none')",
            "'-'", "coalesce(cast(source_last_year as " ~ dbt.type_string() ~ "), 'none')",
            "') has growth rates for '", "cast(n_states_pre as " ~ dbt.type_string() ~ ")",
            "' USCM states in '", "cast(pre_year as " ~ dbt.type_string() ~ ")",
            "' and '", "cast(n_states_post as " ~ dbt.type_string() ~ ")",
            "' in '", "cast(post_year as " ~ dbt.type_string() ~ ")",
            "', levels for '", "cast(n_states_level_pre as " ~ dbt.type_string() ~ ")",
            "' and '", "cast(n_states_level_post as " ~ dbt.type_string() ~ ")",
            "' (at least " ~ min_states ~ " needed in both years)'"]) }}
    end as reason
from windows
