"""Which raw files dbt reads, and reading them exactly as dbt does.

The dbt sources (``models/staging/*/_*__sources.yml``) declare each raw file with an
``external_location`` such as ``read_csv('data/raw/bls/....csv', all_varchar = true, ...)``.
That one declaration is the single source of truth: the checks here discover the files from it
and read them with the very same DuckDB ``read_csv`` call, so Great Expectations validates
byte-for-byte what the staging models will see (same CSV dialect, same sniffer, same BOM and
line-ending handling), never a second interpretation of the file.

Files whose agency name carries a year range are declared with a glob over the years
(``data/raw/bls/bls_ces_sm_state_annual_avg_all_employees_*.csv``): a newer release is dropped in
under the agency's own name and found without editing the YAML. The glob must match exactly one
file (DuckDB would silently stack two releases); ``resolve_location`` says which files match and,
when one of them looks like a newer release, how to accept it. dbt checks the same rule at run
start (macros/create_raw_source_views.sql), so a bare ``dbt build`` cannot stack releases either.
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
GLOB_CHARACTERS = re.compile(r"[*?\[]")
NAME_YEARS = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")


class RawFileError(RuntimeError):
    """A raw file is missing or cannot be read as the CSV its source declares."""


@dataclass(frozen=True)
class RawSource:
    """One dbt source table backed by a raw file."""

    name: str  # "<source>.<table>", e.g. "bls.ces_state_annual"
    relative_path: str  # the file read, relative to the project dir (the pattern if unresolved)
    read_expression: str  # the external_location itself (a DuckDB table function call)
    declared_in: str  # the sources YAML that declares it
    pattern: str = ""  # the path as written in external_location (may be a glob)
    problem: str | None = None  # why the pattern does not name exactly one file

    def path(self, project_dir: Path) -> Path:
        return project_dir / self.relative_path


def name_years(name: str) -> tuple[int, ...]:
    """Years written in a file name (``SAGDP2N__ALL_AREAS_1997_2022.csv`` -> (1997, 2022))."""
    return tuple(int(year) for year in NAME_YEARS.findall(name))


def resolve_location(project_dir: Path, pattern: str, source: str = "",
                     declared_in: str = "") -> tuple[str, str | None]:
    """The one file ``pattern`` (a path or a glob, relative to the project) names.

    Returns (relative path, None) when exactly one file matches, else (pattern, problem), the
    problem saying which files match (or which files the folder holds) and, when one looks like
    a newer release of the same table, how to accept it.
    """
    if not GLOB_CHARACTERS.search(pattern):
        return pattern, None
    matches = sorted(p.relative_to(project_dir).as_posix() for p in project_dir.glob(pattern)
                     if p.is_file())
    if len(matches) == 1:
        return matches[0], None
    folder = Path(pattern).parent.as_posix()
    where = f" (declared in {declared_in})" if declared_in else ""
    label = f"{pattern} (dbt source {source})" if source else pattern
    if not matches:
        present = sorted(p.name for p in (project_dir / folder).glob("*") if p.is_file())
        text = (f"{label}: missing file: no file matches the source's pattern{where}; "
                f"{folder}/ holds: {', '.join(present) or 'nothing'}.")
        dated = [name for name in present if name_years(name)]
        if dated:
            text += (" If one of these is a newer release of this table under a new name, rename "
                     f"it to match {Path(pattern).name} (or change the external_location), and "
                     "record it in data/raw/PROVENANCE.md; nothing else is needed.")
        return pattern, text
    text = (f"{label}: {len(matches)} files match the source's pattern{where}: "
            f"{', '.join(matches)}. The source reads exactly one release (reading both would "
            "stack two vintages of the same table).")
    dated = sorted((name_years(Path(m).name)[-1:] or (0,), m) for m in matches)
    if dated[-1][0][0] and dated[-1][0] > dated[-2][0]:
        newest = dated[-1][1]
        older = [m for m in matches if m != newest]
        text += (f" {Path(newest).name} looks like a newer release (its name runs to "
                 f"{dated[-1][0][0]}): to accept it, move {', '.join(older)} out of {folder}/ and "
                 "record the new release in data/raw/PROVENANCE.md; nothing else is needed "
                 "(the checks and models follow the years in the file).")
    else:
        text += f" Keep one of them in {folder}/."
    return pattern, text


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
                name = f"{source['name']}.{table['name']}"
                declared_in = str(yml.relative_to(project_dir))
                relative_path, problem = resolve_location(project_dir, match.group(1), name,
                                                          declared_in)
                sources.append(
                    RawSource(
                        name=name,
                        relative_path=relative_path,
                        read_expression=location.format(name=table["name"]),
                        declared_in=declared_in,
                        pattern=match.group(1),
                        problem=problem,
                    )
                )
    return sources


def _first_lines(path: Path, count: int = 2) -> list[bytes]:
    with path.open("rb") as handle:
        return [handle.readline() for _ in range(count)]


# Formats recognised by their first bytes ("magic numbers"): a compressed or binary file whose
# name still ends in .csv would otherwise reach DuckDB's CSV sniffer, which can only say that it
# "could not detect the CSV dialect".
MAGIC = (
    (b"\x1f\x8b", "gzip-compressed", "gunzip it"),
    (b"PK\x03\x04", "a zip archive", "unzip it"),
    (b"BZh", "bzip2-compressed", "bunzip2 it"),
    (b"\xfd7zXZ\x00", "xz-compressed", "unxz it"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed", "unzstd it"),
    (b"\xff\xfe", "UTF-16 (little-endian) encoded", "save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 (big-endian) encoded", "save it as UTF-8"),
)


def check_file_format(path: Path, label: str) -> None:
    """Raise RawFileError when ``path`` is compressed, an archive, or not UTF-8 text, naming
    the format (from its first bytes) or the first byte that is not UTF-8 (line and column)."""
    data = path.read_bytes()
    for magic, kind, fix in MAGIC:
        if data.startswith(magic):
            shown = " ".join(f"{byte:02x}" for byte in data[: len(magic)])
            raise RawFileError(
                f"{label}: the file is {kind} (first bytes {shown}), not a plain UTF-8 CSV: "
                f"{fix} and put the .csv itself at {path.name}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        start = data.rfind(b"\n", 0, error.start) + 1
        end = data.find(b"\n", error.start)
        text = data[start:end if end >= 0 else len(data)]
        guess = text.decode("cp1252", errors="replace").strip()
        raise RawFileError(
            f"{label}: not utf-8 encoded: byte 0x{data[error.start]:02X} at line {line}, "
            f"column {column} (byte {error.start}); read as cp1252/latin-1 that line is "
            f"{guess[:120]!r}. Save the file as UTF-8.") from None


def read_raw_source(source: RawSource, project_dir: Path) -> pd.DataFrame:
    """Read ``source`` with its own read_csv call; raise RawFileError naming the file on failure.

    Every column is text (the sources read ``all_varchar``); the frame keeps the file order, so
    row ``i`` is file line ``i + 2`` (line 1 is the header).
    """
    if source.problem is not None:
        raise RawFileError(source.problem)
    path = source.path(project_dir)
    label = f"{source.relative_path} (dbt source {source.name})"
    if not path.exists():
        raise RawFileError(f"{label}: missing file (declared in {source.declared_in})")
    if path.stat().st_size == 0:
        raise RawFileError(f"{label}: empty file (0 bytes); expected a CSV with a header row")
    check_file_format(path, label)
    header = _first_lines(path, 1)[0]
    if not header.strip(b"\xef\xbb\xbf\r\n \t"):
        raise RawFileError(f"{label}: line 1 is blank; expected the header row")
    return read_as_source(source, path, label)


def read_as_source(source: RawSource, path: Path, label: str | None = None) -> pd.DataFrame:
    """Read the file at ``path`` with ``source``'s own read_csv call (its path swapped for
    ``path``): the raw file itself, or a stored copy of an earlier version of it."""
    label = label or f"{path} (dbt source {source.name})"
    # The same call as dbt's, on the absolute path (dbt runs with the project as its working
    # directory; this process may not).
    absolute = str(Path(path).resolve()).replace("'", "''")
    expression = source.read_expression.replace(f"'{source.pattern or source.relative_path}'",
                                                f"'{absolute}'", 1)
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
