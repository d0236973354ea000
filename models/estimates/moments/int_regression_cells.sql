-- One row per fit and CELL: the rows of every regression the estimate tables hold, compressed by
-- every column the fit's design and clusters depend on (exact: per cell the row count and the
-- sums of y and y^2 are all any estimator here needs; Wong, Lewis and Wardrop 2021). One fit per
--   did:          layout x treatment rule x window x outcome of mart_did_panel, estimable windows
--                 only (mart_data_coverage); y = growth_rate; cells: state x period x treatment;
--   factor:       layout x window x outcome of mart_factor_panel, estimable windows only;
--                 y = outcome level; cells: state x factor values (seeds/factors.csv);
--   event_study:  state-level treatment rule x outcome of mart_event_study_panel; y = log level;
--                 cells: state x year (the state effect absorbed: fe_id = state).
-- Clusters are states (cluster_id) in every fit. Rows with a missing y or regressor are dropped.
-- Layout rules are off for this file: its SQL is written by loops over the registries, and
-- the linter sees only one rendering of them.
-- noqa: disable=LT02,LT05,LT11,LT14,AL03,RF03
{%- set factors = registry_names('factors') %}
with

coverage as (

    select window_name, outcome, is_estimable_did, is_estimable_factor
    from {{ ref('mart_data_coverage') }}
    where coverage_level = 'window'

),

did_rows as (

    select panel.*
    from {{ ref('mart_did_panel') }} as panel
    inner join coverage
        on panel.window_name = coverage.window_name and panel.outcome = coverage.outcome
    where coverage.is_estimable_did
        and panel.growth_rate is not null
        and panel.treatment_value is not null

),

did_cells as (

    select
        'did' as model,
        layout,
        treatment_rule,
        window_name,
        outcome,
        cast(null as integer) as reference_year,
        state_fips as cluster_id,
        cast(null as {{ dbt.type_string() }}) as fe_id,
        period,
        treatment_value,
        cast(null as integer) as year,
        {%- for factor in factors %}
        cast(null as double) as {{ factor }},
        {%- endfor %}
        count(*) as n_obs,
        sum(growth_rate) as sum_y,
        sum(growth_rate * growth_rate) as sum_yy
    from did_rows
    group by layout, treatment_rule, window_name, outcome, state_fips, period, treatment_value

),

factor_rows as (

    select panel.*
    from {{ ref('mart_factor_panel') }} as panel
    inner join coverage
        on panel.window_name = coverage.window_name and panel.outcome = coverage.outcome
    where coverage.is_estimable_factor
        and panel.outcome_value is not null
        {%- for factor in factors %}
        and panel.{{ factor }} is not null
        {%- endfor %}

),

factor_cells as (

    select
        'factor' as model,
        layout,
        cast(null as {{ dbt.type_string() }}) as treatment_rule,
        window_name,
        outcome,
        cast(null as integer) as reference_year,
        state_fips as cluster_id,
        cast(null as {{ dbt.type_string() }}) as fe_id,
        cast(null as integer) as period,
        cast(null as double) as treatment_value,
        cast(null as integer) as year,
        {%- for factor in factors %}
        {{ factor }},
        {%- endfor %}
        count(*) as n_obs,
        sum(outcome_value) as sum_y,
        sum(outcome_value * outcome_value) as sum_yy
    from factor_rows
    group by layout, window_name, outcome, state_fips{% for factor in factors %}, {{ factor }}{% endfor %}

),

event_study_cells as (

    select
        'event_study' as model,
        'state' as layout,
        treatment_rule,
        cast(null as {{ dbt.type_string() }}) as window_name,
        outcome,
        reference_year,
        state_fips as cluster_id,
        state_fips as fe_id,
        cast(null as integer) as period,
        treatment_value,
        year,
        {%- for factor in factors %}
        cast(null as double) as {{ factor }},
        {%- endfor %}
        count(*) as n_obs,
        sum(log_value) as sum_y,
        sum(log_value * log_value) as sum_yy
    from {{ ref('mart_event_study_panel') }}
    where log_value is not null and treatment_value is not null
    group by treatment_rule, outcome, reference_year, state_fips, treatment_value, year

),

unioned as (

    select * from did_cells
    union all
    select * from factor_cells
    union all
    select * from event_study_cells

)

select
    {{ dbt.concat([
        "model", "'|'", "layout", "'|'", "coalesce(treatment_rule, '-')", "'|'",
        "coalesce(window_name, '-')", "'|'", "outcome"]) }} as fit_id,
    unioned.*,
    row_number() over (
        partition by model, layout, treatment_rule, window_name, outcome
        order by cluster_id, period, year, treatment_value{% for factor in factors %}, {{ factor }}{% endfor %}
    ) as cell_id
from unioned
