-- Paper Table 3 ("DID Model and Result Summary", Model 1: COVID shock, growth 2018 vs 2020)
-- beside the paper's printed numbers. Layout and columns: macros/paper_tables.sql; the same rows
-- are in the contracted table est_paper_tables (paper_table = 'Table 3').
{{ paper_model_table('Table 3') }}
order by outcome_order, term_order
