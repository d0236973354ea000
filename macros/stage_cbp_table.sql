{#-
  Staging body shared by the EconData CBP extracts: the same three measures (mid-March paid
  employees, establishments, Q1 payroll in dollars) at different geographic/industry grains.
  id_columns: the select expressions of the grain's ids (already renamed and typed).
-#}
{% macro stage_cbp_table(source_table, id_columns, description) %}
with

source as (

    select * from {{ source('cbp', source_table) }}

),

coverage as (

    -- The years the file holds: they name its vintage (the extract carries no release label).
    select
        min(cast(year as integer)) as first_year,
        max(cast(year as integer)) as last_year
    from source

),

renamed as (

    select
        ---------- ids
        {%- for expression in id_columns %}
        {{ expression }},
        {%- endfor %}
        cast(year as integer) as year,

        ---------- numerics (NA where Census published 0 or suppressed the cell)
        {{ decode_r_na('employment_march') }} as employment_march,
        {{ decode_r_na('establishments') }} as establishments,
        {{ decode_r_na('payroll_quarter1', 'double') }} as q1_payroll_usd,

        ---------- lineage
        'CBP {{ description }}' as source_table,
        {{ vintage_label('Census CBP ' ~ source_table, '(select first_year from coverage)',
                         '(select last_year from coverage)') }} as vintage

    from source

)

select * from renamed
{% endmacro %}
