"""U.S. Cluster Mapping (clustermapping.us) cluster-by-state data, no key.

The site's API (the open pipeline clustermapping/cmp, ``data/web/services/regions.js``) answers
``/data/region/{type}/{code}/{year}/{cluster}`` with the matching Solr documents as JSON: a list,
or the document itself when exactly one matches, ``[]`` when none. ``cluster`` ``all`` gives
every cluster-level document (sub-clusters excluded) of the region and year.
``/data/meta/years`` lists the years the site holds. One request per state and year.

The dbt source reads one year, the one in its name (``uscm.state_cluster_2016``): that year is
written under the source's path; any other year asked for with ``--years`` is written beside it
as ``uscm_state_cluster_<year>.csv`` in the same layout, which no dbt source reads yet.

Layout: the columns of the file the source reads, in its order (the API documents' fields;
``cluster_type`` is ``traded``/``local`` from ``traded_b``, as in the shipped file); booleans as
``True``/``False``, numbers as JSON gives them, absent fields empty; states in FIPS order,
documents in the API's order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from cluster_resilience.warehouse.raw_checks.suites import CLUSTER_CODES

from .base import RefreshContext, Source, load_states
from .client import AgencyClient, Fetch
from .files import CsvLayout, Output, RefreshError, read_header

BASE_URL = "https://clustermapping.us/data"
YEARS_URL = f"{BASE_URL}/meta/years"
REGION_URL = BASE_URL + "/region/state/{code}/{year}/all"
DBT_SOURCE = "uscm.state_cluster_2016"
SOURCE_YEAR = int(re.search(r"_(\d{4})$", DBT_SOURCE).group(1))


def text_value(value: object) -> str:
    """A JSON value as the shipped CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def read_json(path: Path, url: str) -> object:
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RefreshError(f"{url}: not JSON ({error}); truncated response?") from None


def published_years(document: object, url: str) -> set[int]:
    values = document if isinstance(document, list) else None
    if not values or not all(re.fullmatch(r"\d{4}", str(value)) for value in values):
        raise RefreshError(f"{url}: expected a JSON list of years, got {str(document)[:200]}")
    return {int(value) for value in values}


def state_documents(document: object, code: str, year: int, url: str) -> list[dict]:
    """Validate one state's answer; return its cluster documents."""
    documents = [document] if isinstance(document, dict) else document
    if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
        raise RefreshError(f"{url}: expected a JSON list of documents")
    seen = set()
    for position, doc in enumerate(documents):
        where = f"{url}, document {position}"
        checks = {
            "type_t": (doc.get("type_t"), "cluster"),
            "region_type_t": (doc.get("region_type_t"), "state"),
            "region_code_t": (str(doc.get("region_code_t")), code),
            "year_t": (str(doc.get("year_t")), str(year)),
        }
        for field, (got, wanted) in checks.items():
            if got != wanted:
                raise RefreshError(f"{where}: {field} is {got!r}, expected {wanted!r}")
        if doc.get("subcluster_b") not in (False, None):
            raise RefreshError(f"{where}: a sub-cluster document (cluster level expected)")
        cluster = str(doc.get("cluster_code_t"))
        if cluster not in CLUSTER_CODES:
            raise RefreshError(f"{where}: cluster_code_t {cluster!r} is not a USCM cluster code")
        if cluster in seen:
            raise RefreshError(f"{where}: cluster {cluster} twice")
        if not isinstance(doc.get("traded_b"), bool):
            raise RefreshError(f"{where}: traded_b missing or not a boolean")
        seen.add(cluster)
    return documents


def layout_row(doc: Mapping[str, object], columns: list[str]) -> dict[str, str]:
    row = {column: text_value(doc.get(column)) for column in columns}
    if "cluster_type" in columns and "cluster_type" not in doc:
        row["cluster_type"] = "traded" if doc["traded_b"] else "local"
    return row


class ClusterMapping(Source):
    name = "uscm"
    title = "U.S. Cluster Mapping API, state x cluster"

    def years(self, context: RefreshContext) -> tuple[int, ...]:
        return context.years if context.years is not None else (SOURCE_YEAR,)

    def target(self, context: RefreshContext, year: int) -> Path:
        path = context.targets.target(DBT_SOURCE)
        return path if year == SOURCE_YEAR else path.with_name(
            path.name.replace(str(SOURCE_YEAR), str(year)))

    def plan(self, context: RefreshContext) -> list[str]:
        lines = [f"GET {YEARS_URL} (no key)"]
        for year in self.years(context):
            read_by = (f"dbt source {DBT_SOURCE}" if year == SOURCE_YEAR
                       else "no dbt source reads it yet")
            lines.append(f"GET {REGION_URL.format(code='<state FIPS>', year=year)} for the 50 "
                         f"states and DC -> {self.target(context, year)} ({read_by})")
        return lines

    def fetch(self, context: RefreshContext, client: AgencyClient) -> list[Output]:
        base = context.targets.base(DBT_SOURCE)
        if base is None:
            raise RefreshError(f"{DBT_SOURCE}: no file to take the column layout from")
        columns = read_header(base)
        years_body = context.workdir / "uscm_years.json"
        years_fetch = client.download(YEARS_URL, years_body)
        available = published_years(read_json(years_body, years_fetch.url), years_fetch.url)
        missing = sorted(set(self.years(context)) - available)
        if missing:
            raise RefreshError(f"{YEARS_URL}: USCM does not publish {missing} "
                               f"(it has {min(available)}-{max(available)})")
        outputs = []
        for year in self.years(context):
            requests: list[Fetch] = [years_fetch]
            rows, empty, partial, stamps = [], [], [], set()
            for state in load_states(context.project_dir):
                url = REGION_URL.format(code=state.fips, year=year)
                body = context.workdir / f"uscm_{state.fips}_{year}.json"
                fetch = client.download(url, body)
                requests.append(fetch)
                documents = state_documents(read_json(body, fetch.url), state.fips, year,
                                            fetch.url)
                if not documents:
                    empty.append(state.postal)
                elif len(documents) != len(CLUSTER_CODES):
                    partial.append(f"{state.postal} ({len(documents)})")
                stamps.update(str(doc["timestamp"]) for doc in documents if doc.get("timestamp"))
                rows.extend(layout_row(doc, columns) for doc in documents)
            if not rows:
                raise RefreshError(f"{REGION_URL.format(code='*', year=year)}: no state has data")
            notes = []
            if empty:
                notes.append(f"no documents for {', '.join(empty)}")
            if partial:
                notes.append(f"fewer than {len(CLUSTER_CODES)} clusters: {', '.join(partial)}")
            # states in FIPS order; within a state the API's order (the sort is stable)
            layout = CsvLayout(columns=tuple(columns), sort_key=lambda row: row['region_code_t'])
            data = layout.render(rows)
            outputs.append(Output(
                path=self.target(context, year),
                data=data,
                rows=len(rows),
                source=self.name,
                dbt_source=DBT_SOURCE if year == SOURCE_YEAR else None,
                years=(year,),
                release=f"USCM data timestamp {max(stamps)}" if stamps else None,
                requests=requests,
                notes=tuple(notes),
            ))
        return outputs

