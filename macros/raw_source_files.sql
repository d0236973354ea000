{#-
  One row per dbt source table of this project and the raw file it reads (from the source's
  meta.external_location): `source` (e.g. bea.sagdp2n) and `raw_file` (e.g.
  data/raw/bea/SAGDP2N__ALL_AREAS_1997_2022.csv). Lets marts name the file a value came from.
-#}
{% macro raw_source_files() %}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- for source in graph.sources.values() if source.package_name == project_name -%}
            {%- set location = source.meta.get('external_location') or source.config.meta.get('external_location') or '' -%}
            {%- set match = modules.re.search("'([^']+)'", location) -%}
            {%- do rows.append((source.source_name ~ '.' ~ source.name, match.group(1) if match else location)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if rows | length == 0 -%}
    select cast(null as {{ dbt.type_string() }}) as source, cast(null as {{ dbt.type_string() }}) as raw_file
    where 1 = 0
    {%- else -%}
        {%- for source, raw_file in rows %}
    select '{{ source }}' as source, '{{ raw_file }}' as raw_file
            {%- if not loop.last %}
    union all
            {%- endif %}
        {%- endfor %}
    {%- endif %}
{% endmacro %}
