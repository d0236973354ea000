"""``python -m cluster_resilience.report --warehouse W --out F``: render the HTML report."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cluster_resilience.report.data import MissingTable
from cluster_resilience.report.render import DEFAULT_OUT, render_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the self-contained HTML report.")
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(
            os.environ.get("CLUSTER_PUBLISHED_PATH", "warehouse/cluster_resilience.duckdb")
        ),
        help="published DuckDB file, opened read-only (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="HTML file to write")
    parser.add_argument(
        "--project-dir", type=Path, default=Path("."), help="repo root (analyses/, dbt vars)"
    )
    args = parser.parse_args(argv)
    print(f"rendering the report of {args.warehouse}", flush=True)
    try:
        result = render_report(
            args.warehouse, args.out, args.project_dir,
            progress=lambda line: print(line, flush=True),
        )
    except (FileNotFoundError, MissingTable) as error:
        print(f"REPORT FAILED: {error}", file=sys.stderr)
        return 1
    print(
        f"wrote {result.path} ({result.bytes / 1e6:.2f} MB, {len(result.section_ids)} sections) "
        f"in {result.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
