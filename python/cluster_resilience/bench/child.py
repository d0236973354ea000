"""A benchmark step's child process: ``python -m cluster_resilience.bench.child STEP CONFIG
RESULT`` runs step STEP (:mod:`cluster_resilience.bench.steps`) with the JSON configuration in
file CONFIG and writes its JSON result to file RESULT."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cluster_resilience.bench import spark  # noqa: F401  (registers the Spark step)
from cluster_resilience.bench.steps import STEPS


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in STEPS:
        print(f"usage: python -m cluster_resilience.bench.child {{{','.join(sorted(STEPS))}}} "
              "CONFIG RESULT", file=sys.stderr)
        return 2
    name, config_path, result_path = argv
    result = STEPS[name](json.loads(Path(config_path).read_text()))
    Path(result_path).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
