"""US state tile grid: one equal square per state (and DC), placed roughly where the state is.

A tile grid shows every state at the same size, so small states with clusters (RI, DE, CT) are as
visible as large ones, and it needs no map shapes (nothing to download). The layout is the common
NPR-style grid; ``TILE_GRID[postal] = (column, row)`` with row 0 at the top.
"""

from __future__ import annotations

TILE_GRID: dict[str, tuple[int, int]] = {
    # row 0
    "AK": (0, 0), "ME": (11, 0),
    # row 1
    "WI": (6, 1), "VT": (10, 1), "NH": (11, 1),
    # row 2
    "WA": (1, 2), "ID": (2, 2), "MT": (3, 2), "ND": (4, 2), "MN": (5, 2), "IL": (6, 2),
    "MI": (7, 2), "NY": (9, 2), "MA": (10, 2),
    # row 3
    "OR": (1, 3), "NV": (2, 3), "WY": (3, 3), "SD": (4, 3), "IA": (5, 3), "IN": (6, 3),
    "OH": (7, 3), "PA": (8, 3), "NJ": (9, 3), "CT": (10, 3), "RI": (11, 3),
    # row 4
    "CA": (1, 4), "UT": (2, 4), "CO": (3, 4), "NE": (4, 4), "MO": (5, 4), "KY": (6, 4),
    "WV": (7, 4), "VA": (8, 4), "MD": (9, 4), "DE": (10, 4),
    # row 5
    "AZ": (2, 5), "NM": (3, 5), "KS": (4, 5), "AR": (5, 5), "TN": (6, 5), "NC": (7, 5),
    "SC": (8, 5), "DC": (9, 5),
    # row 6
    "OK": (4, 6), "LA": (5, 6), "MS": (6, 6), "AL": (7, 6), "GA": (8, 6),
    # row 7
    "HI": (0, 7), "TX": (4, 7), "FL": (9, 7),
}  # fmt: skip

N_COLUMNS = 1 + max(column for column, _ in TILE_GRID.values())
N_ROWS = 1 + max(row for _, row in TILE_GRID.values())
