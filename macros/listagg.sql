{#-
  dbt.listagg on Spark. dbt-spark's own version ignores order_by_clause (collect_list has no
  order, so the list comes out in whatever order the rows arrived); Spark 4 has the SQL-standard
  listagg(...) within group (order by ...), which DuckDB also runs (dbt-duckdb's listagg), so the
  same rows give the same string on both engines. NULL measures are skipped; no rows give NULL.
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg: limit_num is not supported on Spark (macros/listagg.sql)") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
