-- One row per state, USCM traded cluster and outcome (50 x 51 x outcomes): the panel of the
-- regression discontinuity at the USCM strong-cluster cutoff (est_rdd, est_rdd_checks).
--
-- Cutoff: a cluster's effective LQ cutoff is max(p75, uscm_min_lq), because strong_b needs both
-- LQ >= p75 and LQ >= 1; running_variable = ln(lq) - ln(lq_cutoff) puts all 51 clusters on one
-- scale (and, being a log ratio of LQs of the same cluster, does not depend on the cluster's
-- national denominator). Treatment: USCM's published strong_b in the rule year (var
-- rdd_rule_year). The design is fuzzy: below the cutoff no row is strong; above it a row is
-- strong only if it also passes the two size tests. Percentiles (p75 and the placebo ones) are
-- continuous percentiles of LQ among the cluster's states with employment > 0, as in
-- int_uscm__strong_cluster_rule.
--
-- Outcomes, one row each, named after their years (vars): the log change of the cluster's
-- apportioned CBP employment (int_cbp__state_cluster_employment) across the COVID shock
-- (rdd_outcome_window; CBP counts mid-March, so the first count after the shock is the next
-- year's), the same net of the state's total CBP change, and placebo changes before COVID
-- (rdd_placebo_windows). Log change, not growth: symmetric, additive over years and close to
-- growth for small changes (x100 ~ %). It is NULL (missing_reason says why) when either year's
-- employment is missing or 0, when the state published a different set of the cluster's NAICS-3
-- cells in the two years (the change would mix in a suppression artefact), or when the published
-- cells hold less than var rdd_min_naics3_coverage of the cluster's US employment. A change across
-- a coverage break of the CBP extract (var rdd_cbp_coverage_break_years) is partly an artefact:
-- coverage_break_year names the first break it crosses.
{#- The rdd_* vars are checked with the others in macros/validate_vars.sql. -#}
{%- set placebo_low = var('rdd_placebo_low_lq_percentile') %}
{%- set placebo_high = var('rdd_placebo_high_lq_percentile') %}
{%- set min_coverage = var('rdd_min_naics3_coverage') %}
{#- The outcomes (name, role, pre_year, post_year, first coverage break crossed or 'null'), built
    only when executing: by then on-run-start has checked the vars, so a malformed one fails
    there with a message that names it. -#}
{%- set windows = [] %}
{%- if execute %}
    {%- set outcome = var('rdd_outcome_window') %}
    {%- set span = outcome['pre_year'] ~ '_' ~ outcome['post_year'] %}
    {%- set named = [
        ('outcome_emp_change_' ~ span, 'outcome', outcome),
        ('outcome_emp_change_' ~ span ~ '_vs_state', 'outcome_net_of_state', outcome),
    ] %}
    {%- for window in var('rdd_placebo_windows') %}
        {%- do named.append(
            ('placebo_emp_change_' ~ window['pre_year'] ~ '_' ~ window['post_year'], 'placebo_outcome', window)
        ) %}
    {%- endfor %}
    {%- for name, role, window in named %}
        {%- set crossed = var('rdd_cbp_coverage_break_years')
            | select('gt', window['pre_year']) | select('le', window['post_year']) | list %}
        {%- do windows.append(
            (name, role, window['pre_year'], window['post_year'], crossed | min if crossed else 'null')
        ) %}
    {%- endfor %}
{%- endif %}
with

rule as (

    select * from {{ ref('int_uscm__strong_cluster_rule') }}
    where cluster_type = 'traded' and year = {{ var('rdd_rule_year') }}

),

published as (

    select * from {{ ref('int_uscm__state_cluster_lq') }}

),

clusters as (

    select * from {{ ref('stg_uscm__clusters') }}

),

cluster_employment as (

    select * from {{ ref('int_cbp__state_cluster_employment') }}
    where cluster_type = 'traded'

),

state_total as (

    select * from {{ ref('stg_cbp__state_total') }}

),

-- placebo cutoffs: the same percentiles as the rule's, at other levels
placebo_cutoffs as (

    select
        cluster_code,
        percentile_cont({{ placebo_low }}) within group (
            order by lq
        ) as lq_placebo_low,
        percentile_cont({{ placebo_high }}) within group (
            order by lq
        ) as lq_placebo_high
    from rule
    where has_employment
    group by cluster_code

),

-- the outcomes: name, role and the years of the employment change
change_windows as (

    select
        windows.outcome,
        windows.outcome_role,
        windows.pre_year,
        windows.post_year,
        windows.coverage_break_year
    from (
        values
        {%- for name, role, pre_year, post_year, break_year in windows %}
            ('{{ name }}', '{{ role }}', {{ pre_year }}, {{ post_year }}, cast({{ break_year }} as integer)){{ ',' if not loop.last }}
        {%- endfor %}
    ) as windows (outcome, outcome_role, pre_year, post_year, coverage_break_year)

),

unit_windows as (

    select
        rule.state_fips,
        rule.cluster_code,
        change_windows.outcome,
        change_windows.outcome_role,
        change_windows.pre_year,
        change_windows.post_year,
        change_windows.coverage_break_year
    from rule
    cross join change_windows

),

change_checks as (

    select
        unit_windows.*,
        pre.employment_apportioned as emp_pre,
        post.employment_apportioned as emp_post,
        pre.naics3_coverage_share as naics3_coverage_pre,
        post.naics3_coverage_share as naics3_coverage_post,
        pre.naics3_published as naics3_published_pre,
        post.naics3_published as naics3_published_post,
        ln(state_post.employment_march) - ln(state_pre.employment_march) as state_emp_change,
        case
            when pre.employment_apportioned is null or post.employment_apportioned is null
                then 'no published NAICS-3 cell of the cluster in '
                    || unit_windows.pre_year || ' or ' || unit_windows.post_year
            when pre.employment_apportioned <= 0 or post.employment_apportioned <= 0
                then 'zero apportioned employment in '
                    || unit_windows.pre_year || ' or ' || unit_windows.post_year
            when coalesce(pre.naics3_published, '') != coalesce(post.naics3_published, '')
                then 'published NAICS-3 cells differ: ' || unit_windows.pre_year
                    || ' [' || coalesce(pre.naics3_published, '') || '] vs ' || unit_windows.post_year
                    || ' [' || coalesce(post.naics3_published, '') || ']'
            when least(pre.naics3_coverage_share, post.naics3_coverage_share) < {{ min_coverage }}
                then '{{ dbt.escape_single_quotes("published NAICS-3 cells hold under " ~ min_coverage ~ " of the cluster's US employment") }}'
            when unit_windows.outcome_role = 'outcome_net_of_state'
                and (state_pre.employment_march is null or state_post.employment_march is null)
                then 'no CBP state total in ' || unit_windows.pre_year || ' or ' || unit_windows.post_year
        end as missing_reason
    from unit_windows
    left join cluster_employment as pre
        on unit_windows.state_fips = pre.state_fips
            and unit_windows.cluster_code = pre.cluster_code
            and unit_windows.pre_year = pre.year
    left join cluster_employment as post
        on unit_windows.state_fips = post.state_fips
            and unit_windows.cluster_code = post.cluster_code
            and unit_windows.post_year = post.year
    left join state_total as state_pre
        on unit_windows.state_fips = state_pre.state_fips and unit_windows.pre_year = state_pre.year
    left join state_total as state_post
        on unit_windows.state_fips = state_post.state_fips and unit_windows.post_year = state_post.year

),

changes as (

    select
        *,
        case
            when missing_reason is not null then null
            when outcome_role = 'outcome_net_of_state'
                then (ln(emp_post) - ln(emp_pre)) - state_emp_change
            else ln(emp_post) - ln(emp_pre)
        end as emp_log_change
    from change_checks

),

joined as (

    select
        rule.state_fips,
        rule.cluster_code,
        clusters.cluster_name,
        rule.year as rule_year,
        changes.outcome,
        changes.outcome_role,
        changes.pre_year,
        changes.post_year,
        changes.coverage_break_year,
        rule.employment,
        rule.establishments,
        rule.lq,
        published.lq_published,
        rule.n_states_in_percentiles,
        rule.lq_p75,
        rule.min_lq,
        greatest(rule.lq_p75, rule.min_lq) as lq_cutoff,
        placebo_cutoffs.lq_placebo_low,
        placebo_cutoffs.lq_placebo_high,
        published.is_strong_published,
        rule.is_strong as is_strong_ours,
        rule.passes_employment and rule.passes_establishments as passes_size_tests,
        changes.emp_pre,
        changes.emp_post,
        changes.naics3_coverage_pre,
        changes.naics3_coverage_post,
        changes.naics3_published_pre,
        changes.naics3_published_post,
        changes.state_emp_change,
        changes.emp_log_change,
        changes.missing_reason
    from rule
    inner join clusters on rule.cluster_code = clusters.cluster_code
    inner join published
        on rule.state_fips = published.state_fips
            and rule.cluster_code = published.cluster_code
    left join placebo_cutoffs on rule.cluster_code = placebo_cutoffs.cluster_code
    inner join changes
        on rule.state_fips = changes.state_fips
            and rule.cluster_code = changes.cluster_code

),

final as (

    select
        ---------- ids
        state_fips,
        cluster_code,
        cluster_name,
        rule_year,
        outcome,

        ---------- the outcome: role and the years of its employment change
        outcome_role,
        pre_year,
        post_year,
        coverage_break_year,

        ---------- the cluster in the rule year (USCM)
        employment,
        establishments,
        lq,
        lq_published,
        n_states_in_percentiles,

        ---------- cutoff and running variable
        lq_p75,
        min_lq,
        lq_cutoff,
        case when lq_p75 >= min_lq then 'p75' else 'min_lq' end as cutoff_binding,
        case when lq > 0 then ln(lq) - ln(lq_cutoff) end as running_variable,
        lq - lq_cutoff as running_variable_linear,

        ---------- treatment (fuzzy: the size tests also bind above the cutoff)
        coalesce(lq >= lq_cutoff, false) as is_above_cutoff,
        is_strong_published as is_strong,
        is_strong_ours,
        passes_size_tests,

        ---------- placebo cutoffs (no treatment rule changes there)
        cast({{ placebo_low }} as double) as placebo_low_percentile,
        cast({{ placebo_high }} as double) as placebo_high_percentile,
        lq_placebo_low,
        lq_placebo_high,
        case when lq > 0 then ln(lq) - ln(lq_placebo_low) end as running_variable_placebo_low,
        case when lq > 0 then ln(lq) - ln(lq_placebo_high) end as running_variable_placebo_high,

        ---------- apportioned CBP employment of the cluster (int_cbp__state_cluster_employment)
        emp_pre,
        emp_post,
        naics3_coverage_pre,
        naics3_coverage_post,
        naics3_published_pre,
        naics3_published_post,
        state_emp_change,

        ---------- the outcome's value (log change; NULL with a reason when not comparable)
        emp_log_change,
        missing_reason,

        ---------- lineage
        'USCM ' || rule_year || ' state x cluster (LQ, strong_b); CBP ' || pre_year || ' and '
        || post_year || ' apportioned to clusters' as source_table

    from joined

)

select * from final
