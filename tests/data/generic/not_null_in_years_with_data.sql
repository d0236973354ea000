{#- Column-level test: in every `group_by` value (e.g. year) where the column has data on some
    row, it has data on every row (e.g. GDP: BEA publishes a year for every state or for none).
    Which years have data is read from the model, never written down. Returns the NULL rows. -#}
{% test not_null_in_years_with_data(model, column_name, group_by='year') %}
select *
from {{ model }}
where {{ column_name }} is null
    and {{ group_by }} in (
        select {{ group_by }} from {{ model }} where {{ column_name }} is not null
    )
{% endtest %}
