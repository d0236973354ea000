"""``python -m cluster_resilience.warehouse.refresh``: download newer agency releases into
data/raw/ (or --out) with a provenance manifest. Network step; the build never fetches."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from cluster_resilience.warehouse.refresh.base import CENSUS_KEY_ENV, CONTACT_ENV
from cluster_resilience.warehouse.refresh.files import parse_years
from cluster_resilience.warehouse.refresh.runner import SOURCES, run_refresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cluster_resilience.warehouse.refresh",
        description=__doc__.splitlines()[0],
        epilog=f"Environment: {CENSUS_KEY_ENV} (Census trade, required), {CONTACT_ENV} (a "
               "contact e-mail for the User-Agent, required by BLS). See docs/data_refresh.md.",
    )
    parser.add_argument("--source", action="append", choices=list(SOURCES), dest="sources",
                        help="a source to refresh (repeatable; default: all)")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory to write into (default: <project>/data/raw)")
    parser.add_argument("--project-dir", type=Path, default=Path("."),
                        help="the dbt project (its sources YAML says which files to write)")
    parser.add_argument("--years", default=None,
                        help="years to refresh, e.g. 2019-2023 or 2016,2018 (year-partitioned "
                             "sources; BEA always takes the whole file). Default: every year "
                             "from the file's first year to the newest published")
    parser.add_argument("--dry-run", action="store_true",
                        help="list what would be fetched and written; no network")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s",
                        stream=sys.stderr)
    try:
        years = parse_years(args.years)
    except ValueError as error:
        parser.error(str(error))
    report = run_refresh(project_dir=args.project_dir, out_dir=args.out, sources=args.sources,
                         years=years, dry_run=args.dry_run)
    if args.dry_run:
        print("dry run: nothing fetched, nothing written")
        return 0
    print(f"refresh: {len(report.written)} file(s) written, {len(report.skipped)} source(s) "
          f"skipped, {len(report.failed)} failed")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
