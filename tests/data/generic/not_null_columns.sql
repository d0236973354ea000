{#-
  Every listed column is non-NULL on every row: one query per model instead of one test node per
  column (the build reads each table once). Each failing row comes back whole, with the names of
  its NULL columns in `null_columns`, so a failure still names the column and the row.
-#}
{% test not_null_columns(model, columns) %}
{%- set flags = [] -%}
{%- for column in columns -%}
    {%- do flags.append("case when " ~ adapter.quote(column) ~ " is null then '" ~ column ~ " ' else '' end") -%}
{%- endfor %}
select *
from (
    select
        {{ dbt.concat(flags) }} as null_columns,
        *
    from {{ model }}
) as checked
where null_columns <> ''
{% endtest %}
