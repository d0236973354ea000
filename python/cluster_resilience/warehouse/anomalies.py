"""Build-time warning for values that look wrong (``mart_data_anomalies``).

The dbt test ``assert_no_data_anomalies`` warns with a row count; this prints the rows a data
engineer needs to look at: file, state, outcome, year and why.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SHOWN = 10


def anomaly_warnings(warehouse: Path, shown: int = SHOWN) -> list[str]:
    """Lines describing the warehouse's data anomalies (empty when there are none or the
    warehouse has no mart_data_anomalies table)."""
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        exists = connection.execute(
            "select count(*) from information_schema.tables where table_name = "
            "'mart_data_anomalies'"
        ).fetchone()[0]
        if not exists:
            return []
        rows = connection.execute(
            "select source_file, state_fips, outcome, year, why from mart_data_anomalies "
            "order by abs(coalesce(robust_z, 0)) desc, source_file, state_fips, outcome, year"
        ).fetchall()
    finally:
        connection.close()
    if not rows:
        return []
    lines = [f"WARNING: {len(rows)} value(s) look wrong (mart_data_anomalies):"]
    lines += [
        f"  {source_file}: state {state}, {outcome} {year}: {why}"
        for source_file, state, outcome, year, why in rows[:shown]
    ]
    if len(rows) > shown:
        lines.append(f"  ... and {len(rows) - shown} more: select * from mart_data_anomalies")
    return lines
