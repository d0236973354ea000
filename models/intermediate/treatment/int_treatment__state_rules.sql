-- One row per USCM state (50; DC has no USCM data): the state's strong-cluster profile and ONE
-- COLUMN PER STATE-LEVEL TREATMENT RULE of seeds/treatment_rules.csv (rule_level = 'state'),
-- named after the rule, holding the state's treatment (0/1 for a binary rule, the intensity for a
-- continuous one). Adding a state-level rule: a seed row plus one expression here.
with

state_cluster as (

    select * from {{ ref('stg_uscm__state_cluster_2016') }}

),

state_profile as (

    select
        state_fips,
        -- bigint on every engine (DuckDB widens a sum of bigints to hugeint)
        cast(sum(case when is_traded then employment end) as bigint) as traded_employment,
        cast(coalesce(sum(case when is_traded and is_strong then employment end), 0) as bigint) as strong_cluster_employment,
        count(case when is_traded and is_strong then 1 end) as n_strong_clusters
    from state_cluster
    group by state_fips

),

shares as (

    select
        *,
        cast(strong_cluster_employment as double) / traded_employment as strong_employment_share
    from state_profile

),

median_share as (

    select
        percentile_cont(0.5) within group (
            order by strong_employment_share
        ) as median_strong_employment_share
    from shares

)

select
    shares.state_fips,
    shares.strong_employment_share,
    median_share.median_strong_employment_share,
    shares.n_strong_clusters,
    shares.strong_cluster_employment,
    shares.traded_employment,

    ---------- rules (one column per state-level rule of seeds/treatment_rules.csv)
    case when shares.strong_employment_share > median_share.median_strong_employment_share then 1.0 else 0.0 end
        as strong_share_above_median,
    shares.strong_employment_share as strong_share

from shares
cross join median_share
