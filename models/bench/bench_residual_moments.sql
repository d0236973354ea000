-- The residual pass of the benchmark DID given the coefficients the benchmark's solve step wrote
-- (source bench_solver.bench_params), by the warehouse's own macro (as
-- int_regression_residual_moments).
{{ regression_residual_moments(
    ref('bench_cells'), ref('bench_design'), source('bench_solver', 'bench_params')) }}
