"""Where refreshed files go and how they are written: atomically, in the exact text layout the
dbt source and the GX suite read.

Where a file goes: each refreshed file is written under the path its dbt source declares
(``external_location`` in ``models/staging/*/_*__sources.yml``, read through
``raw_checks.sources.discover_sources``), re-rooted from ``data/raw`` to the output directory.
So the build reads a refreshed file unchanged, and a file name that embeds a year range (BEA's
``SAGDP2N__ALL_AREAS_1997_2022.csv``) keeps its name: the manifest records the years it now
covers and the agency's own file name.

How: the new content is complete and validated in memory before anything is written; it goes to
a temporary file in the target's directory, is fsynced, then renamed over the target
(``os.replace``), so a reader sees the old file or the new one, never a mix, and a failed or
partial download never replaces a good file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cluster_resilience.warehouse.raw_checks.sources import discover_sources

from .client import Fetch

RAW_ROOT = Path("data/raw")


class RefreshError(RuntimeError):
    """A response arrived but is not what the source's layout needs; nothing was written."""


@dataclass
class Output:
    """One file a source wants written, with what the manifest says about it."""

    path: Path  # absolute target path
    data: bytes
    rows: int
    source: str  # refresh source name, e.g. "bea"
    dbt_source: str | None  # e.g. "bea.sagdp2n"; None for a file no dbt source reads (yet)
    years: tuple[int, ...] = ()
    release: str | None = None
    agency_file: str | None = None  # the agency's own name for the file, when it differs
    requests: list[Fetch] = field(default_factory=list)
    kept_years: tuple[int, ...] = ()  # years whose rows were kept from the previous file
    notes: tuple[str, ...] = ()


def declared_paths(project_dir: Path) -> dict[str, str]:
    """dbt source name -> project-relative path of its raw file."""
    return {source.name: source.relative_path for source in discover_sources(project_dir)}


@dataclass(frozen=True)
class Targets:
    """Resolves dbt source names to the files to write (under ``out_dir``) and to read as the
    base of an update (the file already at the target, else the project's shipped file)."""

    project_dir: Path
    out_dir: Path

    def relative(self, dbt_source: str) -> Path:
        paths = declared_paths(self.project_dir)
        if dbt_source not in paths:
            raise RefreshError(
                f"no dbt source {dbt_source} with an external_location in "
                f"{self.project_dir / 'models'}/staging/*/_*__sources.yml"
            )
        relative = Path(paths[dbt_source])
        try:
            return relative.relative_to(RAW_ROOT)
        except ValueError:
            raise RefreshError(
                f"dbt source {dbt_source} reads {relative}, which is not under {RAW_ROOT}/"
            ) from None

    def target(self, dbt_source: str) -> Path:
        return self.out_dir / self.relative(dbt_source)

    def base(self, dbt_source: str) -> Path | None:
        """The file an update starts from: the target if it exists, else the shipped file."""
        for candidate in (self.target(dbt_source),
                          self.project_dir / RAW_ROOT / self.relative(dbt_source)):
            if candidate.exists():
                return candidate
        return None


def checked_zip(path: Path, url: str) -> zipfile.ZipFile:
    """Open a downloaded zip after checking every member's CRC: a damaged archive is a
    RefreshError naming the URL, never a half-read file."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise RefreshError(f"{url}: not a zip archive ({error})") from None
    try:
        broken = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        archive.close()
        raise RefreshError(f"{url}: damaged zip ({error})") from None
    if broken is not None:
        archive.close()
        raise RefreshError(f"{url}: member {broken} fails its CRC check")
    return archive


# ----------------------------------------------------------------------------- atomic writes
def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def atomic_write(path: Path, data: bytes) -> tuple[str, int]:
    """Write ``data`` to ``path`` atomically; return (sha256, size). On any failure the old file
    (if any) is untouched and the temporary file is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                             dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)
    return hashlib.sha256(data).hexdigest(), len(data)


# ------------------------------------------------------------------------------- CSV layouts
@dataclass(frozen=True)
class CsvLayout:
    """The text layout of one raw CSV: columns in order, quoting, row order.

    ``style="pandas"``: minimal quoting (a field is quoted only when it holds a comma, quote or
    newline), as pandas wrote the BLS, Census trade and USCM files. ``style="r"``: R's
    ``write.csv``, as the EconData CBP files were written: the header and the text columns in
    ``quoted`` always quoted, numbers and ``NA`` bare. Lines end with LF.
    """

    columns: tuple[str, ...]
    sort_key: Callable[[Mapping[str, str]], tuple]
    style: str = "pandas"
    quoted: frozenset[str] = frozenset()

    def render(self, rows: Iterable[Mapping[str, str]]) -> bytes:
        ordered = sorted(rows, key=self.sort_key)
        buffer = io.StringIO(newline="")
        if self.style == "pandas":
            writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(self.columns)
            for row in ordered:
                writer.writerow([row[column] for column in self.columns])
        elif self.style == "r":
            buffer.write(",".join(_r_quote(column) for column in self.columns) + "\n")
            for row in ordered:
                buffer.write(",".join(
                    _r_quote(row[column])
                    if column in self.quoted and row[column] != "NA" else row[column]
                    for column in self.columns
                ) + "\n")
        else:  # pragma: no cover - a programming error
            raise ValueError(f"unknown CSV style {self.style!r}")
        return buffer.getvalue().encode("utf-8")

    def check_header(self, path: Path) -> None:
        """The base file must have exactly these columns: a layout drift is an error."""
        header = read_header(path)
        if tuple(header) != self.columns:
            raise RefreshError(
                f"{path}: columns {header} differ from the layout the refresh writes "
                f"{list(self.columns)}; update the refresh module and the dbt source together"
            )


def _r_quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def read_rows(path: Path) -> list[dict[str, str]]:
    """Every row of a CSV as text, exactly as written (no type conversion)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def merge_years(
    base_rows: Sequence[Mapping[str, str]],
    new_rows: Sequence[Mapping[str, str]],
    year_column: str,
    refreshed_years: Iterable[int],
) -> tuple[list[Mapping[str, str]], tuple[int, ...]]:
    """Rows of ``refreshed_years`` come from ``new_rows``; the base file's other years are kept.
    Returns the rows and the years kept from the base file."""
    refreshed = {str(year) for year in refreshed_years}
    kept = [row for row in base_rows if row[year_column] not in refreshed]
    kept_years = tuple(sorted({int(row[year_column]) for row in kept}))
    return [*kept, *new_rows], kept_years


def parse_years(text: str | None) -> tuple[int, ...] | None:
    """``"2019-2022,2024"`` -> (2019, 2020, 2021, 2022, 2024); None stays None."""
    if text is None:
        return None
    years: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise ValueError(f"--years: {part!r} is not a year or a range like 2019-2022") from None
        if not (1900 <= first <= last <= 2100):
            raise ValueError(f"--years: {part!r} is not a plausible year range")
        years.update(range(first, last + 1))
    if not years:
        raise ValueError("--years: no year given")
    return tuple(sorted(years))
