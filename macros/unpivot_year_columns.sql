{#-
  The body of a CTE that unpivots a wide agency table with one column per year (BEA's 1997, 1998,
  ...): one row per input row and year column, the column's name in `name_column` (text, '1997')
  and its value in `value_column` (text), NULL values left out; the other columns are carried
  along. A year column is any column named with four digits, found in the data itself, so a
  release with one more year needs no edit. `relation` is the CTE to unpivot.

  DuckDB: UNPIVOT with columns('^[0-9]{4}$'). Spark's UNPIVOT needs the columns listed by name
  (unknown when compiling a unit test's fixture), so Spark turns each row into a map of column
  name to value (to_json drops NULL fields, as UNPIVOT drops NULL values), explodes it and keeps
  the four-digit names. Spark also carries the year columns along; callers select the columns
  they use.
-#}
{% macro unpivot_year_columns(relation, name_column, value_column) %}
    {{ return(adapter.dispatch('unpivot_year_columns')(relation, name_column, value_column)) }}
{% endmacro %}

{% macro duckdb__unpivot_year_columns(relation, name_column, value_column) %}
    unpivot {{ relation }}
    on columns('^[0-9]{4}$')
    into name {{ name_column }} value {{ value_column }}
{% endmacro %}

{% macro spark__unpivot_year_columns(relation, name_column, value_column) %}
    select *
    from (
        select
            *,
            explode(from_json(to_json(struct(*)), 'map<string, string>')) as ({{ name_column }}, {{ value_column }})
        from {{ relation }}
    ) as cells
    where {{ name_column }} rlike '^[0-9]{4}$'
{% endmacro %}
