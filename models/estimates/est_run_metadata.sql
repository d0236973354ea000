-- One row: what produced this run's estimates (dbt invocation, time, git revision, data vintages
-- and the estimation settings taken from dbt vars). The estimate models attach it to every row.
with

vintages as (

    -- every raw source and its vintage label, read from the data (dim_source_vintage)
    select
        string_agg(
            source_name || ': ' || vintage, '; '
            order by source_name
        ) as data_vintages
    from {{ ref('dim_source_vintage') }}

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
