-- One row per state, outcome and year: growth of the outcome over the previous
-- `growth_horizon_years` years (default 1: the annual growth rate the DID compares).
{%- set horizon = var('growth_horizon_years') %}
with

outcomes as (

    select * from {{ ref('fct_state_outcome_year') }}

)

select
    current_year.state_fips,
    current_year.outcome,
    current_year.year,
    {{ horizon }} as horizon_years,
    current_year.value,
    base_year.value as base_value,
    {{ growth_rate('current_year.value', 'base_year.value') }} as growth_rate
from outcomes as current_year
left join outcomes as base_year
    on current_year.state_fips = base_year.state_fips
        and current_year.outcome = base_year.outcome
        and current_year.year = base_year.year + {{ horizon }}
