-- The paper's Table 2 (descriptive statistics of the panel) beside ours
-- (macros/paper_descriptives.sql; the analysis paper_table_2_descriptives.sql calls it too).
{{ select_contract_columns(paper_descriptives_table()) }}
