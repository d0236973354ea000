-- One row per state and USCM cluster, 2016: the USCM strong-cluster rule applied to our LQ.
--
-- The rule (reproduces every published strong_b and strong10_b flag, 2,550 of 2,550 traded rows):
-- for each cluster, among the states with employment > 0 in that cluster,
--   lq_p75 = continuous (linearly interpolated) percentile of LQ at var uscm_strong_lq_percentile
--   lq_p90 = the same at var uscm_strong10_lq_percentile
--   emp_p25, est_p25 = continuous percentiles of employment and establishments at var
--            uscm_size_percentile
-- and a state x cluster is strong when
--   lq >= lq_p75           (at or above: a state exactly at the percentile is strong)
--   and lq >= uscm_min_lq  (1.0: more concentrated than the US)
--   and employment > emp_p25 and establishments > est_p25   (strictly above)
-- strong10 is the same with lq_p90. A state with no employment in the cluster enters no percentile
-- and is never strong. The data pin each choice down (misses out of 2,550 traded rows, strong_b /
-- strong10_b): percentiles over all 50 states, zeros included: 9 / 2; lq > p75 instead of >=: 2 / 0
-- (4 states sit exactly at their cluster's p75); size >= p25 instead of >: 4 / 2; discrete
-- percentiles (quantile_disc): 2 / 29. (Numpy's 'midpoint' and 'averaged_inverted_cdf' would also
-- fit 2016; continuous is USCM's documented choice and the standard one.) USCM publishes the flags
-- for traded clusters only; the rule is applied to local clusters too so that a later treatment
-- rule can use them, but nothing checks those against USCM.
with

state_cluster_lq as (

    select * from {{ ref('int_uscm__state_cluster_lq') }}

),

-- the states that enter a cluster's percentiles: those with employment in the cluster
percentile_base as (

    select * from state_cluster_lq
    where employment > 0

),

cluster_cutoffs as (

    select
        cluster_code,
        count(*) as n_states_in_percentiles,
        percentile_cont({{ var('uscm_strong_lq_percentile') }}) within group (
            order by lq_ours
        ) as lq_p75,
        percentile_cont({{ var('uscm_strong10_lq_percentile') }}) within group (
            order by lq_ours
        ) as lq_p90,
        percentile_cont({{ var('uscm_size_percentile') }}) within group (
            order by employment
        ) as emp_p25,
        percentile_cont({{ var('uscm_size_percentile') }}) within group (
            order by establishments
        ) as est_p25
    from percentile_base
    group by cluster_code

),

tests_applied as (

    select
        state_cluster_lq.state_fips,
        state_cluster_lq.cluster_code,
        state_cluster_lq.cluster_type,
        state_cluster_lq.year,
        state_cluster_lq.employment,
        state_cluster_lq.establishments,
        state_cluster_lq.lq_ours as lq,
        cluster_cutoffs.n_states_in_percentiles,
        cluster_cutoffs.lq_p75,
        cluster_cutoffs.lq_p90,
        cluster_cutoffs.emp_p25,
        cluster_cutoffs.est_p25,
        cast({{ var('uscm_min_lq') }} as double) as min_lq,

        -- each condition on its own, so a reader (or a fuzzy RDD) can see which one failed
        state_cluster_lq.employment > 0 as has_employment,
        coalesce(state_cluster_lq.lq_ours >= cluster_cutoffs.lq_p75, false) as passes_lq_p75,
        coalesce(state_cluster_lq.lq_ours >= cluster_cutoffs.lq_p90, false) as passes_lq_p90,
        coalesce(state_cluster_lq.lq_ours >= {{ var('uscm_min_lq') }}, false) as passes_min_lq,
        coalesce(state_cluster_lq.employment > cluster_cutoffs.emp_p25, false) as passes_employment,
        coalesce(state_cluster_lq.establishments > cluster_cutoffs.est_p25, false) as passes_establishments

    from state_cluster_lq
    left join cluster_cutoffs on state_cluster_lq.cluster_code = cluster_cutoffs.cluster_code

),

final as (

    select
        ---------- ids
        state_fips,
        cluster_code,
        cluster_type,
        year,

        ---------- inputs
        employment,
        establishments,
        lq,

        ---------- cluster cutoffs (percentiles among the cluster's states with employment > 0)
        n_states_in_percentiles,
        lq_p75,
        lq_p90,
        emp_p25,
        est_p25,
        min_lq,

        ---------- running variable for an RDD at the strong_b cutoff
        lq - lq_p75 as lq_minus_p75,

        ---------- the rule, condition by condition
        has_employment,
        passes_lq_p75,
        passes_lq_p90,
        passes_min_lq,
        passes_employment,
        passes_establishments,

        ---------- flags (strong_b and strong10_b in USCM's names)
        has_employment and passes_lq_p75 and passes_min_lq
        and passes_employment and passes_establishments as is_strong,
        has_employment and passes_lq_p90 and passes_min_lq
        and passes_employment and passes_establishments as is_strong10

    from tests_applied

)

select * from final
