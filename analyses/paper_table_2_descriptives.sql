-- Paper Table 2 ("Descriptive Statistics") rebuilt from the warehouse, beside the paper's
-- numbers: one row per variable x statistic. Layout and columns: macros/paper_descriptives.sql;
-- the same rows are in the contracted table mart_paper_descriptives.
{{ paper_descriptives_table() }}
order by variable_order, statistic_order
