-- One row per estimation model, window and outcome that the data cannot support, with the reason
-- (from mart_data_coverage); these get no coefficient rows, never a made-up estimate.
with

coverage as (

    select * from {{ ref('mart_data_coverage') }}
    where coverage_level = 'window'
        and outcome in ('{{ var("outcomes") | join("', '") }}')

),

run as (

    select run_id, run_started_at from {{ ref('est_run_metadata') }}

)

select 'did' as model, window_name, outcome, reason, run.run_id, run.run_started_at
from coverage cross join run
where not is_estimable_did
union all
select 'factor' as model, window_name, outcome, reason, run.run_id, run.run_started_at
from coverage cross join run
where not is_estimable_factor
