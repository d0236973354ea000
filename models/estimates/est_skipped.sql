-- What the data cannot support, with the reason: model x window x outcome combinations whose
-- years have too few states with data (mart_data_coverage), and single fits of the run grid the
-- data do not identify (int_est_estimates). These get no coefficient rows, never a made-up
-- estimate.
with

coverage as (

    select coverage.*
    from {{ ref('mart_data_coverage') }} as coverage
    inner join {{ ref('outcomes') }} as outcomes on coverage.outcome = outcomes.outcome
    where coverage.coverage_level = 'window' and outcomes.is_estimated

),

run as (

    select run_id, run_started_at from {{ ref('est_run_metadata') }}

),

fits as (

    select model, layout, treatment_rule, window_name, outcome, reason
    from {{ ref('int_est_estimates') }}
    where result_table = 'skipped'

),

unioned as (

    select
        'did' as model,
        cast(null as {{ dbt.type_string() }}) as layout,
        cast(null as {{ dbt.type_string() }}) as treatment_rule,
        window_name,
        outcome,
        reason
    from coverage
    where not is_estimable_did
    union all
    select
        'factor' as model,
        cast(null as {{ dbt.type_string() }}) as layout,
        cast(null as {{ dbt.type_string() }}) as treatment_rule,
        window_name,
        outcome,
        reason
    from coverage
    where not is_estimable_factor
    union all
    select * from fits

)

select unioned.*, run.run_id, run.run_started_at
from unioned
cross join run
