{#- Schemas are used as given (staging, intermediate, reference), marts and estimates in main:
    an analyst reads `main.fct_state_outcome_year`, not `main_marts.fct_state_outcome_year`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
