{#-
  Staging body shared by the BEA GDP-by-state tables (SAGDP2N current dollars, SAGDP9N chained
  dollars): same layout, footer and codes, different measure and release.
  One row per BEA area, industry line and year: every year column the file holds is unpivoted,
  so a release with one more year column needs no edit. The release label comes from the
  footer ("Last updated: March 31, 2023-- new statistics for 2022." in the shipped SAGDP2N file)
  and the vintage label adds the years the file holds.
-#}
{% macro stage_bea_gdp_table(source_table, value_column) %}
with

source as (

    select * from {{ source('bea', source_table | lower) }}

),

release as (

    -- The footer line "Last updated: <Month day, year>" dates the release.
    select regexp_extract(GeoFIPS, 'Last updated: ([A-Za-z]+ [0-9]{1,2}, [0-9]{4})', 1) as release_date
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

coverage as (

    select
        min(cast(year_label as integer)) as first_year,
        max(cast(year_label as integer)) as last_year
    from unpivoted

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
        'last updated ' || (select release_date from release) as release_label,
        {{ vintage_label('BEA ' ~ source_table, '(select first_year from coverage)',
                         '(select last_year from coverage)',
                         "'last updated ' || (select release_date from release)") }} as vintage

    from unpivoted

)

select * from renamed
{% endmacro %}
