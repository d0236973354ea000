-- The paper's Tables 3-6 beside ours, every table stacked (macros/paper_tables.sql lays each out;
-- the analyses paper_table_{3..6}_*.sql call the same macro for one table).
{{ select_contract_columns(paper_model_tables()) }}
