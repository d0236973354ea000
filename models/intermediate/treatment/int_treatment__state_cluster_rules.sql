-- One row per USCM state and cluster (50 x 67): ONE COLUMN PER ROW-LEVEL TREATMENT RULE of
-- seeds/treatment_rules.csv (rule_level = 'state_cluster'), named after the rule, holding the
-- row's treatment (0/1). Local clusters carry no USCM strength flag: 0 under every rule here (the
-- layout paper_traded drops them instead). Adding a row-level rule: a seed row plus one expression.
with

state_cluster as (

    select * from {{ ref('stg_uscm__state_cluster_2016') }}

),

recomputed as (

    select state_fips, cluster_code, is_strong, is_strong10
    from {{ ref('int_uscm__strong_cluster_rule') }}

)

select
    state_cluster.state_fips,
    state_cluster.cluster_code,
    state_cluster.cluster_type,

    ---------- rules (one column per row-level rule of seeds/treatment_rules.csv)
    case when state_cluster.is_strong then 1.0 else 0.0 end as uscm_strong_b,
    case when state_cluster.is_strong10 then 1.0 else 0.0 end as uscm_strong10_b,
    case when state_cluster.is_traded and recomputed.is_strong then 1.0 else 0.0 end as rule_p75_sql,
    case when state_cluster.is_traded and recomputed.is_strong10 then 1.0 else 0.0 end as rule_p90_sql

from state_cluster
left join recomputed
    on state_cluster.state_fips = recomputed.state_fips
        and state_cluster.cluster_code = recomputed.cluster_code
