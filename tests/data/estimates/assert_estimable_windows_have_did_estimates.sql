-- Every window x outcome that mart_data_coverage calls estimable for the DID has an
-- `interaction` row for every spec of seeds/specs.csv, every layout of seeds/layouts.csv
-- (used_by_did) and every treatment rule that applies to it (state-level rules only in layout
-- 'state'), unless est_skipped lists that fit; every other window x outcome has none (it is in
-- est_skipped instead). Returns the violations.
with

coverage as (

    select coverage.window_name, coverage.outcome, coverage.is_estimable_did
    from {{ ref('mart_data_coverage') }} as coverage
    inner join {{ ref('outcomes') }} as outcomes on coverage.outcome = outcomes.outcome
    where coverage.coverage_level = 'window' and outcomes.is_estimated

),

rule_layouts as (

    select rules.treatment_rule, layouts.layout
    from {{ ref('treatment_rules') }} as rules
    cross join {{ ref('layouts') }} as layouts
    where layouts.used_by_did
        and (layouts.layout <> 'state' or rules.rule_level = 'state')

),

expected as (

    select coverage.*, specs.spec, rule_layouts.treatment_rule, rule_layouts.layout
    from coverage
    cross join {{ ref('specs') }} as specs
    cross join rule_layouts

),

skipped as (

    select layout, treatment_rule, window_name, outcome
    from {{ ref('est_skipped') }}
    where model = 'did' and layout is not null

),

found as (

    select spec, layout, treatment_rule, window_name, outcome, count(*) as n_rows
    from {{ ref('est_did_coefficients') }}
    where term = 'interaction'
    group by spec, layout, treatment_rule, window_name, outcome

)

select expected.*, coalesce(found.n_rows, 0) as n_rows
from expected
left join found
    on expected.spec = found.spec
        and expected.layout = found.layout
        and expected.treatment_rule = found.treatment_rule
        and expected.window_name = found.window_name
        and expected.outcome = found.outcome
left join skipped
    on expected.layout = skipped.layout
        and expected.treatment_rule = skipped.treatment_rule
        and expected.window_name = skipped.window_name
        and expected.outcome = skipped.outcome
where (expected.is_estimable_did and coalesce(found.n_rows, 0) = 0 and skipped.layout is null)
    or (not expected.is_estimable_did and coalesce(found.n_rows, 0) > 0)
