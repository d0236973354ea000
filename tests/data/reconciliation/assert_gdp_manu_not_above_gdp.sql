-- Reconciliation (accounting identity): manufacturing GDP <= total GDP.
-- Source: BEA SAGDP2N, line 12 (manufacturing, NAICS 31-33) is a component of line 1 (all
-- industry total), millions of current dollars. Checked for every BEA area (US, 50 states, DC,
-- 8 regions) and year in staging, and for every state-year in fct_state_outcome_year. Suppressed (D)
-- cells are NULL and not compared. Returns the rows that break the identity.
with

staged as (

    select
        geo_fips,
        year,
        max(case when line_code = 1 then gdp_musd end) as gdp_musd,
        max(case when line_code = 12 then gdp_musd end) as gdp_manu_musd
    from {{ ref('stg_bea__state_gdp') }}
    where line_code in (1, 12)
    group by geo_fips, year

),

mart as (

    select
        state_fips as geo_fips,
        year,
        max(case when outcome = 'gdp' then value end) as gdp_musd,
        max(case when outcome = 'gdp_manu' then value end) as gdp_manu_musd
    from {{ ref('fct_state_outcome_year') }}
    where outcome in ('gdp', 'gdp_manu')
    group by state_fips, year

),

checked as (

    select 'stg_bea__state_gdp' as checked_model, * from staged
    union all
    select 'fct_state_outcome_year' as checked_model, * from mart

)

select *
from checked
where gdp_manu_musd > gdp_musd
    or gdp_manu_musd < 0
