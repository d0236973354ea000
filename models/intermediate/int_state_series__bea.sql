-- One row per state (50 + DC), BEA table (SAGDP2N current dollars, SAGDP9N chained 2012 dollars),
-- industry line and year: the BEA feed of the outcome registry (seeds/outcomes.csv names a
-- source and a series_code = the line code).
with

current_dollars as (

    select * from {{ ref('stg_bea__state_gdp') }}

),

chained_dollars as (

    select * from {{ ref('stg_bea__state_real_gdp') }}

),

states as (

    select state_fips from {{ ref('states') }}

),

unioned as (

    select
        'bea.sagdp2n' as source,
        state_fips,
        year,
        cast(line_code as {{ dbt.type_string() }}) as series_code,
        gdp_musd as value,
        suppression_code,
        source_table,
        vintage
    from current_dollars

    union all

    select
        'bea.sagdp9n' as source,
        state_fips,
        year,
        cast(line_code as {{ dbt.type_string() }}) as series_code,
        real_gdp_musd_2012 as value,
        suppression_code,
        source_table,
        vintage
    from chained_dollars

)

select unioned.*
from unioned
inner join states on unioned.state_fips = states.state_fips
