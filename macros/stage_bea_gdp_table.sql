{#-
  Staging body shared by the BEA GDP-by-state tables (SAGDP2N current dollars, SAGDP9N chained
  dollars): same layout, footer and codes, different measure and vintage.
  One row per BEA area, industry line and year.
-#}
{% macro stage_bea_gdp_table(source_table, value_column) %}
with

source as (

    select * from {{ source('bea', source_table | lower) }}

),

vintage as (

    -- The footer line "Last updated: March 31, 2023-- new statistics for 2022." dates the vintage.
    select regexp_extract(GeoFIPS, 'Last updated: ([A-Za-z]+ [0-9]{1,2}, [0-9]{4})', 1) as vintage_date
    from source
    where GeoFIPS like 'Last updated:%'

),

data_rows as (

    -- Drop the four footer lines: they carry text in GeoFIPS and nothing in LineCode.
    select *
    from source
    where LineCode is not null

),

unpivoted as (

    -- one row per area, line and year column (the other columns are carried along)
    {{ unpivot_year_columns('data_rows', 'year_label', 'raw_value') }}

),

renamed as (

    select
        ---------- ids
        {{ bea_state_fips('GeoFIPS') }} as state_fips,
        {{ normalize_fips('GeoFIPS', 5) }} as geo_fips,
        trim(replace(GeoName, '*', '')) as geo_name,
        cast(LineCode as integer) as line_code,
        trim(Description) as industry_description,
        cast(year_label as integer) as year,

        ---------- numerics
        {{ decode_suppressed_value('raw_value') }} as {{ value_column }},
        {{ suppression_code('raw_value') }} as suppression_code,
        {{ suppression_code('raw_value') }} is not null as is_suppressed,

        ---------- lineage
        '{{ source_table }}' as source_table,
        'BEA {{ source_table }}, last updated ' || (select vintage_date from vintage) as vintage

    from unpivoted

)

select * from renamed
{% endmacro %}
