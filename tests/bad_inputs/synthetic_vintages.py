"""SYNTHETIC newer releases of the shipped agency files, for the tests only.

No real BLS release covers 2021-2022 and no real BEA SAGDP2N file with a 2023 column ships with
the project (data/raw/PROVENANCE.md), so the tests that prove the warehouse follows its data
make them up from the shipped files, deterministically:

- ``extend_bls``: rows for the years after the file's last year, EXTRAPOLATED from the shipped
  last-year rows (every state x industry series of the last year is copied to each later year
  with a made-up, state-specific growth rate of 1-4 % a year; codes stay codes). The numbers are
  invented: they only have to look like a release (same layout, every series continued).
- ``extend_bea``: one more year column, each cell the last year's value x 1.05 (a code stays
  the code), so that BEA's identities (states sum to the US, manufacturing <= total) still hold.

Each function writes the new file under the agency's own naming scheme (the year range in the
name) or appends to the shipped file, and never edits a shared inode (the catalogue's project
copies hard-link the raw files).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

BEA2 = "data/raw/bea/SAGDP2N__ALL_AREAS_1997_2022.csv"
BLS = "data/raw/bls/bls_ces_sm_state_annual_avg_all_employees_2010_2020.csv"
NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def _growth(state_fips: str) -> float:
    """A made-up yearly growth rate of 1 % to 4 %, different across states (SYNTHETIC)."""
    return 0.01 + 0.03 * ((int(state_fips) * 37) % 11) / 10


def extend_bls(project: Path, extra_years: int = 2, rename: bool = True) -> Path:
    """Add ``extra_years`` SYNTHETIC years after the BLS file's last year (see the module doc).

    rename=True writes a new release named with its year range (the shipped file is removed);
    rename=False appends the rows to the shipped file. Returns the file written."""
    path = project / BLS
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    last = max(int(row["year"]) for row in rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    for step in range(1, extra_years + 1):
        for row in rows:
            if int(row["year"]) != last:
                continue
            new = dict(row, year=str(last + step))
            if NUMBER.match(row["value"]):
                factor = (1 + _growth(row["stcode"])) ** step
                new["value"] = f"{float(row['value']) * factor:.1f}"
            writer.writerow(new)
    path.unlink()
    target = path
    if rename:
        first = min(int(row["year"]) for row in rows)
        target = path.with_name(re.sub(r"_[0-9]{4}_[0-9]{4}\.csv$",
                                       f"_{first}_{last + extra_years}.csv", path.name))
    target.write_text(text.rstrip("\n") + "\n" + buffer.getvalue(), encoding="utf-8")
    return target


def extend_bea(project: Path, relative: str = BEA2) -> Path:
    """Add one SYNTHETIC year column after the BEA file's last one (last year x 1.05, codes
    kept) and save it under BEA's name for the longer range (the shipped file is removed)."""
    path = project / relative
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    header = lines[0].split(",")
    last = int(header[-1])
    out = [lines[0] + f",{last + 1}"]
    for line in lines[1:]:
        fields = next(csv.reader([line])) if line else []
        if len(fields) == len(header):
            value = fields[-1]
            new = f"{float(value) * 1.05:.1f}" if NUMBER.match(value) else value
            out.append(f"{line},{new}")
        else:  # footer lines and the final empty line stay as they are
            out.append(line)
    path.unlink()
    target = path.with_name(path.name.replace(f"_{last}.csv", f"_{last + 1}.csv"))
    target.write_bytes("\r\n".join(out).encode("utf-8"))
    return target
