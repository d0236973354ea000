{#- Column-level test: the column holds exactly one distinct non-NULL value (e.g. a file that
    holds one data year). Returns the values when there are several or none. -#}
{% test single_value(model, column_name) %}
select n_values, values_found
from (
    select
        count(distinct {{ column_name }}) as n_values,
        {{ distinct_values_text(column_name, "', '") }} as values_found
    from {{ model }}
)
where n_values != 1
{% endtest %}
