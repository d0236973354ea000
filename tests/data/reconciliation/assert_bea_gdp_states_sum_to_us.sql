-- Reconciliation: sum of states = US (and = BEA region) where BEA publishes both, SAGDP2N,
-- millions of current dollars, every year 1997-2022.
-- What holds in BEA's published table (vintage March 31, 2023):
--   * manufacturing (line 12): sum of the 50 states + DC = US within 0.1 % in every year where
--     no state is suppressed ((D) cells make the sum partial, e.g. 2022; those years are skipped);
--   * all industry total (line 1): the states + DC sum to 0.56 %-0.78 % LESS than the US
--     (1997-2022), because BEA's US total includes federal military and civilian activity
--     located overseas, which no state is credited with (BEA, GDP by state methodology). The
--     test requires the gap to be positive and between 0.4 % and 1.0 % of US GDP;
--   * each of the 8 BEA regions (GeoFIPS 91000-98000) = the sum of its states (seeds/states.csv
--     bea_region_code) within 0.1 %, both lines, where no member state is suppressed.
-- Returns one row per (check, area, line, year) that fails.
with

gdp as (

    select * from {{ ref('stg_bea__state_gdp') }}
    where line_code in (1, 12)

),

states as (

    select state_fips, bea_region_code from {{ ref('states') }}

),

state_rows as (

    select
        gdp.line_code,
        gdp.year,
        states.bea_region_code,
        gdp.gdp_musd
    from gdp
    inner join states on gdp.state_fips = states.state_fips

),

us_sum as (

    select
        line_code,
        year,
        sum(gdp_musd) as sum_of_states_musd,
        count(*) as n_states,
        count(gdp_musd) as n_states_published
    from state_rows
    group by line_code, year

),

region_sum as (

    select
        line_code,
        year,
        bea_region_code,
        sum(gdp_musd) as sum_of_states_musd,
        count(*) as n_states,
        count(gdp_musd) as n_states_published
    from state_rows
    group by line_code, year, bea_region_code

),

us_check as (

    select
        case when us_sum.line_code = 1 then 'us_total_overseas_gap' else 'us_manufacturing_sum' end as check_name,
        'US' as area,
        us_sum.line_code,
        us_sum.year,
        us_sum.n_states_published,
        us_sum.sum_of_states_musd,
        gdp.gdp_musd as published_total_musd,
        (gdp.gdp_musd - us_sum.sum_of_states_musd) / gdp.gdp_musd as relative_gap
    from us_sum
    left join gdp
        on gdp.geo_fips = '00000'
            and us_sum.line_code = gdp.line_code
            and us_sum.year = gdp.year
    where us_sum.n_states_published = us_sum.n_states

),

region_check as (

    select
        'region_sum' as check_name,
        'region ' || region_sum.bea_region_code as area,
        region_sum.line_code,
        region_sum.year,
        region_sum.n_states_published,
        region_sum.sum_of_states_musd,
        gdp.gdp_musd as published_total_musd,
        (gdp.gdp_musd - region_sum.sum_of_states_musd) / gdp.gdp_musd as relative_gap
    from region_sum
    left join gdp
        on gdp.geo_fips = '9' || region_sum.bea_region_code || '000'
            and region_sum.line_code = gdp.line_code
            and region_sum.year = gdp.year
    where region_sum.n_states_published = region_sum.n_states

),

checks as (

    select * from us_check
    union all
    select * from region_check

)

select *
from checks
where published_total_musd is null
    or n_states_published = 0
    or case
        when check_name = 'us_total_overseas_gap' then relative_gap not between 0.004 and 0.010
        else abs(relative_gap) >= 0.001
    end
