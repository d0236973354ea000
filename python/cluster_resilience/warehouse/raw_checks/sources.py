"""Which raw files dbt reads, and reading them exactly as dbt does.

The dbt sources (``models/staging/*/_*__sources.yml``) declare each raw file with an
``external_location`` such as ``read_csv('data/raw/bls/....csv', all_varchar = true, ...)``.
That one declaration is the single source of truth: the checks here discover the files from it
and read them with the very same DuckDB ``read_csv`` call, so Great Expectations validates
byte-for-byte what the staging models will see (same CSV dialect, same sniffer, same BOM and
line-ending handling), never a second interpretation of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml

LOCATION_PATH = re.compile(r"read_csv\(\s*'([^']+)'")


class RawFileError(RuntimeError):
    """A raw file is missing or cannot be read as the CSV its source declares."""


@dataclass(frozen=True)
class RawSource:
    """One dbt source table backed by a raw file."""

    name: str  # "<source>.<table>", e.g. "bls.ces_state_annual"
    relative_path: str  # as written in external_location, relative to the project dir
    read_expression: str  # the external_location itself (a DuckDB table function call)
    declared_in: str  # the sources YAML that declares it

    def path(self, project_dir: Path) -> Path:
        return project_dir / self.relative_path


def discover_sources(project_dir: Path) -> list[RawSource]:
    """Every source table with an external_location, in a stable order."""
    sources = []
    for yml in sorted((project_dir / "models").rglob("_*__sources.yml")):
        document = yaml.safe_load(yml.read_text(encoding="utf-8")) or {}
        for source in document.get("sources", []):
            for table in source.get("tables", []):
                meta = table.get("meta") or (table.get("config") or {}).get("meta") or {}
                location = meta.get("external_location")
                if not location:
                    continue
                match = LOCATION_PATH.search(location)
                if match is None:
                    raise RawFileError(
                        f"{yml.relative_to(project_dir)}: source {source['name']}.{table['name']}"
                        f" has an external_location without a read_csv('<path>'): {location}"
                    )
                sources.append(
                    RawSource(
                        name=f"{source['name']}.{table['name']}",
                        relative_path=match.group(1),
                        read_expression=location.format(name=table["name"]),
                        declared_in=str(yml.relative_to(project_dir)),
                    )
                )
    return sources


def _first_lines(path: Path, count: int = 2) -> list[bytes]:
    with path.open("rb") as handle:
        return [handle.readline() for _ in range(count)]


def read_raw_source(source: RawSource, project_dir: Path) -> pd.DataFrame:
    """Read ``source`` with its own read_csv call; raise RawFileError naming the file on failure.

    Every column is text (the sources read ``all_varchar``); the frame keeps the file order, so
    row ``i`` is file line ``i + 2`` (line 1 is the header).
    """
    path = source.path(project_dir)
    label = f"{source.relative_path} (dbt source {source.name})"
    if not path.exists():
        raise RawFileError(f"{label}: missing file (declared in {source.declared_in})")
    if path.stat().st_size == 0:
        raise RawFileError(f"{label}: empty file (0 bytes); expected a CSV with a header row")
    header = _first_lines(path, 1)[0]
    if not header.strip(b"\xef\xbb\xbf\r\n \t"):
        raise RawFileError(f"{label}: line 1 is blank; expected the header row")
    # The same call as dbt's, on the absolute path (dbt runs with the project as its working
    # directory; this process may not).
    absolute = str(path.resolve()).replace("'", "''")
    expression = source.read_expression.replace(f"'{source.relative_path}'", f"'{absolute}'", 1)
    connection = duckdb.connect()
    try:
        columns = connection.execute(f"select * from {expression}").fetchnumpy()
    except duckdb.Error as error:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        useful = [line for line in lines if not line.startswith(("Possible", "*", "file =",
                                                                "LINE ", "^"))]
        detail = " | ".join(useful[:4])
        message = f"{label}: DuckDB cannot read it as dbt would: {detail[:500]}"
        raise RawFileError(message) from error
    finally:
        connection.close()
    return pd.DataFrame({name: _as_objects(values) for name, values in columns.items()})


def _as_objects(values: np.ndarray) -> pd.Series:
    """Text column as Python str / None (fetchnumpy masks NULLs); object dtype, never NaN."""
    if np.ma.isMaskedArray(values):
        mask = np.ma.getmaskarray(values)
        values = np.ma.getdata(values).astype(object)
        values[mask] = None
    return pd.Series(values, dtype=object)
