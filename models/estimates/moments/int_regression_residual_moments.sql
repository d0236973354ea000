-- Per fit: the second pass over the cells given the coefficients of int_est_params (residual sum
-- of squares and the HC1 meat; macros/regression_moments.sql).
{{ regression_residual_moments(
    ref('int_regression_cells'), ref('int_regression_design'),
    '(select fit_id, term, estimate from ' ~ ref('int_est_params') ~ ' where status = \'ok\')') }}
