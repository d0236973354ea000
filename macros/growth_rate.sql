{#- Relative change from a base value: value / base - 1; NULL when either is NULL or base <= 0
    (a growth rate from a zero or negative base is undefined, not infinite). -#}
{% macro growth_rate(value, base) -%}
    case when {{ base }} > 0 then {{ value }} / {{ base }} - 1 end
{%- endmacro %}
