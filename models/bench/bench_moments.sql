-- Per-state moments of the benchmark DID, by the warehouse's own macro (as int_regression_moments).
{{ regression_moments(ref('bench_cells'), ref('bench_design')) }}
