{#-
  The raw files the dbt sources read: one (source name, path) per source table whose
  external_location is a read_csv('<path>', ...) call, sorted by path. Empty at parse time.
  The Python side reads the same declarations (cluster_resilience.warehouse.raw_checks.sources).
-#}
{% macro raw_source_files() %}
    {%- set files = [] -%}
    {%- if execute -%}
        {%- for source in graph.sources.values() if source.package_name == project_name -%}
            {%- set location = source.meta.get('external_location') or source.config.meta.get('external_location') -%}
            {%- set match = modules.re.search("read_csv\\(\\s*'([^']+)'", location or '') -%}
            {%- if match -%}
                {%- do files.append((source.source_name ~ '.' ~ source.name, match.group(1))) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(files | sort(attribute=1)) }}
{% endmacro %}
