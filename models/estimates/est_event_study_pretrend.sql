-- The public, contracted est_event_study_pretrend table: the 'event_study_pretrend' rows of the
-- dbt Python model int_est_estimates, typed by the enforced contract.
{{ select_result_table(ref('int_est_estimates'), 'event_study_pretrend') }}
