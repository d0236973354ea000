-- One row per treatment rule, state and USCM cluster (50 states x 67 clusters per rule):
-- whether the state x cluster row is treated under that rule (see seeds/treatment_rules.csv).
with

state_cluster as (

    select * from {{ ref('stg_uscm__state_cluster_2016') }}

),

state_rules as (

    select * from {{ ref('fct_state_treatment') }}

),

row_level as (

    select
        'uscm_strong_b' as treatment_rule,
        state_fips,
        cluster_code,
        cluster_type,
        cast(coalesce(is_strong, false) as integer) as treated
    from state_cluster
    union all
    select
        'uscm_strong10_b' as treatment_rule,
        state_fips,
        cluster_code,
        cluster_type,
        cast(coalesce(is_strong10, false) as integer) as treated
    from state_cluster

),

state_level as (

    select
        state_rules.treatment_rule,
        state_cluster.state_fips,
        state_cluster.cluster_code,
        state_cluster.cluster_type,
        state_rules.treated
    from state_cluster
    inner join state_rules on state_cluster.state_fips = state_rules.state_fips

)

select * from row_level
union all
select * from state_level
