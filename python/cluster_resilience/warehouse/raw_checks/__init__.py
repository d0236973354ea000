"""Great Expectations at the door: every raw file the dbt sources read is validated before dbt
runs (``validate_raw_inputs``). Suites are code (``suites.py``); files are read with the same
DuckDB ``read_csv`` call as their dbt source (``sources.py``); ``checks.py`` runs GX locally and
writes Data Docs. ``python -m cluster_resilience.warehouse.raw_checks`` validates without
building."""

from cluster_resilience.warehouse.raw_checks.checks import (
    Failure,
    RawValidationReport,
    previous_vintages,
    validate_raw_inputs,
)
from cluster_resilience.warehouse.raw_checks.sources import (
    RawFileError,
    RawSource,
    discover_sources,
)
from cluster_resilience.warehouse.raw_checks.suites import PreviousVintage

__all__ = [
    "Failure",
    "PreviousVintage",
    "RawFileError",
    "RawSource",
    "RawValidationReport",
    "discover_sources",
    "previous_vintages",
    "validate_raw_inputs",
]
