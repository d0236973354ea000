{#-
  Staging body shared by the Census state exports and imports files (same layout).
  One row per state, NAICS commodity and year, in US dollars.
-#}
{% macro stage_census_trade_table(trade_flow, measure) %}
with

source as (

    select * from {{ source('census_trade', 'state_' ~ trade_flow) }}

),

coverage as (

    -- The years the file holds: they name its vintage (the file carries no release label).
    select
        min(cast(Year as integer)) as first_year,
        max(cast(Year as integer)) as last_year
    from source

),

renamed as (

    select
        ---------- ids
        trim(State) as state_name,
        case when trim(NAICS) = '-' then 'all' else trim(NAICS) end as naics_code,
        case when trim(NAICS) = '-' then 0 else length(trim(NAICS)) end as naics_digits,
        cast(Year as integer) as year,

        ---------- numerics
        {{ decode_suppressed_value('Value') }} as value_usd,
        {{ suppression_code('Value') }} as suppression_code,

        ---------- lineage
        '{{ trade_flow }}' as trade_flow,
        'Census intltrade statenaics {{ measure }}' as source_table,
        {{ vintage_label('Census state ' ~ trade_flow ~ ' ' ~ measure,
                         '(select first_year from coverage)',
                         '(select last_year from coverage)') }} as vintage

    from source
    where trim(CountryName) = 'TOTAL FOR ALL COUNTRIES'

)

select * from renamed
{% endmacro %}
