-- The paper's Tables 3-6 beside ours, every table stacked (macros/paper_tables.sql lays each out;
-- the analyses paper_table_{3..6}_*.sql call the same macro for one table).
{% set tables %}
{%- for paper_table in paper_model_table_settings() %}
({{ paper_model_table(paper_table) }})
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endset %}
{{ select_contract_columns(tables) }}
