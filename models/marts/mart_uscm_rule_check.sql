-- One row per state and USCM cluster, 2016 (50 states x 67 clusters, traded and local): our
-- rebuild of USCM's LQ and strong-cluster flags next to the published ones.
-- lq_rel_diff = lq_ours / lq_published - 1 (0 where both are 0, i.e. no employment).
-- flags_agree compares strong_b and strong10_b; USCM publishes them for traded clusters only, so it
-- is NULL on local rows.
with

lq as (

    select * from {{ ref('int_uscm__state_cluster_lq') }}

),

rule as (

    select * from {{ ref('int_uscm__strong_cluster_rule') }}

),

national as (

    select * from {{ ref('int_uscm__cluster_national_employment') }}

),

joined as (

    select
        lq.state_fips,
        lq.cluster_code,
        lq.cluster_type,
        lq.employment,
        lq.establishments,
        lq.lq_ours,
        lq.lq_published,
        lq.lq_from_state_sums,
        rule.is_strong as strong_b_ours,
        lq.is_strong_published as strong_b_published,
        rule.is_strong10 as strong10_b_ours,
        lq.is_strong10_published as strong10_b_published,
        rule.n_states_in_percentiles,
        rule.lq_p75,
        rule.lq_p90,
        rule.emp_p25,
        rule.est_p25,
        rule.min_lq,
        national.n_naics_suppressed as n_national_naics_suppressed
    from lq
    inner join rule
        on lq.state_fips = rule.state_fips
            and lq.cluster_code = rule.cluster_code
    inner join national on lq.cluster_code = national.cluster_code

),

final as (

    select
        ---------- ids
        state_fips,
        cluster_code,
        cluster_type,

        ---------- size
        employment,
        establishments,

        ---------- location quotient
        lq_ours,
        lq_published,
        case
            when lq_published = 0 and lq_ours = 0 then 0.0
            else lq_ours / nullif(lq_published, 0) - 1
        end as lq_rel_diff,
        lq_from_state_sums / nullif(lq_published, 0) - 1 as lq_rel_diff_state_sums,

        ---------- strong-cluster flags
        strong_b_ours,
        strong_b_published,
        strong10_b_ours,
        strong10_b_published,
        case
            when cluster_type = 'traded'
                then strong_b_ours = strong_b_published and strong10_b_ours = strong10_b_published
        end as flags_agree,

        ---------- thresholds used (per cluster)
        n_states_in_percentiles,
        lq_p75,
        lq_p90,
        emp_p25,
        est_p25,
        min_lq,

        ---------- why an LQ can be off
        n_national_naics_suppressed > 0 as has_national_naics_suppressed

    from joined

)

select * from final
