"""``python -m cluster_resilience.warehouse.raw_checks [--project-dir .]
[--docs target/gx_data_docs]``:
validate the raw files only (no dbt, no warehouse); exit 1 when a file fails."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cluster_resilience.warehouse.raw_checks.checks import validate_raw_inputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", type=Path, default=Path("."))
    parser.add_argument("--docs", type=Path, default=Path("target/gx_data_docs"))
    parser.add_argument("--cache", type=Path, default=None,
                        help="directory of cached passing results (default: none, validate all)")
    args = parser.parse_args(argv)
    docs = args.docs if args.docs.is_absolute() else args.project_dir / args.docs
    report = validate_raw_inputs(args.project_dir, docs, cache_dir=args.cache)
    print(report.format(), file=sys.stdout if report.success else sys.stderr)
    return 0 if report.success else 1


if __name__ == "__main__":
    sys.exit(main())
