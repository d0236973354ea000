{#- Model-level test: the share of rows on which `expression` is true lies in [min_share, max_share]
    (either bound optional; a NULL expression counts as false). Returns one row with the share when
    it does not. Restrict the rows with `config: {where: ...}`. An empty model fails. -#}
{% test share_of_rows_where(model, expression, min_share=none, max_share=none) %}
{%- if min_share is none and max_share is none -%}
    {{ exceptions.raise_compiler_error("share_of_rows_where needs min_share, max_share or both") }}
{%- endif %}
select n_rows, n_true, share
from (
    select
        count(*) as n_rows,
        count(*) filter (where coalesce({{ expression }}, false)) as n_true,
        count(*) filter (where coalesce({{ expression }}, false)) / nullif(count(*), 0) as share
    from {{ model }}
)
where share is null
    {%- if min_share is not none %}
    or share < {{ min_share }}
    {%- endif %}
    {%- if max_share is not none %}
    or share > {{ max_share }}
    {%- endif %}
{% endtest %}
