-- One row: what produced this run's estimates (dbt invocation, time, git revision, data vintages
-- and the estimation settings taken from dbt vars). The estimate models attach it to every row.
with

vintages as (

    select
        string_agg(
            distinct source_table || ': ' || vintage, '; '
            order by source_table || ': ' || vintage
        ) as data_vintages
    from (
        select source_table, vintage from {{ ref('fct_state_outcome_year') }}
        union all
        select source_table, vintage from {{ ref('stg_uscm__state_cluster_2016') }}
    )

)

select
    '{{ invocation_id }}' as run_id,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as run_started_at,
    '{{ env_var("CLUSTER_GIT_REVISION", "unknown") }}' as git_revision,
    '{{ dbt_version }}' as dbt_version,
    vintages.data_vintages,
    ['{{ var("specs") | join("', '") }}'] as specs,
    ['{{ var("factors") | join("', '") }}'] as factors,
    '{{ var("did_treatment_rule") }}' as did_treatment_rule,
    '{{ var("state_treatment_rule") }}' as state_treatment_rule,
    {{ var('bootstrap_reps') }} as bootstrap_reps,
    {{ var('bootstrap_seed') }} as bootstrap_seed
from vintages
