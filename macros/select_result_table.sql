{#-
  Body of a public estimate model: the rows of one result table (`result_table`) of a dbt Python
  model that stacks several (cluster_resilience.runs.pipeline.stack_result_tables), with exactly the
  columns and types of this model's contract in its YAML.
-#}
{% macro select_result_table(relation, result_table) %}
select
    {%- for name, column in model.columns.items() %}
    cast({{ adapter.quote(name) if name in ('check', 'window') else name }} as {{ column.data_type }}) as {{ name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
from {{ relation }}
where result_table = '{{ result_table }}'
{% endmacro %}
