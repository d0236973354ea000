"""The registry seeds are the one definition of outcomes, treatment rules, specs, layouts and
factors: every member parses, and no code keeps its own list of them."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from cluster_resilience.estimators.inference import METHODS
from cluster_resilience.runs.specs import specs_from_registry

ROOT = Path(__file__).resolve().parents[2]
REGISTRIES = {
    "outcomes": "outcome",
    "treatment_rules": "treatment_rule",
    "specs": "spec",
    "layouts": "layout",
    "factors": "factor",
}
CODE = [
    *(ROOT / "python").rglob("*.py"),
    *(ROOT / "models").rglob("*.sql"),
    *(ROOT / "models").rglob("*.py"),
    *(ROOT / "macros").rglob("*.sql"),
    *(ROOT / "analyses").rglob("*.sql"),
    *(ROOT / "tests" / "data").rglob("*.sql"),
]


def _names(seed: str) -> list[str]:
    with open(ROOT / "seeds" / f"{seed}.csv", newline="") as handle:
        return [row[REGISTRIES[seed]] for row in csv.DictReader(handle)]


def test_every_spec_names_an_inference_method():
    specs = specs_from_registry(pd.read_csv(ROOT / "seeds" / "specs.csv"))
    assert [spec.name for spec in specs] == _names("specs")
    assert {spec.inference for spec in specs} <= set(METHODS)


def test_a_bad_spec_row_is_named():
    registry = pd.read_csv(ROOT / "seeds" / "specs.csv")
    registry.loc[0, "inference"] = "HC3"
    with pytest.raises(ValueError, match=r"seeds/specs.csv, spec 'paper': inference 'HC3'"):
        specs_from_registry(registry)


def _code_lines(path: Path):
    comment = "#" if path.suffix == ".py" else "--"
    in_docstring = False
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        stripped = line.strip()
        if path.suffix == ".py" and stripped.count('"""') == 1:
            in_docstring = not in_docstring
            continue
        if in_docstring or stripped.startswith((comment, "{#", "*")):
            continue
        yield number, line


@pytest.mark.parametrize("seed", sorted(REGISTRIES))
def test_no_code_keeps_its_own_list_of_registry_members(seed):
    """A line of code naming three or more members of one registry is a copied list (a
    comment or docstring may mention members; code must read the seed)."""
    names = _names(seed)
    quoted = re.compile("|".join(rf"['\"]{re.escape(name)}['\"]" for name in names))
    copies = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in CODE
        for number, line in _code_lines(path)
        if len(set(quoted.findall(line))) >= 3
    ]
    assert copies == []
