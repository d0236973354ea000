-- The public, contracted est_event_study table: the 'event_study' rows of the dbt Python model
-- int_est_estimates (python/cluster_resilience/runs/grid.py), typed by the enforced contract.
{{ select_result_table(ref('int_est_estimates'), 'event_study') }}
