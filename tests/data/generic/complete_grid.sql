{#- Model-level test: every combination of `keys` present has a row for every value of `across`
    present (e.g. keys [geo_fips, line_code], across [year]: one row per key per year, so the row
    count is keys x years, derived from the data instead of a vintage's count). Returns the
    missing combinations. Pair it with unique_combination_of_columns for "exactly one". -#}
{% test complete_grid(model, keys, across) %}
{%- set columns = keys + across %}
with

present as (

    select distinct {{ columns | join(', ') }}
    from {{ model }}

),

expected as (

    select *
    from (select distinct {{ keys | join(', ') }} from present) as key_values
    cross join (select distinct {{ across | join(', ') }} from present) as across_values

)

select {{ columns | join(', ') }} from expected
except
select {{ columns | join(', ') }} from present
{% endtest %}
