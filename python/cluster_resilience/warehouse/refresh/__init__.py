"""The data refresh: download newer releases from the agencies' public endpoints into
``data/raw/``, in exactly the layout the dbt sources and the GX suites read, with a provenance
manifest (``refresh_manifest.json`` plus a generated section of ``PROVENANCE.md``).

Optional and separate: ``make refresh`` (``python -m cluster_resilience.warehouse.refresh``)
is the only step that reaches the network; ``make build`` reads what ``data/raw`` holds and
never fetches. One module per agency source (``bea``, ``bls``, ``census_trade``, ``cbp``,
``uscm``) on one HTTP layer (``client``: httpx + tenacity, keys redacted); ``files`` writes
atomically, ``manifest`` records, ``runner`` runs. docs/data_refresh.md describes the endpoints.
"""

from cluster_resilience.warehouse.refresh.client import REDACTED, HttpError, RetryPolicy
from cluster_resilience.warehouse.refresh.files import RefreshError
from cluster_resilience.warehouse.refresh.runner import SOURCES, RefreshReport, run_refresh

__all__ = [
    "REDACTED",
    "SOURCES",
    "HttpError",
    "RefreshError",
    "RefreshReport",
    "RetryPolicy",
    "run_refresh",
]
