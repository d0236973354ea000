-- One row per state and USCM cluster, 2016 (50 states x 67 clusters): our employment location
-- quotient, next to USCM's published one.
--
--   lq = (emp_state,cluster / emp_state,type) / (emp_US,cluster / emp_US,type)
--
-- where "type" is the cluster's type: a traded cluster is measured against traded employment, a
-- local cluster against local employment (never total employment). The state terms come from the
-- USCM state rows (emp_tl, which includes USCM's estimates for suppressed state cells); the US terms
-- from CBP NAICS-6 through the crosswalk (int_uscm__cluster_national_employment).
-- lq_from_state_sums uses the 50-state sums as US terms instead; it is kept only to show why the
-- CBP route is the one that reproduces USCM.
with

state_cluster as (

    select * from {{ ref('stg_uscm__state_cluster_2016') }}

),

national as (

    select * from {{ ref('int_uscm__cluster_national_employment') }}

),

-- the state's traded (or local) employment: the LQ's regional denominator
state_type_totals as (

    select
        state_fips,
        cluster_type,
        sum(employment) as state_type_employment
    from state_cluster
    group by state_fips, cluster_type

),

joined as (

    select
        state_cluster.state_fips,
        state_cluster.cluster_code,
        state_cluster.cluster_type,
        state_cluster.year,
        state_cluster.is_traded,
        state_cluster.employment,
        state_cluster.establishments,
        state_type_totals.state_type_employment,
        national.cluster_employment_national,
        national.type_employment_national,
        national.cluster_employment_sum_of_states,
        national.type_employment_sum_of_states,
        state_cluster.lq as lq_published,
        state_cluster.region_employment_share as region_employment_share_published,
        state_cluster.cluster_employment_share as cluster_employment_share_published,
        state_cluster.is_strong as is_strong_published,
        state_cluster.is_strong10 as is_strong10_published
    from state_cluster
    inner join state_type_totals
        on state_cluster.state_fips = state_type_totals.state_fips
            and state_cluster.cluster_type = state_type_totals.cluster_type
    inner join national on state_cluster.cluster_code = national.cluster_code

),

final as (

    select
        ---------- ids
        state_fips,
        cluster_code,
        cluster_type,
        year,
        is_traded,

        ---------- LQ inputs
        employment,
        establishments,
        state_type_employment,
        cluster_employment_national,
        type_employment_national,

        ---------- ours
        employment / nullif(state_type_employment, 0) as region_employment_share_ours,
        employment / nullif(cluster_employment_national, 0) as cluster_employment_share_ours,
        (employment / nullif(state_type_employment, 0))
        / nullif(cluster_employment_national / nullif(type_employment_national, 0), 0) as lq_ours,

        ---------- simpler alternative: US terms from the 50 USCM state rows
        (employment / nullif(state_type_employment, 0))
        / nullif(cluster_employment_sum_of_states / nullif(type_employment_sum_of_states, 0), 0)
            as lq_from_state_sums,

        ---------- published by USCM
        lq_published,
        region_employment_share_published,
        cluster_employment_share_published,
        is_strong_published,
        is_strong10_published

    from joined

)

select * from final
