-- One row per fit and term, in the order the estimate tables list them: the full term list of
-- every fit (a term whose values are all zero has no row in int_regression_design but is listed
-- here, so the fit reports it as not identified instead of silently dropping it).
-- is_reported: whether the estimate tables show the coefficient (the event study's year effects
-- are nuisance parameters: not reported, not bootstrapped).
-- Layout rules are off for this file: its SQL is written by loops over the registries, and
-- the linter sees only one rendering of them.
-- noqa: disable=LT02,LT05,LT11,LT14,AL03,RF03
{%- set factors = registry_names('factors') %}
with

fits as (

    select distinct fit_id, model from {{ ref('int_regression_cells') }}

),

event_years as (

    select distinct fit_id, year
    from {{ ref('int_regression_cells') }}
    where model = 'event_study' and year <> reference_year

),

static_terms as (

    select 'did' as model, 'intercept' as term, 1 as term_order
    union all select 'did', 'period', 2
    union all select 'did', 'treatment', 3
    union all select 'did', 'interaction', 4
    union all select 'factor', 'intercept', 1
    {%- for factor in factors %}
    union all select 'factor', '{{ factor }}', {{ loop.index + 1 }}
    {%- endfor %}

)

select fits.fit_id, static_terms.term, static_terms.term_order, true as is_reported
from fits
inner join static_terms on fits.model = static_terms.model

union all

select
    fit_id,
    {{ dbt.concat(["'year_'", "cast(year as " ~ dbt.type_string() ~ ")"]) }} as term,
    year as term_order,
    false as is_reported
from event_years

union all

select
    fit_id,
    {{ dbt.concat(["'treated_x_'", "cast(year as " ~ dbt.type_string() ~ ")"]) }} as term,
    10000 + year as term_order,
    true as is_reported
from event_years
