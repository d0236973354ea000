"""Event-study pre-trend tests: the joint Wald test that every pre-reference-year coefficient of
est_event_study is zero, for every spec x state-level treatment rule x outcome.

Thin wrapper: reads mart_event_study_panel and est_run_metadata, calls
cluster_resilience.event_study_pipeline.run_event_study_estimates (python/cluster_resilience/),
returns the rows. Wild-bootstrap specs have no pre-trend row (no joint bootstrap test), so they
are not run here.
"""

from cluster_resilience.event_study_pipeline import run_event_study_estimates
from cluster_resilience.pipeline import attach_run_metadata, settings_from_run_metadata


def model(dbt, session):
    dbt.config(materialized="table")
    panel = dbt.ref("mart_event_study_panel").df()
    run_metadata = dbt.ref("est_run_metadata").df()
    settings = settings_from_run_metadata(run_metadata)
    _, pretrend = run_event_study_estimates(
        panel,
        settings["spec_names"],
        settings["bootstrap"],
        include_bootstrap=False,
    )
    return attach_run_metadata(pretrend, run_metadata)
