-- One row per state and USCM traded cluster (50 x 51 = 2,550): the panel of the regression
-- discontinuity at the USCM strong-cluster cutoff (est_rdd, est_rdd_checks).
--
-- Cutoff: a cluster's effective LQ cutoff is max(p75, uscm_min_lq), because strong_b needs both
-- LQ >= p75 and LQ >= 1; running_variable = ln(lq) - ln(lq_cutoff) puts all 51 clusters on one
-- scale (and, being a log ratio of LQs of the same cluster, does not depend on the cluster's
-- national denominator). Treatment: USCM's published strong_b. The design is fuzzy: below the
-- cutoff no row is strong; above it a row is strong only if it also passes the two size tests.
-- Percentiles (p75 and the placebo ones) are continuous percentiles of LQ among the cluster's
-- states with employment > 0, as in int_uscm__strong_cluster_rule.
--
-- Outcome: log change of the cluster's apportioned CBP employment (int_cbp__state_cluster_employment)
-- from 2019 to 2021 (CBP counts mid-March, so 2021 is the first post-shock year). Log change,
-- not growth: symmetric, additive over years and close to growth for small changes (x100 ~ %).
-- It is NULL (outcome_missing_reason says why) when either year's employment is missing or 0,
-- when the state published a different set of the cluster's NAICS-3 cells in the two years
-- (the change would mix in a suppression artefact), or when the published cells hold less than
-- var rdd_min_naics3_coverage of the cluster's US employment. The placebo outcomes follow the same
-- rules: 2014 to 2016 (the two years before the treatment year, as planned), but the extract's
-- state x NAICS-3 series breaks between 2014 and 2015 (int_cbp__state_cluster_employment), so
-- also 2015 to 2016 (same coverage regime and NAICS edition, before the treatment year) and
-- 2018 to 2019 (same regime and NAICS edition as the outcome, the year before COVID).
{#- The three rdd_* vars are checked with the others in macros/validate_vars.sql. -#}
{%- set placebo_low = var('rdd_placebo_low_lq_percentile') %}
{%- set placebo_high = var('rdd_placebo_high_lq_percentile') %}
{%- set min_coverage = var('rdd_min_naics3_coverage') %}
with

rule as (

    select * from {{ ref('int_uscm__strong_cluster_rule') }}
    where cluster_type = 'traded'

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

-- the employment changes the panel carries: the outcome, then the placebo outcomes
change_windows as (

    select
        windows.change_name,
        windows.pre_year,
        windows.post_year
    from (
        values
        ('outcome_2019_2021', 2019, 2021),
        ('placebo_2014_2016', 2014, 2016),
        ('placebo_2015_2016', 2015, 2016),
        ('placebo_2018_2019', 2018, 2019)
    ) as windows (change_name, pre_year, post_year)

),

change_checks as (

    select
        change_windows.change_name,
        pre.state_fips,
        pre.cluster_code,
        pre.employment_apportioned as emp_pre,
        post.employment_apportioned as emp_post,
        case
            when pre.employment_apportioned is null or post.employment_apportioned is null
                then 'no published NAICS-3 cell of the cluster in '
                    || change_windows.pre_year || ' or ' || change_windows.post_year
            when pre.employment_apportioned <= 0 or post.employment_apportioned <= 0
                then 'zero apportioned employment in '
                    || change_windows.pre_year || ' or ' || change_windows.post_year
            when coalesce(pre.naics3_published, '') != coalesce(post.naics3_published, '')
                then 'published NAICS-3 cells differ: ' || change_windows.pre_year
                    || ' [' || coalesce(pre.naics3_published, '') || '] vs ' || change_windows.post_year
                    || ' [' || coalesce(post.naics3_published, '') || ']'
            when least(pre.naics3_coverage_share, post.naics3_coverage_share) < {{ min_coverage }}
                then '{{ dbt.escape_single_quotes("published NAICS-3 cells hold under " ~ min_coverage ~ " of the cluster's US employment") }}'
        end as missing_reason
    from change_windows
    inner join cluster_employment as pre on change_windows.pre_year = pre.year
    inner join cluster_employment as post
        on change_windows.post_year = post.year
            and pre.state_fips = post.state_fips
            and pre.cluster_code = post.cluster_code

),

changes as (

    select
        change_name,
        state_fips,
        cluster_code,
        missing_reason,
        case when missing_reason is null then ln(emp_post) - ln(emp_pre) end as log_change
    from change_checks

),

changes_wide as (

    select
        state_fips,
        cluster_code,
        any_value(log_change) filter (where change_name = 'outcome_2019_2021') as outcome_emp_change_2019_2021,
        any_value(missing_reason) filter (where change_name = 'outcome_2019_2021') as outcome_missing_reason,
        any_value(log_change) filter (where change_name = 'placebo_2014_2016') as placebo_emp_change_2014_2016,
        any_value(missing_reason) filter (where change_name = 'placebo_2014_2016') as placebo_missing_reason_2014_2016,
        any_value(log_change) filter (where change_name = 'placebo_2015_2016') as placebo_emp_change_2015_2016,
        any_value(missing_reason) filter (where change_name = 'placebo_2015_2016') as placebo_missing_reason_2015_2016,
        any_value(log_change) filter (where change_name = 'placebo_2018_2019') as placebo_emp_change_2018_2019,
        any_value(missing_reason) filter (where change_name = 'placebo_2018_2019') as placebo_missing_reason_2018_2019
    from changes
    group by state_fips, cluster_code

),

employment_wide as (

    select
        state_fips,
        cluster_code,
        any_value(employment_apportioned) filter (where year = 2014) as emp_2014,
        any_value(employment_apportioned) filter (where year = 2015) as emp_2015,
        any_value(employment_apportioned) filter (where year = 2016) as emp_2016,
        any_value(employment_apportioned) filter (where year = 2018) as emp_2018,
        any_value(employment_apportioned) filter (where year = 2019) as emp_2019,
        any_value(employment_apportioned) filter (where year = 2021) as emp_2021,
        any_value(naics3_coverage_share) filter (where year = 2019) as naics3_coverage_2019,
        any_value(naics3_coverage_share) filter (where year = 2021) as naics3_coverage_2021,
        any_value(naics3_published) filter (where year = 2019) as naics3_published_2019,
        any_value(naics3_published) filter (where year = 2021) as naics3_published_2021
    from cluster_employment
    group by state_fips, cluster_code

),

state_change as (

    select
        state_fips,
        ln(any_value(employment_march) filter (where year = 2021))
        - ln(any_value(employment_march) filter (where year = 2019)) as state_emp_change_2019_2021
    from state_total
    group by state_fips

),

joined as (

    select
        rule.state_fips,
        rule.cluster_code,
        clusters.cluster_name,
        rule.year as rule_year,
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
        employment_wide.emp_2014,
        employment_wide.emp_2015,
        employment_wide.emp_2016,
        employment_wide.emp_2018,
        employment_wide.emp_2019,
        employment_wide.emp_2021,
        employment_wide.naics3_coverage_2019,
        employment_wide.naics3_coverage_2021,
        employment_wide.naics3_published_2019,
        employment_wide.naics3_published_2021,
        state_change.state_emp_change_2019_2021,
        changes_wide.outcome_emp_change_2019_2021,
        changes_wide.outcome_missing_reason,
        changes_wide.placebo_emp_change_2014_2016,
        changes_wide.placebo_missing_reason_2014_2016,
        changes_wide.placebo_emp_change_2015_2016,
        changes_wide.placebo_missing_reason_2015_2016,
        changes_wide.placebo_emp_change_2018_2019,
        changes_wide.placebo_missing_reason_2018_2019
    from rule
    inner join clusters on rule.cluster_code = clusters.cluster_code
    inner join published
        on rule.state_fips = published.state_fips
            and rule.cluster_code = published.cluster_code
    left join placebo_cutoffs on rule.cluster_code = placebo_cutoffs.cluster_code
    left join employment_wide
        on rule.state_fips = employment_wide.state_fips
            and rule.cluster_code = employment_wide.cluster_code
    left join changes_wide
        on rule.state_fips = changes_wide.state_fips
            and rule.cluster_code = changes_wide.cluster_code
    left join state_change on rule.state_fips = state_change.state_fips

),

final as (

    select
        ---------- ids
        state_fips,
        cluster_code,
        cluster_name,
        rule_year,

        ---------- the cluster in the rule year (USCM 2016)
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
        emp_2014,
        emp_2015,
        emp_2016,
        emp_2018,
        emp_2019,
        emp_2021,
        naics3_coverage_2019,
        naics3_coverage_2021,
        naics3_published_2019,
        naics3_published_2021,
        state_emp_change_2019_2021,

        ---------- outcome and placebo outcomes (log changes; NULL with a reason when not comparable)
        outcome_emp_change_2019_2021,
        outcome_emp_change_2019_2021 - state_emp_change_2019_2021
            as outcome_emp_change_2019_2021_vs_state,
        outcome_missing_reason,
        placebo_emp_change_2014_2016,
        placebo_missing_reason_2014_2016,
        placebo_emp_change_2015_2016,
        placebo_missing_reason_2015_2016,
        placebo_emp_change_2018_2019,
        placebo_missing_reason_2018_2019,

        ---------- lineage
        'USCM 2016 state x cluster (LQ, strong_b); CBP 2014-2021 apportioned to clusters' as source_table

    from joined

)

select * from final
