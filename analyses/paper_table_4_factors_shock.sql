-- Paper Table 4 ("RDD Model and Result Summary", Model 1: COVID shock): what the paper calls RDD
-- is an OLS of outcome levels on the cluster factors QP, EST, AP, WAGE and LQ, pooled over 2018
-- and 2020. Layout: macros/paper_tables.sql; also est_paper_tables (paper_table = 'Table 4').
{{ paper_model_table('Table 4') }}
order by outcome_order, term_order
