{#-
  The paper's Tables 3 to 6 laid out from the warehouse, beside the numbers the paper printed.
  One definition: paper_model_table_settings() says which model and window each table shows,
  paper_model_table(paper_table) lays one table out. Callers: the analyses
  paper_table_{3..6}_*.sql (one call each) and the contracted model est_paper_tables
  (paper_model_tables(): every table).
-#}

{#- Which estimates each of the paper's model tables shows, in the paper's order. -#}
{% macro paper_model_table_settings() %}
    {{ return({
        'Table 3': {'model': 'did', 'window_name': 'shock'},
        'Table 4': {'model': 'factor', 'window_name': 'shock'},
        'Table 5': {'model': 'did', 'window_name': 'recovery'},
        'Table 6': {'model': 'factor', 'window_name': 'recovery'},
    }) }}
{% endmacro %}

{#- The paper's outcomes (registry rows with a paper_name) in display order, and the model
    summary rows after the terms. -#}
{% macro paper_outcomes() %}{{ return(registry_names('outcomes', "coalesce(paper_name, '') <> ''")) }}{% endmacro %}
{% macro paper_fit_terms() %}{{ return(['r2', 'adj_r2', 'f_stat']) }}{% endmacro %}

{#- The terms of a model in the paper's order: DID coefficients, or the intercept and the factors
    of seeds/factors.csv. -#}
{% macro paper_model_terms(model) %}
    {%- if model == 'did' -%}
        {{ return(['intercept', 'period', 'treatment', 'interaction'] + paper_fit_terms()) }}
    {%- else -%}
        {{ return(['intercept'] + registry_names('factors') + paper_fit_terms()) }}
    {%- endif -%}
{% endmacro %}

{#- A list as a relation (one row per item with its 1-based position): portable SQL, no arrays. -#}
{% macro values_with_position(items, name, position) %}
    {%- for item in items %}
    select '{{ item }}' as {{ name }}, {{ loop.index }} as {{ position }}
    {%- if not loop.last %} union all{% endif %}
    {%- else %}
    select cast(null as {{ dbt.type_string() }}) as {{ name }}, 0 as {{ position }} where 1 = 0
    {%- endfor %}
{% endmacro %}

{#- Every table of paper_model_table_settings(), stacked (the body of est_paper_tables). -#}
{% macro paper_model_tables() %}
    {%- for paper_table in paper_model_table_settings() %}
    ({{ paper_model_table(paper_table) }})
    {%- if not loop.last %} union all {% endif -%}
    {% endfor %}
{% endmacro %}

{#-
  The paper's printed numbers, one row per table, model, window, outcome and term, statistics as
  columns (seed paper_published_estimates is one row per printed number).
-#}
{% macro paper_published_wide() %}
    select
        paper_table,
        model,
        window_name,
        outcome,
        term,
        max(value) filter (where statistic in ('estimate', 'value')) as paper_estimate,
        max(value) filter (where statistic = 'std_error') as paper_std_error,
        max(value) filter (where statistic = 't_value') as paper_t_value,
        max(value) filter (where statistic = 'p_value') as paper_p_value,
        max(printed_text) filter (where statistic in ('estimate', 'value')) as paper_printed,
        {{ distinct_values_text('note', "' | '") }} as paper_note
    from {{ ref('paper_published_estimates') }}
    where model <> 'descriptive'
    group by paper_table, model, window_name, outcome, term
{% endmacro %}

{#-
  One of the paper's Tables 3-6: one row per outcome x term (the table's skeleton, in the paper's
  order: outcome_order, term_order), the paper's numbers (paper_*), ours under spec `paper`
  (ours_*: OLS with iid errors, the paper's own specification), ours under `comparison_spec`
  (clustered_*: CRV1 by state), ours minus paper (diff_*), the sample, and why an outcome has no
  estimate (coverage_reason, mart_data_coverage). The DID rows are those of the rule
  seeds/treatment_rules.csv marks compared_with_paper at the layout's level (row-level rules for
  the paper's state x cluster layout, state-level ones for the state layout).
-#}
{% macro paper_model_table(paper_table, layout='paper', comparison_spec='state_clustered') %}
{%- set settings = paper_model_table_settings()[paper_table] -%}
{%- set model = settings['model'] -%}
{%- set window_name = settings['window_name'] -%}
{%- set outcomes = paper_outcomes() -%}
{%- set terms = paper_model_terms(model) -%}
{%- set compared = registry_names('treatment_rules',
    "compared_with_paper and rule_level = (select native_rule_level from " ~ ref('layouts') ~ " where layout = '" ~ layout ~ "')") -%}
{%- set treatment_rule = compared[0] if compared else '' -%}
with

published as (

    select * from ({{ paper_published_wide() }}) as published_wide
    where paper_table = '{{ paper_table }}'

),

coefficients as (

    select * from {{ ref('est_' ~ model ~ '_coefficients') }}
    where window_name = '{{ window_name }}'
        and layout = '{{ layout }}'
        {%- if model == 'did' %}
        and treatment_rule = '{{ treatment_rule }}'
        {%- endif %}

),

fit as (

    select * from {{ ref('est_' ~ model ~ '_fit') }}
    where window_name = '{{ window_name }}'
        and layout = '{{ layout }}'
        {%- if model == 'did' %}
        and treatment_rule = '{{ treatment_rule }}'
        {%- endif %}

),

coverage as (

    select outcome, reason
    from {{ ref('mart_data_coverage') }}
    where coverage_level = 'window'
        and window_name = '{{ window_name }}'

),

-- The table's skeleton: every outcome x term the paper prints, in the paper's order.
skeleton as (

    select
        outcome,
        term,
        outcome_order,
        term_order
    from ({{ values_with_position(outcomes, 'outcome', 'outcome_order') }}) as outcome_list
    cross join ({{ values_with_position(terms, 'term', 'term_order') }}) as term_list

),

-- Ours, one row per spec x outcome x term: coefficients, then the fit statistics as terms.
ours_long as (

    select
        spec,
        outcome,
        term,
        estimate,
        std_error,
        statistic as t_value,
        p_value,
        n_obs,
        n_clusters
    from coefficients

    union all

    select
        fit.spec,
        fit.outcome,
        fit_terms.term,
        case fit_terms.term
            when 'r2' then fit.r2
            when 'adj_r2' then fit.adj_r2
            when 'f_stat' then fit.f_stat
        end as estimate,
        null as std_error,
        null as t_value,
        case when fit_terms.term = 'f_stat' then fit.f_p_value end as p_value,
        fit.n_obs,
        null as n_clusters
    from fit
    cross join ({{ values_with_position(paper_fit_terms(), 'term', 'term_order') }}) as fit_terms

),

ours_wide as (

    select
        outcome,
        term,
        max(estimate) filter (where spec = 'paper') as ours_estimate,
        max(std_error) filter (where spec = 'paper') as ours_std_error,
        max(t_value) filter (where spec = 'paper') as ours_t_value,
        max(p_value) filter (where spec = 'paper') as ours_p_value,
        max(estimate) filter (where spec = '{{ comparison_spec }}') as clustered_estimate,
        max(std_error) filter (where spec = '{{ comparison_spec }}') as clustered_std_error,
        max(t_value) filter (where spec = '{{ comparison_spec }}') as clustered_t_value,
        max(p_value) filter (where spec = '{{ comparison_spec }}') as clustered_p_value,
        max(n_obs) filter (where spec = 'paper') as n_obs,
        max(n_clusters) filter (where spec = '{{ comparison_spec }}') as n_clusters
    from ours_long
    group by outcome, term

)

select
    '{{ paper_table }}' as paper_table,
    '{{ model }}' as model,
    '{{ window_name }}' as window_name,
    '{{ layout }}' as layout,
    {{ "'" ~ treatment_rule ~ "'" if model == 'did' else 'null' }} as treatment_rule,
    '{{ comparison_spec }}' as comparison_spec,
    skeleton.outcome,
    skeleton.term,
    skeleton.outcome_order,
    skeleton.term_order,

    ---------- the paper
    published.paper_estimate,
    published.paper_std_error,
    published.paper_t_value,
    published.paper_p_value,
    published.paper_printed,

    ---------- ours, spec paper (OLS, iid)
    ours_wide.ours_estimate,
    ours_wide.ours_std_error,
    ours_wide.ours_t_value,
    ours_wide.ours_p_value,

    ---------- ours, the comparison spec (CRV1 by state)
    ours_wide.clustered_estimate,
    ours_wide.clustered_std_error,
    ours_wide.clustered_t_value,
    ours_wide.clustered_p_value,

    ---------- ours minus paper
    ours_wide.ours_estimate - published.paper_estimate as diff_estimate,
    ours_wide.ours_std_error - published.paper_std_error as diff_std_error,

    ---------- sample and caveats
    ours_wide.n_obs,
    ours_wide.n_clusters,
    case when ours_wide.ours_estimate is null then coverage.reason end as coverage_reason,
    published.paper_note

from skeleton
left join published
    on skeleton.outcome = published.outcome
        and skeleton.term = published.term
left join ours_wide
    on skeleton.outcome = ours_wide.outcome
        and skeleton.term = ours_wide.term
left join coverage
    on skeleton.outcome = coverage.outcome
{% endmacro %}
