-- One row per state-level treatment rule and USCM state (50; DC has no USCM data): which states
-- count as "with clusters", and the strong-cluster profile the rule is based on.
with

state_cluster as (

    select * from {{ ref('stg_uscm__state_cluster_2016') }}

),

state_profile as (

    select
        state_fips,
        sum(employment) filter (where is_traded) as traded_employment,
        coalesce(sum(employment) filter (where is_traded and is_strong), 0) as strong_cluster_employment,
        count(*) filter (where is_traded and is_strong) as n_strong_clusters
    from state_cluster
    group by state_fips

),

shares as (

    select
        *,
        strong_cluster_employment / traded_employment as strong_employment_share
    from state_profile

),

with_median as (

    select
        *,
        median(strong_employment_share) over () as median_strong_employment_share
    from shares

)

select
    'strong_share_above_median' as treatment_rule,
    state_fips,
    cast(strong_employment_share > median_strong_employment_share as integer) as treated,
    strong_employment_share as treatment_intensity,
    strong_employment_share,
    median_strong_employment_share,
    n_strong_clusters,
    strong_cluster_employment,
    traded_employment
from with_median
