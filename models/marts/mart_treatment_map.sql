-- One row per treatment rule and state (the 50 states and DC): where the state sits on the US tile
-- grid and how much of it each rule treats; what the report's and the BI dashboard's maps draw.
with

rules as (

    select treatment_rule, rule_level from {{ ref('treatment_rules') }}

),

states as (

    select * from {{ ref('dim_state') }}

),

tiles as (

    select * from {{ ref('state_tile_grid') }}

),

-- Every rule reaches the state x cluster rows (state-level rules give each row the state's value).
cluster_rows as (

    select
        treatment_rule,
        state_fips,
        count(*) as n_clusters,
        -- bigint on every engine (DuckDB widens a sum of integers to hugeint)
        cast(sum(treated) as bigint) as n_clusters_treated
    from {{ ref('fct_state_cluster_treatment') }}
    group by treatment_rule, state_fips

),

state_rules as (

    select
        treatment_rule,
        state_fips,
        treated,
        treatment_value
    from {{ ref('fct_state_treatment') }}

),

mapped as (

    select
        rules.treatment_rule,
        rules.rule_level,
        states.state_fips,
        states.state_postal,
        states.state_name,
        'US-' || states.state_postal as iso_3166_2,
        tiles.tile_column,
        tiles.tile_row,
        cluster_rows.n_clusters is not null as has_data,
        cluster_rows.n_clusters,
        cluster_rows.n_clusters_treated,
        cluster_rows.n_clusters_treated / cluster_rows.n_clusters as treated_share,
        state_rules.treated,
        state_rules.treatment_value
    from rules
    cross join states
    inner join tiles on states.state_postal = tiles.state_postal
    left join cluster_rows
        on rules.treatment_rule = cluster_rows.treatment_rule
            and states.state_fips = cluster_rows.state_fips
    left join state_rules
        on rules.treatment_rule = state_rules.treatment_rule
            and states.state_fips = state_rules.state_fips

)

select
    *,
    case
        when not has_data then state_postal || ' –'
        when rule_level = 'state' then state_postal
        else state_postal || ' ' || n_clusters_treated
    end as tile_label
from mapped
