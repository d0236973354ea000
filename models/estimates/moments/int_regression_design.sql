-- One row per fit, cell and NONZERO regressor (sparse design): the terms of each model, as
-- expressions of its cells' columns (int_regression_cells).
--   did:         intercept, period, treatment (the rule's treatment value), interaction =
--                period x treatment (the DID effect, paper Equation 1);
--   factor:      intercept and one term per factor of seeds/factors.csv (paper Tables 4 and 6);
--   event_study: year_<y> (year effects, all years but the reference year) and treated_x_<y>
--                (treatment x year, all years but the reference year); the state effects are
--                absorbed (fe_id), not regressors.
-- Layout rules are off for this file: its SQL is written by loops over the registries, and
-- the linter sees only one rendering of them.
-- noqa: disable=LT02,LT05,LT11,LT14,AL03,RF03
{%- set factors = registry_names('factors') %}
with

cells as (

    select * from {{ ref('int_regression_cells') }}

),

terms as (

    select fit_id, cell_id, 'intercept' as term, 1.0 as x from cells where model in ('did', 'factor')
    union all
    select fit_id, cell_id, 'period' as term, cast(period as double) as x from cells where model = 'did'
    union all
    select fit_id, cell_id, 'treatment' as term, treatment_value as x from cells where model = 'did'
    union all
    select fit_id, cell_id, 'interaction' as term, period * treatment_value as x from cells where model = 'did'
    {%- for factor in factors %}
    union all
    select fit_id, cell_id, '{{ factor }}' as term, {{ factor }} as x from cells where model = 'factor'
    {%- endfor %}
    union all
    select
        fit_id, cell_id, {{ dbt.concat(["'year_'", "cast(year as " ~ dbt.type_string() ~ ")"]) }} as term, 1.0 as x
    from cells
    where model = 'event_study' and year <> reference_year
    union all
    select
        fit_id, cell_id, {{ dbt.concat(["'treated_x_'", "cast(year as " ~ dbt.type_string() ~ ")"]) }} as term,
        treatment_value as x
    from cells
    where model = 'event_study' and year <> reference_year

)

select fit_id, cell_id, term, x
from terms
where x <> 0
