{#-
  Seeds on Spark. dbt-spark 1.11 loads seed rows with `insert into ... values (cast(%s as <type>),
  ...)` and, for method: session, fills each %s with the Python value in quotes as is: an empty
  cell becomes the string 'None' (not NULL) and a value with an apostrophe ("the paper's QP")
  breaks the statement. This renders each cell as a SQL literal instead: NULL for an empty cell,
  otherwise the text single-quoted with Spark's escapes (\' and \\), cast to the seed column's
  type. The seed tables then hold what DuckDB loads from the same files.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(column_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as {{ types[loop.index0] }})
                    {%- else -%}
                        cast('{{ dbt.escape_single_quotes(value | string | replace("\\", "\\\\")) }}' as {{ types[loop.index0] }})
                    {%- endif -%}
                    {{- ', ' if not loop.last -}}
                {%- endfor -%})
                {{- ',' if not loop.last }}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}
