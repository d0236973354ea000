-- Per fit and cluster (state): the sufficient statistics of the fit, X_g'X_g, X_g'y_g, y_g'y_g and
-- n_g, long (macros/regression_moments.sql). This is all the Python estimators read: rows per
-- cluster and term pair, never per observation.
{{ regression_moments(ref('int_regression_cells'), ref('int_regression_design')) }}
