-- One row per USCM cluster (67): US employment of the cluster and of its type (traded or local) in
-- the USCM data year (2016 in the shipped pull), built the way USCM builds it: CBP US x NAICS-6 of
-- that year summed through USCM's NAICS -> cluster crosswalk of the edition CBP used that year
-- (NAICS 2012 for 2016). These are the LQ denominators of int_uscm__state_cluster_lq.
--
-- Why CBP NAICS-6 and not the sum of the USCM state rows: USCM's state rows carry its estimates for
-- suppressed state cells (emp_tl), so the 50-state sum overstates the US total (and lacks DC). The
-- CBP route reproduces USCM's published cluster share (cluster_emp_per_tf) to float precision for
-- 65 of 67 clusters and its LQ to 2e-4; the state-sum route is off by 0.6 % (median) and up to 7.5 %
-- on the LQ. Both are kept here so the comparison stays visible.
--
-- Known gap: CBP suppressed two 2016 US NAICS-6 employment cells (the extract has NA): 335224
-- (cluster 44) and 522190 (cluster 16). They count as 0 here; USCM filled them (implied fills:
-- 7,264 and 1,750), so those two clusters and the traded total are slightly low.
with

uscm_year as (

    select distinct year from {{ ref('stg_uscm__state_cluster_2016') }}

),

cbp_naics6 as (

    select * from {{ ref('stg_cbp__national_naics6') }}

),

crosswalk as (

    -- every edition; the join below takes the one CBP used in the USCM year
    select * from {{ ref('stg_uscm__cluster_naics') }}

),

clusters as (

    select * from {{ ref('stg_uscm__clusters') }}

),

state_cluster as (

    select * from {{ ref('stg_uscm__state_cluster_2016') }}

),

-- CBP US rows of the USCM year, each NAICS-6 code mapped to its cluster through the crosswalk of
-- the row's NAICS edition (every CBP 2016 code maps)
naics6_in_cluster as (

    select
        crosswalk.cluster_code,
        cbp_naics6.year,
        cbp_naics6.naics_code,
        cbp_naics6.employment_march,
        cbp_naics6.establishments
    from cbp_naics6
    inner join uscm_year on cbp_naics6.year = uscm_year.year
    inner join crosswalk
        on cbp_naics6.naics_code = crosswalk.naics_code
            and cbp_naics6.naics_vintage = crosswalk.naics_vintage

),

cluster_from_cbp as (

    select
        cluster_code,
        year,
        count(*) as n_naics_codes,
        count(*) filter (where employment_march is null) as n_naics_suppressed,
        {{ dbt.listagg("case when employment_march is null then naics_code end", "', '", "order by naics_code") }}
            as naics_suppressed,
        coalesce(sum(employment_march), 0) as employment,
        coalesce(sum(establishments), 0) as establishments
    from naics6_in_cluster
    group by cluster_code, year

),

-- the simpler alternative: the cluster's 50 USCM state rows summed
cluster_from_states as (

    select
        cluster_code,
        sum(employment) as employment
    from state_cluster
    group by cluster_code

),

joined as (

    select
        clusters.cluster_code,
        clusters.cluster_type,
        cluster_from_cbp.year,
        cluster_from_cbp.n_naics_codes,
        cluster_from_cbp.n_naics_suppressed,
        cluster_from_cbp.naics_suppressed,
        cluster_from_cbp.employment,
        cluster_from_cbp.establishments,
        cluster_from_states.employment as employment_sum_of_states
    from clusters
    inner join cluster_from_cbp on clusters.cluster_code = cluster_from_cbp.cluster_code
    left join cluster_from_states on clusters.cluster_code = cluster_from_states.cluster_code

),

final as (

    select
        ---------- ids
        cluster_code,
        cluster_type,
        year,

        ---------- CBP route (used for the LQ)
        employment as cluster_employment_national,
        sum(employment) over (partition by cluster_type) as type_employment_national,
        establishments as cluster_establishments_national,
        n_naics_codes,
        n_naics_suppressed,
        naics_suppressed,

        ---------- state-sum route (comparison only)
        employment_sum_of_states as cluster_employment_sum_of_states,
        sum(employment_sum_of_states) over (partition by cluster_type) as type_employment_sum_of_states,

        ---------- lineage
        'CBP US x NAICS-6 via the USCM crosswalk of its NAICS edition' as source_table

    from joined

)

select * from final
