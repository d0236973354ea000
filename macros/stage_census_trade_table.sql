{#-
  Staging body shared by the Census state exports and imports files (same layout).
  One row per state, NAICS commodity and year, in US dollars.
-#}
{% macro stage_census_trade_table(trade_flow, measure) %}
with

source as (

    select * from {{ source('census_trade', 'state_' ~ trade_flow) }}

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
        'Census International Trade API via USEPA/stateior, data modified 2020-10-16' as vintage

    from source
    where trim(CountryName) = 'TOTAL FOR ALL COUNTRIES'

)

select * from renamed
{% endmacro %}
