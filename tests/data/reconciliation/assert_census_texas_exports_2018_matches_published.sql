-- Reconciliation: Texas exports 2018, all commodities, origin of movement.
-- Published figure: $315.8 billion, U.S. Census Bureau, state exports by origin of movement
-- (USA Trade / intltrade statenaics ALL_VAL_YR, NAICS total), 2018. The shipped file gives
-- $315,834,671,835, i.e. 315,834.7 $M in fct_state_outcome_year (outcome exports) (unit: millions of dollars).
-- The published figure is rounded to $0.1 billion, so the warehouse must lie in
-- [315,750, 315,850) $M. Also checks that the staging value in dollars converts to the mart.
-- Returns a row when the figure is missing, outside the band, or the unit conversion is off.
with

published as (

    select
        '48' as state_fips,
        2018 as year,
        315750.0 as lower_bound_musd,
        315850.0 as upper_bound_musd

),

mart as (

    select state_fips, year, value as exports_musd
    from {{ ref('fct_state_outcome_year') }}
    where outcome = 'exports'

),

staged as (

    select year, value_usd
    from {{ ref('stg_census_trade__state_exports') }}
    where state_name = 'Texas'
        and naics_code = 'all'

),

compared as (

    select
        published.state_fips,
        published.year,
        published.lower_bound_musd,
        published.upper_bound_musd,
        mart.exports_musd,
        staged.value_usd as staging_exports_usd
    from published
    left join mart
        on published.state_fips = mart.state_fips
            and published.year = mart.year
    left join staged
        on published.year = staged.year

)

select *
from compared
where exports_musd is null
    or exports_musd < lower_bound_musd
    or exports_musd >= upper_bound_musd
    or staging_exports_usd is null
    or abs(staging_exports_usd / 1e6 - exports_musd) > 0.001
