-- One row: what produced this run's estimates (dbt invocation, time, git revision, data vintages
-- and the settings taken from dbt vars). The estimate models attach it to every row; the specs,
-- rules, outcomes and factors are the registry seeds (schema reference).
with

vintages as (

    -- every raw source and its vintage label, read from the data (dim_source_vintage)
    select
        {{ dbt.listagg(dbt.concat(["source_name", "': '", "vintage"]), "'; '", "order by source_name") }}
            as data_vintages
    from {{ ref('dim_source_vintage') }}

)

select
    '{{ invocation_id }}' as run_id,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as run_started_at,
    '{{ env_var("CLUSTER_GIT_REVISION", "unknown") }}' as git_revision,
    '{{ dbt_version }}' as dbt_version,
    vintages.data_vintages,
    {{ var('bootstrap_reps') }} as bootstrap_reps,
    cast({{ var('bootstrap_seed') }} as bigint) as bootstrap_seed,
    {{ var('event_study')['shock_year'] }} as shock_year,
    {{ var('growth_horizon_years') }} as growth_horizon_years
from vintages
