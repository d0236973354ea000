{#-
  Paper Table 2 ("Descriptive Statistics") rebuilt from the warehouse, next to the paper's numbers.
  Callers: analyses/paper_table_2_descriptives.sql and the contracted model mart_paper_descriptives.

  Layout: one row per variable x statistic (variable_order, statistic_order: the paper's order).
  Variables: 'cluster' (the panel's counts: rows, clusters ("industry"), sub-clusters, states,
  traded rows, local rows), then the factors qp, lq, ap, est, the outcome employment, the factor
  wage, and the outcomes gdp, gdp_manu, exports, imports. Statistics: count, mean, median, sd
  (paper: STDEV; sample standard deviation), range, min, max.
  Columns: paper_value / paper_printed (seed paper_published_estimates, Table 2), ours (the
  warehouse), difference = ours - paper, ratio = ours / paper, n_rows_ours, paper_note.

  Our panel is the paper's repeated-row layout: mart_factor_panel, layout 'paper', one row per
  USCM state x cluster (50 states x 67 clusters, USCM 2016 factors) x window year (2018, 2020,
  2022: every year of var `windows`), each row carrying its state's outcome levels in that year.
  Units as in fct_state_outcome_year: GDP and trade in $M, employment in thousands; qp and ap in $1,000,
  wage in $. An outcome's count is the rows where the level is published (trade ends 2018, BLS
  2020), so count differs from the paper's uniform 60,000. The paper's panel (32 states, 60,000
  rows; traded:local = 68:32, the sub-cluster split 216:100, not the cluster split 51:16) is
  state x sub-cluster based; USCM publishes state x cluster only, so our counts differ by design.
-#}
{% macro paper_descriptives_table() %}
with

published as (

    select
        outcome as variable,
        term as statistic,
        value as paper_value,
        printed_text as paper_printed,
        note as paper_note
    from {{ ref('paper_published_estimates') }}
    where paper_table = 'Table 2'

),

panel as (

    select * from {{ ref('mart_factor_panel') }}
    where layout = 'paper'

),

clusters as (

    select * from {{ ref('dim_cluster') }}

),

-- One row per state x cluster x year: factors (constant over years) and the state's outcome
-- levels in that year, pivoted out of the long panel.
panel_rows as (

    select
        state_fips,
        cluster_code,
        cluster_type,
        year,
        any_value(qp) as qp,
        any_value(lq) as lq,
        any_value(ap) as ap,
        any_value(est) as est,
        any_value(wage) as wage,
        max(outcome_value) filter (where outcome = 'employment') as employment,
        max(outcome_value) filter (where outcome = 'gdp') as gdp,
        max(outcome_value) filter (where outcome = 'gdp_manu') as gdp_manu,
        max(outcome_value) filter (where outcome = 'exports') as exports,
        max(outcome_value) filter (where outcome = 'imports') as imports
    from panel
    group by state_fips, cluster_code, cluster_type, year

),

long_values as (

    {{ unpivot_columns('panel_rows', 'qp, lq, ap, est, employment, wage, gdp, gdp_manu, exports, imports',
                       'variable', 'variable_value') }}

),

variable_stats as (

    select
        variable,
        count(variable_value) as n_rows,
        cast(count(variable_value) as double) as stat_count,
        avg(variable_value) as stat_mean,
        median(variable_value) as stat_median,
        stddev_samp(variable_value) as stat_sd,
        max(variable_value) - min(variable_value) as stat_range,
        min(variable_value) as stat_min,
        max(variable_value) as stat_max
    from long_values
    group by variable

),

variable_stats_long as (
    {%- for statistic in ['count', 'mean', 'median', 'sd', 'range', 'min', 'max'] %}

    select variable, n_rows, '{{ statistic }}' as statistic, stat_{{ statistic }} as ours
    from variable_stats
    where stat_{{ statistic }} is not null
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

cluster_counts as (

    select
        count(*) as n_rows,
        count(*)::double as count,
        count(distinct panel_rows.cluster_code)::double as count_industry,
        (
            select sum(clusters.n_subclusters)
            from clusters
            where clusters.cluster_code in (select distinct cluster_code from panel_rows)
        )::double as count_sub_cluster,
        count(distinct panel_rows.state_fips)::double as count_state,
        (count(*) filter (where panel_rows.cluster_type = 'traded'))::double as count_traded,
        (count(*) filter (where panel_rows.cluster_type = 'local'))::double as count_local
    from panel_rows

),

cluster_counts_long as (

    {%- for statistic in ['count', 'count_industry', 'count_sub_cluster', 'count_state', 'count_traded', 'count_local'] %}
    select 'cluster' as variable, n_rows, '{{ statistic }}' as statistic, {{ statistic }} as ours
    from cluster_counts
    where {{ statistic }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

ours as (

    select variable, n_rows, statistic, ours from variable_stats_long
    union all
    select variable, n_rows, statistic, ours from cluster_counts_long

),

compared as (

    select
        coalesce(ours.variable, published.variable) as variable,
        coalesce(ours.statistic, published.statistic) as statistic,
        published.paper_value,
        published.paper_printed,
        ours.ours,
        ours.ours - published.paper_value as difference,
        ours.ours / nullif(published.paper_value, 0) as ratio,
        ours.n_rows as n_rows_ours,
        published.paper_note
    from ours
    full outer join published
        on ours.variable = published.variable
            and ours.statistic = published.statistic

)

select
    compared.*,
    variable_layout.position as variable_order,
    statistic_layout.position as statistic_order
from compared
left join {{ ref('paper_table_2_layout') }} as variable_layout
    on variable_layout.kind = 'variable' and compared.variable = variable_layout.name
left join {{ ref('paper_table_2_layout') }} as statistic_layout
    on statistic_layout.kind = 'statistic' and compared.statistic = statistic_layout.name
{% endmacro %}
