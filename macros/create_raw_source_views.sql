{#-
  One view per raw source file, named like the source (bea.sagdp2n, uscm.state_cluster_2016...),
  over the same read_csv() as its external_location. Called from on-run-start. It lets an analyst
  query the untouched agency file in SQL, and gives dbt unit tests the source's columns (dbt reads
  fixture column types from the relation, which an external_location alone does not create).
-#}
{% macro create_raw_source_views() %}
    {%- if execute -%}
        {%- for source in graph.sources.values() if source.package_name == project_name -%}
            {%- set location = source.meta.get('external_location') or source.config.meta.get('external_location') -%}
            {%- if location %}
    create schema if not exists {{ source.schema }};
    create or replace view {{ source.schema }}.{{ source.identifier }} as
        select * from {{ location.format(name=source.name) }};
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}
    select 1
{% endmacro %}
