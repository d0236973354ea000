-- Paper Table 6 ("RDD Model and Result Summary", Model 2: recovery): the factor regression on
-- outcome levels pooled over 2020 and 2022. Pass layout='state' to the macro for the state-level
-- version (factors summed over a state's strong clusters). Also est_paper_tables ('Table 6').
{{ paper_model_table('Table 6') }}
order by outcome_order, term_order
