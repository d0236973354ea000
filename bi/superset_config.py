"""Superset configuration of the cluster resilience dashboard (read by Superset through
SUPERSET_CONFIG_PATH, which bi/superset_server.py sets).

Everything Superset writes lives in the state directory CLUSTER_BI_STATE_DIR (default
target/bi/, never committed): the metadata database, the generated SECRET_KEY, logs. The
warehouse itself is only ever opened read-only (see bi/superset/assets/databases/).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

STATE_DIR = Path(os.environ.get("CLUSTER_BI_STATE_DIR", "target/bi")).resolve()
STATE_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SUPERSET_SECRET_KEY from the environment, else one generated once into the state dir."""
    from_env = os.environ.get("SUPERSET_SECRET_KEY")
    if from_env:
        return from_env
    key_file = STATE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{STATE_DIR / 'superset.db'}"

# A local analysis tool: no examples, no map tiles, and a content security policy that lets the
# browser load nothing but Superset itself (Superset's default policy also allows its telemetry
# pixel, external fonts and map-tile hosts; this one does not, so the page never leaves the host).
SUPERSET_LOAD_EXAMPLES = False
MAPBOX_API_KEY = ""
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
CONTENT_SECURITY_POLICY_WARNING = False
RATELIMIT_STORAGE_URI = "memory://"

# The warehouse is republished atomically by `make build`: never serve a stale cached result.
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
EXPLORE_FORM_DATA_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 86400}
FILTER_STATE_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 86400}

# SQL Lab may only read: DuckDB opens the file read-only, and Superset refuses DML too.
PREVENT_UNSAFE_DB_CONNECTIONS = True

LOG_LEVEL = os.environ.get("SUPERSET_LOG_LEVEL", "WARNING")
