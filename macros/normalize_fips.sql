{#- State (width 2) or county/area (width 5) FIPS as zero-padded text, whatever the source wrote:
    BEA quotes it with a leading space (' "01000"'), CBP writes an integer (1), BLS '01'. -#}
{% macro normalize_fips(column, width=2) -%}
    lpad(trim(replace(cast({{ column }} as {{ dbt.type_string() }}), '"', '')), {{ width }}, '0')
{%- endmacro %}

{#- BEA GeoFIPS ('01000') to the 2-digit state FIPS ('01'); areas keep their first two digits
    ('00' = United States, '91'..'98' = BEA regions). -#}
{% macro bea_state_fips(column) -%}
    left({{ normalize_fips(column, 5) }}, 2)
{%- endmacro %}
