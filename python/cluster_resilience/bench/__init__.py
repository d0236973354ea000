"""County-scale benchmark of in-engine estimation, on a SYNTHETIC panel (``make bench``).

Nothing here reads or writes the warehouse, and the panel is not data: dbt generates it inside
the engine (``models/bench/bench_panel.sql``) in a scratch database. For each size the benchmark

1. generates the synthetic county x sub-cluster x year panel in DuckDB (SQL);
2. compresses it to county x year cells and computes per-state moments with the project's macros
   (``macros/regression_moments.sql``, rendered by dbt from ``models/bench/``);
3. solves the two-way fixed-effects DID from the moments in Python, with CRV1 by state and a
   999-draw Rademacher wild cluster bootstrap of the DID coefficient (the estimators of
   :mod:`cluster_resilience.estimators`);
4. fits the same regression with pyfixest on the same rows pulled into pandas, and compares;
5. optionally runs steps 1-2 on Spark local[2] (the ``spark`` extra).

Every measured step runs in its own child process: its wall time and its peak resident set size
(``os.wait4``) are its own. See docs/benchmarks.md.
"""

SYNTHETIC_NOTE = (
    "SYNTHETIC panel (models/bench/bench_panel.sql, generated in the engine): not data; "
    "the figures measure speed and agreement, not any finding."
)
