{#-
  The vintage label every staging model writes on its rows, built from the data only: the
  source's name, the years the file holds (first-last, or the single year) and, where the file
  carries one, its release label (BEA's "Last updated" footer, USCM's API timestamp). One format
  for every source; dim_source_vintage collects one label per source table.
  name: a SQL-safe literal text; first_year, last_year, release: SQL expressions (release may be
  none; first_year none for a table without years).
-#}
{% macro vintage_label(name, first_year=none, last_year=none, release=none) -%}
    '{{ name }}'
    {%- if first_year is not none %}
    || ' ' || case
        when {{ first_year }} = {{ last_year }} then cast({{ first_year }} as {{ dbt.type_string() }})
        else cast({{ first_year }} as {{ dbt.type_string() }}) || '-' || cast({{ last_year }} as {{ dbt.type_string() }})
    end
    {%- endif %}
    {%- if release is not none %}
    || coalesce(', ' || {{ release }}, '')
    {%- endif %}
{%- endmacro %}
