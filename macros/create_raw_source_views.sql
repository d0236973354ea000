{#-
  One view per raw source file, named like the source (bea.sagdp2n, uscm.state_cluster_2016...),
  over the same read_csv() as its external_location. Called from on-run-start. It lets an analyst
  query the untouched agency file in SQL, and gives dbt unit tests the source's columns (dbt reads
  fixture column types from the relation, which an external_location alone does not create).
  Before any model reads a file, a location written as a glob (a file name whose year range
  changes with each release) must match exactly one file: DuckDB would otherwise stack two
  releases of the same table. The error names the source, the pattern and the files.
-#}
{% macro create_raw_source_views() %}
    {%- if execute -%}
        {%- for source in graph.sources.values() if source.package_name == project_name -%}
            {%- set location = source.meta.get('external_location') or source.config.meta.get('external_location') -%}
            {%- if location %}
    {%- do check_raw_source_file(source.source_name ~ '.' ~ source.name, location, source.original_file_path) %}
    create schema if not exists {{ source.schema }};
    create or replace view {{ source.schema }}.{{ source.identifier }} as
        select * from {{ location.format(name=source.name) }};
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}
    select 1
{% endmacro %}

{#- The path (or glob) an external_location reads: read_csv('<path>', ...). -#}
{% macro raw_source_pattern(location) -%}
    {%- set match = modules.re.search("read_csv\\(\\s*'([^']+)'", location or '') -%}
    {{ return(match.group(1) if match else none) }}
{%- endmacro %}

{#- The external_location path of source <source>.<table> (none at parse time or if absent). -#}
{% macro raw_source_pattern_of(source_name) -%}
    {%- if execute -%}
        {%- for source in graph.sources.values() if source.package_name == project_name
                and (source.source_name ~ '.' ~ source.name) == source_name -%}
            {%- set location = source.meta.get('external_location') or source.config.meta.get('external_location') -%}
            {{ return(raw_source_pattern(location)) }}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error("no dbt source " ~ source_name ~ " with an external_location") }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{% macro check_raw_source_file(source_name, location, declared_in) %}
    {%- set pattern = raw_source_pattern(location) -%}
    {%- if pattern and modules.re.search('[*?\\[]', pattern) -%}
        {%- set files = run_query("select file from glob('" ~ pattern ~ "') order by file").columns[0].values() -%}
        {%- if files | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "dbt source " ~ source_name ~ ": missing file: no file matches " ~ pattern
                ~ " (external_location in " ~ declared_in ~ "). If a newer release was saved under "
                ~ "another name, rename it to match the pattern.") }}
        {%- elif files | length > 1 -%}
            {{ exceptions.raise_compiler_error(
                "dbt source " ~ source_name ~ ": " ~ (files | length) ~ " files match " ~ pattern
                ~ ": " ~ (files | join(', ')) ~ ". The source reads exactly one release (both would "
                ~ "be stacked): keep the newest and move the others out of the folder "
                ~ "(python -m cluster_resilience.warehouse.raw_checks says which looks newer).") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
