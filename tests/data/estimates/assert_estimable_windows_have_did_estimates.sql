-- Every window x outcome that mart_data_coverage calls estimable for the DID has an
-- `interaction` row for every spec in var `specs` and both layouts; every other window x outcome
-- has none (it is in est_skipped instead). Returns the violations.
with

coverage as (

    select window_name, outcome, is_estimable_did
    from {{ ref('mart_data_coverage') }}
    where coverage_level = 'window'
        and outcome in ('{{ var("outcomes") | join("', '") }}')

),

expected as (

    select coverage.*, specs.spec, layouts.layout
    from coverage
    cross join (select unnest(['{{ var("specs") | join("', '") }}']) as spec) as specs
    cross join (select unnest(['paper', 'state']) as layout) as layouts

),

found as (

    select spec, layout, window_name, outcome, count(*) as n_rows
    from {{ ref('est_did_coefficients') }}
    where term = 'interaction'
    group by all

)

select expected.*, coalesce(found.n_rows, 0) as n_rows
from expected
left join found using (spec, layout, window_name, outcome)
where (expected.is_estimable_did and coalesce(found.n_rows, 0) = 0)
    or (not expected.is_estimable_did and coalesce(found.n_rows, 0) > 0)
