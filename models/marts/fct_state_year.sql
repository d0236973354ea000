-- One row per state (50 + DC) and year over the widest span any source covers (1997-2022):
-- outcome levels side by side, NULL where nothing is published for that state and year.
with

outcomes as (

    select * from {{ ref('fct_state_outcome_year') }}

),

states as (

    select state_fips from {{ ref('dim_state') }}

),

years as (

    select unnest(range(min(year), max(year) + 1)) as year
    from (
        select year from outcomes
        union all
        select year from {{ ref('stg_cbp__state_total') }}
    )

),

spine as (

    select states.state_fips, years.year
    from states
    cross join years

),

pivoted as (

    select
        state_fips,
        year,
        {%- for outcome in allowed_var_values()['outcomes'] %}
            max(value) filter (where outcome = '{{ outcome }}') as {{ outcome }},
        {%- endfor %}
        max(suppression_code) filter (where outcome = 'gdp_manu') as gdp_manu_suppression_code
    from outcomes
    group by state_fips, year

),

real_gdp as (

    select state_fips, year, real_gdp_musd_2012 as real_gdp_2012
    from {{ ref('stg_bea__state_real_gdp') }}
    where line_code = 1

),

cbp_total as (

    select state_fips, year, employment_march, establishments
    from {{ ref('stg_cbp__state_total') }}

),

cbp_manufacturing as (

    select state_fips, year, employment_march
    from {{ ref('stg_cbp__state_sector') }}
    where sector_code = '31'

)

select
    spine.state_fips,
    spine.year,
    {%- for outcome in allowed_var_values()['outcomes'] %}
        pivoted.{{ outcome }},
    {%- endfor %}
    pivoted.gdp_manu_suppression_code,
    real_gdp.real_gdp_2012,
    cbp_total.employment_march as cbp_employment,
    cbp_manufacturing.employment_march as cbp_employment_manu,
    cbp_total.establishments as cbp_establishments
from spine
left join pivoted using (state_fips, year)
left join real_gdp using (state_fips, year)
left join cbp_total using (state_fips, year)
left join cbp_manufacturing using (state_fips, year)
