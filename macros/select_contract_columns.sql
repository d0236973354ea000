{#-
  Body of a contracted model whose rows come from a query (`query`): exactly the columns of this
  model's contract in its YAML, each cast to its declared type, in the declared order.
-#}
{% macro select_contract_columns(query) %}
select
    {%- for name, column in model.columns.items() %}
    cast({{ name }} as {{ column.data_type }}) as {{ name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
from ({{ query }}) as contract_rows
{% endmacro %}
