{#- Column-level test on a year column: every year lies in the sane absolute window of
    macros/source_years.sql (not before EARLIEST_SOURCE_YEAR, not after the current year +
    YEARS_AFTER_CURRENT). The window is the only year bound of the project; first and last years
    come from the data. -#}
{% test years_within_source_window(model, column_name) %}
{%- set window = source_year_window() %}
select
    {{ column_name }},
    {{ window.earliest }} as earliest_allowed,
    {{ window.latest }} as latest_allowed
from {{ model }}
where {{ column_name }} not between {{ window.earliest }} and {{ window.latest }}
{% endtest %}
