-- One row per state (50 + DC), year and trade outcome, millions of dollars:
-- exports / imports = all commodities; exports_manu / imports_manu = NAICS 31 + 32 + 33
-- (NULL unless all three are published).
with

trade as (

    select * from {{ ref('stg_census_trade__state_exports') }}
    union all
    select * from {{ ref('stg_census_trade__state_imports') }}

),

states as (

    select state_fips, state_name from {{ ref('states') }}

),

all_commodities as (

    select
        state_name,
        year,
        trade_flow as outcome,
        value_usd / 1e6 as value,
        suppression_code,
        source_table,
        vintage
    from trade
    where naics_code = 'all'

),

manufactures as (

    select
        state_name,
        year,
        trade_flow || '_manu' as outcome,
        case when count(value_usd) = 3 then sum(value_usd) / 1e6 end as value,
        max(suppression_code) as suppression_code,
        any_value(source_table) as source_table,
        any_value(vintage) as vintage
    from trade
    where naics_code in ('31', '32', '33')
    group by state_name, year, trade_flow

),

unioned as (

    select * from all_commodities
    union all
    select * from manufactures

)

select
    states.state_fips,
    unioned.year,
    unioned.outcome,
    unioned.value,
    unioned.suppression_code,
    unioned.source_table,
    unioned.vintage
from unioned
inner join states on unioned.state_name = states.state_name
