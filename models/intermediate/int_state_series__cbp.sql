-- One row per state (50 + DC), CBP measure and year: the County Business Patterns feed of the
-- outcome registry. Series of source cbp.state_total: 'employment_march' (paid employees in the
-- pay period including March 12), 'establishments'; of source cbp.state_industry2:
-- 'employment_march:<sector>' (e.g. 'employment_march:31', manufacturing 31-33).
with

state_total as (

    select * from {{ ref('stg_cbp__state_total') }}

),

state_sector as (

    select * from {{ ref('stg_cbp__state_sector') }}

),

states as (

    select state_fips from {{ ref('states') }}

),

unioned as (

    select
        'cbp.state_total' as source,
        state_fips,
        year,
        'employment_march' as series_code,
        cast(employment_march as double) as value,
        cast(null as {{ dbt.type_string() }}) as suppression_code,
        source_table,
        vintage
    from state_total

    union all

    select
        'cbp.state_total' as source,
        state_fips,
        year,
        'establishments' as series_code,
        cast(establishments as double) as value,
        cast(null as {{ dbt.type_string() }}) as suppression_code,
        source_table,
        vintage
    from state_total

    union all

    select
        'cbp.state_industry2' as source,
        state_fips,
        year,
        {{ dbt.concat(["'employment_march:'", "sector_code"]) }} as series_code,
        cast(employment_march as double) as value,
        cast(null as {{ dbt.type_string() }}) as suppression_code,
        source_table,
        vintage
    from state_sector

)

select unioned.*
from unioned
inner join states on unioned.state_fips = states.state_fips
