-- One row per state (50 + DC), year and BEA outcome (gdp, gdp_manu): SAGDP2N lines 1 and 12.
with

gdp as (

    select * from {{ ref('stg_bea__state_gdp') }}
    where line_code in (1, 12)

),

states as (

    select state_fips from {{ ref('states') }}

)

select
    gdp.state_fips,
    gdp.year,
    case gdp.line_code when 1 then 'gdp' when 12 then 'gdp_manu' end as outcome,
    gdp.gdp_musd as value,
    gdp.suppression_code,
    gdp.source_table,
    gdp.vintage
from gdp
inner join states on gdp.state_fips = states.state_fips
