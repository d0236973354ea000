"""Every model, seed, source, column and exposure is documented (checked on the REAL build)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def manifest(built_warehouse):
    path = built_warehouse.parent / "target" / "manifest.json"
    return json.loads(path.read_text())


def _documented_nodes(manifest):
    for node in manifest["nodes"].values():
        is_ours = node["package_name"] == "cluster_resilience"
        if is_ours and node["resource_type"] in ("model", "seed"):
            yield node


def test_every_model_seed_source_and_exposure_has_a_description(manifest):
    undocumented = [node["name"] for node in _documented_nodes(manifest) if not node["description"]]
    undocumented += [
        source["name"] for source in manifest["sources"].values() if not source["description"]
    ]
    undocumented += [
        exposure["name"] for exposure in manifest["exposures"].values()
        if not exposure["description"]
    ]
    assert undocumented == []


ROOT = Path(__file__).resolve().parents[2]


def _registry_members() -> set[str]:
    """Columns named after a treatment rule or a factor are documented by their seed row
    (seeds/treatment_rules.csv, factors.csv): adding a member must not need a YAML edit."""
    members = set()
    for seed, column in (("treatment_rules", "treatment_rule"), ("factors", "factor")):
        with open(ROOT / "seeds" / f"{seed}.csv", newline="") as handle:
            members |= {row[column].lower() for row in csv.DictReader(handle)}
    return members


def test_every_built_column_has_a_description(manifest, built_warehouse):
    registry_columns = _registry_members()
    # The build's full dbt database (the published file holds only main and reference).
    build_file = built_warehouse.with_name(built_warehouse.stem + ".build.duckdb")
    connection = duckdb.connect(str(build_file), read_only=True)
    missing = []
    for node in _documented_nodes(manifest):
        if node.get("language") == "python":
            continue  # stacked result tables: documented column by column on the public models
        schema, name = node["schema"], node["alias"]
        columns = connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
        documented = registry_columns | {
            column.lower() for column, spec in node["columns"].items() if spec["description"]
        }
        missing += [f"{name}.{column}" for (column,) in columns if column.lower() not in documented]
    connection.close()
    assert missing == []


def test_overview_page_explains_question_data_caveats_and_tracing(manifest):
    overview = manifest["docs"]["doc.cluster_resilience.__overview__"]["block_contents"]
    for phrase in ("Question", "Data", "Caveats", "Trace a coefficient"):
        assert phrase in overview


def test_every_public_mart_and_estimate_table_has_an_enforced_contract(manifest):
    public = [
        node for node in _documented_nodes(manifest)
        if node["resource_type"] == "model"
        and node.get("language") == "sql"
        and node["original_file_path"].startswith(("models/marts/", "models/estimates/"))
        and node["schema"] == "main"  # published; intermediate tables (moments) are not
    ]
    assert len(public) >= 20
    uncontracted = [node["name"] for node in public if not node["contract"]["enforced"]]
    assert uncontracted == []
