-- Paper Table 5 ("DID Model and Result Summary", Model 2: recovery, growth 2020 vs 2022) beside
-- the paper's printed numbers; BLS employment ends 2020 and Census trade 2018, so those rows say
-- why they are empty (coverage_reason). Also est_paper_tables (paper_table = 'Table 5').
{{ paper_model_table('Table 5') }}
order by outcome_order, term_order
