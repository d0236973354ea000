-- The public, contracted est_did_coefficients table: the 'did_coefficients' rows of the dbt Python model
-- int_est_estimates (python/cluster_resilience/runs/grid.py), with the columns and types of the
-- enforced contract in the YAML, so BI tools and analysts read a schema that cannot change
-- silently.
{{ select_result_table(ref('int_est_estimates'), 'did_coefficients') }}
