{#- Column-level test on a year column: the years present run from the first to the last
    without a gap, for the whole model or within each `group_by` group (e.g. each state x
    industry series). Returns each missing year with its group, and the group's span. -#}
{% test years_without_gap(model, column_name, group_by=[]) %}
{%- set groups = group_by | join(', ') %}
with

present as (

    select distinct {% if group_by %}{{ groups }}, {% endif %}{{ column_name }} as year
    from {{ model }}
    where {{ column_name }} is not null

),

spans as (

    select
        {% if group_by %}{{ groups }},{% endif %}
        min(year) as first_year,
        max(year) as last_year
    from present
    {% if group_by %}group by {{ groups }}{% endif %}

),

expected as (

    select
        {% if group_by %}{{ groups }},{% endif %}
        first_year,
        last_year,
        {{ integer_rows('first_year', 'last_year') }} as year
    from spans

)

select expected.*
from expected
where not exists (
    select 1 from present
    where present.year = expected.year
    {%- for column in group_by %}
        and present.{{ column }} is not distinct from expected.{{ column }}
    {%- endfor %}
)
{% endtest %}
