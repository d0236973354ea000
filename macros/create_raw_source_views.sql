{#-
  One relation per raw source file, named like the source (bea.sagdp2n, uscm.state_cluster_2016...),
  over the file its meta.external_location reads. Called from on-run-start. The external_location
  (a DuckDB read_csv() call) is the one declaration of each raw file and of how it is read.

  DuckDB: a view over the same read_csv() (staging models read the read_csv() itself, which
  dbt-duckdb renders for source()); it lets an analyst query the untouched agency file in SQL,
  and gives dbt unit tests the source's columns (dbt reads fixture column types from the
  relation, which an external_location alone does not create).
  Spark: dbt-spark renders source() as <schema>.<table>, so this creates that relation: an
  unmanaged CSV table over the same file read the same way (spark__create_raw_source_views).
  Before any model reads a file, a location written as a glob (a file name whose year range
  changes with each release) must match exactly one file: both engines would otherwise stack two
  releases of the same table. The error names the source, the pattern and the files.
-#}
{% macro create_raw_source_views() %}
    {{ return(adapter.dispatch('create_raw_source_views')()) }}
{% endmacro %}

{% macro default__create_raw_source_views() %}
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

{#- files: the files the pattern matches, when the engine lists them itself (Spark: the files a
    CSV table read); by default DuckDB's glob(). -#}
{% macro check_raw_source_file(source_name, location, declared_in, files=none) %}
    {%- set pattern = raw_source_pattern(location) -%}
    {%- if pattern and modules.re.search('[*?\\[]', pattern) -%}
        {%- if files is none -%}
            {%- set files = run_query("select file from glob('" ~ pattern ~ "') order by file").columns[0].values() -%}
        {%- endif -%}
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

{#-
  Spark: the read_csv() options map onto Spark's CSV reader (every column read as text, no type
  inference, a short line's missing columns NULL: the reader's defaults), plus RFC 4180 quoting
  ("" inside a quoted field, as DuckDB reads it). An option with no mapping here fails the run
  naming the source, rather than reading the file differently from DuckDB. A relative path is
  relative to the directory dbt runs in (as for DuckDB), or to env var CLUSTER_RAW_DATA_ROOT: on a
  cluster, a URI the executors can read that holds a copy of the project's data/ folder
  (hdfs://..., s3a://...). spark.sql() runs one statement per call, so the statements run here
  and the hook itself is a no-op select.
-#}
{% macro spark__create_raw_source_views() %}
    {%- set spark_csv_options = {
        'all_varchar': {'true': {}},
        'header': {'true': {'header': 'true'}, 'false': {'header': 'false'}},
        'null_padding': {'true': {'mode': 'PERMISSIVE'}},
    } -%}
    {%- if execute -%}
        {#- a relative path would be taken relative to the schema's directory, not to where dbt runs
            (as DuckDB takes it): anchor it at the working directory of dbt's process (the JVM's) -#}
        {%- set root = spark_raw_data_root() -%}
        {%- for source in graph.sources.values() if source.package_name == project_name -%}
            {%- set location = source.meta.get('external_location') or source.config.meta.get('external_location') -%}
            {%- if location -%}
                {%- set name = source.source_name ~ '.' ~ source.name -%}
                {%- set call = modules.re.match("^\\s*read_csv\\(\\s*'([^']+)'\\s*((?:,\\s*\\w+\\s*=\\s*\\w+\\s*)*)\\)\\s*$", location.format(name=source.name)) -%}
                {%- if not call -%}
                    {{ exceptions.raise_compiler_error(
                        "dbt source " ~ name ~ ": external_location " ~ location ~ " is not a read_csv('<path>', option = value, ...) call that the Spark target can read") }}
                {%- endif -%}
                {%- set options = {'escape': '"', 'mode': 'FAILFAST'} -%}
                {%- for option, value in modules.re.findall("(\\w+)\\s*=\\s*(\\w+)", call.group(2)) -%}
                    {%- set mapped = spark_csv_options.get(option | lower, {}).get(value | lower) -%}
                    {%- if mapped is none -%}
                        {{ exceptions.raise_compiler_error(
                            "dbt source " ~ name ~ ": read_csv option " ~ option ~ " = " ~ value
                            ~ " has no Spark mapping (macros/create_raw_source_views.sql)") }}
                    {%- endif -%}
                    {%- do options.update(mapped) -%}
                {%- endfor -%}
                {%- set path = call.group(1) if call.group(1).startswith('/') or ':' in call.group(1) else root.rstrip('/') ~ '/' ~ call.group(1) -%}
                {%- do options.update({'path': path}) -%}
                {%- do run_query('create schema if not exists ' ~ source.schema) -%}
                {%- do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.identifier) -%}
                {%- set ddl -%}
                    create table {{ source.schema }}.{{ source.identifier }} using csv options (
                    {%- for key, value in options.items() %}
                        {{ key }} '{{ dbt.escape_single_quotes(value) }}'{{ ',' if not loop.last }}
                    {%- endfor %}
                    )
                {%- endset -%}
                {%- do run_query(ddl) -%}
                {#- a glob must match one file (no Spark SQL function lists files: ask the table
                    which files it read; a pattern matching none fails the create above) -#}
                {%- if modules.re.search('[*?\\[]', call.group(1)) -%}
                    {%- set files = run_query(
                        "select distinct _metadata.file_path from " ~ source.schema ~ "." ~ source.identifier
                        ~ " order by 1").columns[0].values() -%}
                    {%- do check_raw_source_file(name, location, source.original_file_path, files) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}
    select 1
{% endmacro %}
