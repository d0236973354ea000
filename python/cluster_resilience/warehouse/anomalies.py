"""Build-time warning for values that look wrong (``mart_data_anomalies``).

The dbt test ``assert_no_data_anomalies`` warns with a row count; this prints what a data
engineer needs to look at: file, state, outcome, year and why, the anomalies that are NEW since
the published warehouse first (the ones a new release or a mistyped cell brought), then how many
were already there (genuine extremes, such as North Dakota's 2012 oil boom, repeat each build).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SHOWN = 10
KEY = ("state_fips", "outcome", "year", "reason")


def _rows(warehouse: Path) -> list[tuple]:
    if not warehouse.exists():
        return []
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        exists = connection.execute(
            "select count(*) from duckdb_tables() where table_name = 'mart_data_anomalies'"
        ).fetchone()[0]
        if not exists:
            return []
        return connection.execute(
            "select state_fips, outcome, year, reason, source_file, why "
            "from mart_data_anomalies "
            "order by abs(coalesce(robust_z, 0)) desc, source_file, state_fips, outcome, year"
        ).fetchall()
    finally:
        connection.close()


def anomaly_warnings(
    warehouse: Path, published: Path | None = None, shown: int = SHOWN
) -> list[str]:
    """Lines describing the warehouse's data anomalies, new ones (not in ``published``) first;
    empty when there are none or the warehouse has no mart_data_anomalies table."""
    rows = _rows(warehouse)
    if not rows:
        return []
    known_keys = {row[:4] for row in _rows(published)} if published is not None else set()
    new = [row for row in rows if row[:4] not in known_keys]
    known = [row for row in rows if row[:4] in known_keys]
    lines = [f"WARNING: {len(rows)} value(s) look wrong (mart_data_anomalies)"
             + (f", {len(new)} new since the published warehouse:" if known_keys else ":")]
    listed = new if known_keys else rows
    lines += [
        f"  {source_file}: state {state}, {outcome} {year}: {why}"
        for state, outcome, year, _, source_file, why in listed[:shown]
    ]
    if len(listed) > shown:
        lines.append(f"  ... and {len(listed) - shown} more: select * from mart_data_anomalies")
    if known:
        lines.append(f"  ({len(known)} already in the published warehouse)")
    return lines
