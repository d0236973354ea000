-- Reconciliation: US GDP 2019, all industry total, millions of current dollars.
-- Published figure: 21,380,976 ($M), BEA SAGDP2N (GDP by state), line 1, GeoFIPS 00000
-- "United States", vintage "Last updated: March 31, 2023" (before the September 2023
-- comprehensive revision, which moved 2019 GDP). The US row is kept in stg_bea__state_gdp
-- (state_fips '00'); it is not in the marts, which hold the 50 states and DC.
-- Returns a row when the figure is missing or differs by more than 0.5 ($M rounding).
with

published as (

    select 2019 as year, 21380976.0 as published_gdp_musd

),

warehouse as (

    select year, gdp_musd
    from {{ ref('stg_bea__state_gdp') }}
    where geo_fips = '00000'
        and line_code = 1
        and year = 2019

),

compared as (

    select
        published.year,
        published.published_gdp_musd,
        warehouse.gdp_musd as warehouse_gdp_musd,
        warehouse.gdp_musd - published.published_gdp_musd as difference_musd
    from published
    left join warehouse on published.year = warehouse.year

)

select *
from compared
where warehouse_gdp_musd is null
    or abs(difference_musd) > 0.5
