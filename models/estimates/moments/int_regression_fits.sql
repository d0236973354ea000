-- One row per fit: what it estimates (model, layout, treatment rule, window, outcome; the event
-- study's reference year) and how (absorbed fixed effect, intercept, clusters). The run grid
-- of the estimate tables: the Python models fit each once and re-infer it per spec.
select
    fit_id,
    model,
    layout,
    treatment_rule,
    window_name,
    outcome,
    max(reference_year) as reference_year,
    case when model = 'event_study' then 'state_fips' end as absorbed_effect,
    model <> 'event_study' as has_intercept,
    count(distinct fe_id) as n_absorbed,
    count(distinct cluster_id) as n_clusters,
    sum(n_obs) as n_obs,
    count(*) as n_cells
from {{ ref('int_regression_cells') }}
group by fit_id, model, layout, treatment_rule, window_name, outcome
