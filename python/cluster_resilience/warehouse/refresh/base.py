"""What every agency source shares: the run context, the source interface, the state list."""

from __future__ import annotations

import csv
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .client import AgencyClient
from .files import Output, RefreshError, Targets, read_rows

# Environment variables (the only place keys and contacts come from).
CENSUS_KEY_ENV = "CENSUS_API_KEY"
CONTACT_ENV = "CLUSTER_REFRESH_CONTACT"


@dataclass(frozen=True)
class RefreshContext:
    """One refresh run: where to read and write, which years, the environment, scratch space."""

    targets: Targets
    years: tuple[int, ...] | None  # None: each source's default
    environ: Mapping[str, str]
    this_year: int  # the current UTC year (no agency publishes a year before it ends)
    workdir: Path  # scratch directory for downloaded bodies (never data/raw)

    @property
    def project_dir(self) -> Path:
        return self.targets.project_dir


class Source(ABC):
    """An agency endpoint that refreshes one or more raw files."""

    name: ClassVar[str]  # CLI name, e.g. "bea"
    title: ClassVar[str]

    def missing_requirement(self, environ: Mapping[str, str]) -> str | None:
        """Why this source cannot run in this environment (then it is skipped), or None."""
        return None

    @abstractmethod
    def plan(self, context: RefreshContext) -> list[str]:
        """What a run would fetch and write (the dry run), without touching the network."""

    @abstractmethod
    def fetch(self, context: RefreshContext, client: AgencyClient) -> list[Output]:
        """Download, validate and lay out every file; raise RefreshError (or HttpError) when a
        response is not usable. Nothing is written here: the runner writes the outputs."""


@dataclass(frozen=True)
class State:
    fips: str  # two digits
    postal: str
    name: str


def load_states(project_dir: Path) -> list[State]:
    """The 50 states and DC, from ``seeds/states.csv`` (the project's one state list)."""
    path = project_dir / "seeds" / "states.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [State(row["state_fips"].zfill(2), row["state_postal"], row["state_name"])
                for row in csv.DictReader(handle)]


def first_year_of(path: Path | None, year_column: str, what: str) -> int:
    """The first year in an existing raw file: where a default refresh starts."""
    if path is None:
        raise RefreshError(f"{what}: no existing file to take the first year from; pass --years")
    years = {int(row[year_column]) for row in read_rows(path) if row.get(year_column)}
    if not years:
        raise RefreshError(f"{path}: no {year_column} values; pass --years")
    return min(years)
