{#-
  Forms with no common spelling in DuckDB and Spark SQL, dispatched per engine with the same
  answers (docs/spark.md lists the idioms that changed).
-#}

{#- A select-list expression giving one row per integer from `first` to `last` (inclusive): DuckDB
    unnest(range(...)), Spark explode(sequence(...)). -#}
{% macro integer_rows(first, last) %}
    {{ return(adapter.dispatch('integer_rows')(first, last)) }}
{% endmacro %}

{% macro default__integer_rows(first, last) -%}
    unnest(range({{ first }}, {{ last }} + 1))
{%- endmacro %}

{% macro spark__integer_rows(first, last) -%}
    explode(sequence({{ first }}, {{ last }}))
{%- endmacro %}

{#- Distinct non-NULL values of `expression` as text, sorted, joined by `delimiter` (a SQL string
    literal): DuckDB string_agg(distinct ... order by ...), Spark listagg(distinct ...) within
    group (order by ...). -#}
{% macro distinct_values_text(expression, delimiter) %}
    {{ return(adapter.dispatch('distinct_values_text')(expression, delimiter)) }}
{% endmacro %}

{% macro default__distinct_values_text(expression, delimiter) -%}
    string_agg(distinct cast({{ expression }} as {{ dbt.type_string() }}), {{ delimiter }}
        order by cast({{ expression }} as {{ dbt.type_string() }}))
{%- endmacro %}

{% macro spark__distinct_values_text(expression, delimiter) -%}
    listagg(distinct cast({{ expression }} as {{ dbt.type_string() }}), {{ delimiter }})
        within group (order by cast({{ expression }} as {{ dbt.type_string() }}))
{%- endmacro %}

{#- A subquery naming the file a raw source table was read from, project-relative as its
    external_location writes it (the one file its pattern matches; create_raw_source_views
    checks there is exactly one). DuckDB: glob() of the pattern; Spark: the file the source's CSV
    table read, under the pattern's folder. -#}
{% macro raw_source_file_path(source_name, pattern) %}
    {{ return(adapter.dispatch('raw_source_file_path')(source_name, pattern)) }}
{% endmacro %}

{% macro default__raw_source_file_path(source_name, pattern) -%}
    (select min(file) from glob('{{ pattern }}'))
{%- endmacro %}

{% macro spark__raw_source_file_path(source_name, pattern) -%}
    {%- set folder = pattern.rsplit('/', 1)[0] ~ '/' if '/' in pattern else '' -%}
    {%- for source in graph.sources.values() if source.package_name == project_name
            and (source.source_name ~ '.' ~ source.name) == source_name -%}
        (select min(concat('{{ folder }}', _metadata.file_name)) from {{ source.schema }}.{{ source.identifier }})
    {%- endfor -%}
{%- endmacro %}

{#- The body of a CTE with one row per raw file the sources read: `files` is a list of
    (source name, path) as raw_source_files() gives them (project-relative; a glob gives one row
    per file it matches, e.g. SAGDP2N__ALL_AREAS_*.csv for any vintage): source_name,
    file_path (project-relative), file_bytes, sha256 (hex of the file's bytes).
    DuckDB: read_blob(); Spark: the binaryFile reader, paths anchored like the sources'
    (spark_raw_data_root). -#}
{% macro raw_file_fingerprints(files) %}
    {{ return(adapter.dispatch('raw_file_fingerprints')(files)) }}
{% endmacro %}

{% macro default__raw_file_fingerprints(files) -%}
    {%- for source_name, path in files %}
    select
        '{{ source_name }}' as source_name,
        filename as file_path,
        size as file_bytes,
        sha256(content) as sha256
    from read_blob('{{ path }}')
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{% macro spark__raw_file_fingerprints(files) -%}
    {%- set root = spark_raw_data_root() -%}
    {%- for source_name, path in files %}
    select
        '{{ source_name }}' as source_name,
        concat('{{ path.rsplit('/', 1)[0] ~ '/' if '/' in path else '' }}', regexp_extract(path, '[^/]+$', 0)) as file_path,
        length as file_bytes,
        sha2(content, 256) as sha256
    from binaryFile.`{{ path if path.startswith('/') or ':' in path else root.rstrip('/') ~ '/' ~ path }}`
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- Where relative raw paths are anchored on Spark: env var CLUSTER_RAW_DATA_ROOT (on a cluster, a
    URI the executors read holding a copy of the project's data/ folder), else the working
    directory of dbt's process (Spark would take a relative path against the table's folder). -#}
{% macro spark_raw_data_root() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(env_var('CLUSTER_RAW_DATA_ROOT', '') or run_query(
        "select java_method('java.lang.System', 'getProperty', 'user.dir')").columns[0].values()[0]) }}
{% endmacro %}

{#- The body of a CTE unpivoting `columns` (a comma-separated list of column names, as after
    DuckDB's UNPIVOT ... ON) of `relation`: one row per input row and column whose value is not
    NULL (as UNPIVOT leaves NULLs out), the column's name in `name_column` and its value, cast to
    `value_type`, in `value_column`; no other column is carried. One union all per column: the
    same rows on every engine (DuckDB's UNPIVOT ... INTO is not Spark SQL). -#}
{% macro unpivot_columns(relation, columns, name_column, value_column, value_type='double') -%}
    {%- for column in columns.split(',') | map('trim') %}
    select
        '{{ column }}' as {{ name_column }},
        cast({{ column }} as {{ value_type }}) as {{ value_column }}
    from {{ relation }}
    where {{ column }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
