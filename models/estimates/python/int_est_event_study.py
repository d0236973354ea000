"""Event study (log level on state and year fixed effects and treated x year dummies, reference
year 2019) for every spec x state-level treatment rule x outcome: coefficient and pre-trend rows
stacked (result_table), split into est_event_study and est_event_study_pretrend.

Thin wrapper: reads mart_event_study_panel and est_run_metadata and calls
cluster_resilience.runs.event_study_pipeline.run_event_study_estimates (python/cluster_resilience/).
"""

from cluster_resilience.runs.event_study_pipeline import run_event_study_estimates
from cluster_resilience.runs.pipeline import settings_from_run_metadata, stack_result_tables

# Wild-bootstrap specs are skipped: bootstrapping all ~150 event coefficients per spec takes
# over the 60 s budget (see cluster_resilience.runs.event_study_pipeline).
INCLUDE_BOOTSTRAP = False


def model(dbt, session):
    dbt.config(materialized="table")
    panel = dbt.ref("mart_event_study_panel").df()
    run_metadata = dbt.ref("est_run_metadata").df()
    settings = settings_from_run_metadata(run_metadata)
    coefficients, pretrend = run_event_study_estimates(
        panel, settings["spec_names"], settings["bootstrap"], include_bootstrap=INCLUDE_BOOTSTRAP
    )
    return stack_result_tables(run_metadata, coefficients=coefficients, pretrend=pretrend)
