"""The spec, outcome and treatment-rule names agree across Python, dbt vars and seeds."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml
from cluster_resilience.runs.specs import SPECS, get_spec

ROOT = Path(__file__).resolve().parents[2]


def _allowed_in_validate_vars(key: str) -> list[str]:
    macro = (ROOT / "macros" / "validate_vars.sql").read_text()
    match = re.search(rf"'{key}':\s*\[([^\]]*)\]", macro)
    assert match, f"validate_vars.sql declares no allowed list for {key!r}"
    return re.findall(r"'([^']+)'", match.group(1))


def _seed_column(seed: str, column: str) -> list[str]:
    with open(ROOT / "seeds" / f"{seed}.csv", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def test_spec_names_match_the_var_validation():
    assert _allowed_in_validate_vars("specs") == list(SPECS)


def test_outcomes_match_the_seed():
    assert _allowed_in_validate_vars("outcomes") == _seed_column("outcomes", "outcome")


def test_treatment_rules_match_the_seed():
    assert sorted(_allowed_in_validate_vars("treatment_rules")) == sorted(
        _seed_column("treatment_rules", "treatment_rule")
    )


def test_default_vars_use_known_names():
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    assert set(project["vars"]["specs"]) <= set(SPECS)
    assert {"paper", "state_clustered"} <= set(project["vars"]["specs"])


def test_unknown_spec_lists_the_allowed_names():
    with pytest.raises(ValueError, match="allowed specs: .*state_clustered"):
        get_spec("clustered_by_county")
