-- The public, contracted est_rdd_plot_data table: the 'plot_data' rows of the dbt Python model
-- int_est_rdd (RD plots of the est_rdd rows: rdrobust's binned means and the fitted local
-- polynomials), with the columns and types of the enforced contract in the YAML, so the report
-- and BI tools draw RD plots with a plain select and no estimator.
{{ select_result_table(ref('int_est_rdd'), 'plot_data') }}
