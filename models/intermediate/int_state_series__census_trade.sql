-- One row per state (50 + DC), trade flow (source exports / imports), series and year, millions of
-- dollars: the Census trade feed of the outcome registry. Series 'all' = all commodities
-- (NAICS '-'); 'manufactures' = NAICS 31 + 32 + 33 (NULL unless all three are published).
with

trade as (

    select 'census_trade.state_exports' as source, * from {{ ref('stg_census_trade__state_exports') }}
    union all
    select 'census_trade.state_imports' as source, * from {{ ref('stg_census_trade__state_imports') }}

),

states as (

    select state_fips, state_name from {{ ref('states') }}

),

all_commodities as (

    select
        source,
        state_name,
        year,
        'all' as series_code,
        value_usd / 1e6 as value,
        suppression_code,
        source_table,
        vintage
    from trade
    where naics_code = 'all'

),

manufactures as (

    select
        source,
        state_name,
        year,
        'manufactures' as series_code,
        case when count(value_usd) = 3 then sum(value_usd) / 1e6 end as value,
        max(suppression_code) as suppression_code,
        min(source_table) as source_table,
        min(vintage) as vintage
    from trade
    where naics_code in ('31', '32', '33')
    group by source, state_name, year

),

unioned as (

    select * from all_commodities
    union all
    select * from manufactures

)

select
    unioned.source,
    states.state_fips,
    unioned.year,
    unioned.series_code,
    unioned.value,
    unioned.suppression_code,
    unioned.source_table,
    unioned.vintage
from unioned
inner join states on unioned.state_name = states.state_name
