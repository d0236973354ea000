-- Every dbt source with an external_location has exactly its row in dim_source_vintage (a new
-- source must be added to the model's list), and no row names a source that does not exist.
-- Returns the source names present on one side only.
{%- set declared = [] %}
{%- if execute %}
    {%- for source in graph.sources.values() if source.package_name == project_name %}
        {%- if source.meta.get('external_location') or source.config.meta.get('external_location') %}
            {%- do declared.append(source.source_name ~ '.' ~ source.name) %}
        {%- endif %}
    {%- endfor %}
{%- endif %}
with

declared as (

    select declared_sources.source_name
    from (
        values
        {%- for source_name in declared %}
            ('{{ source_name }}'){{ ',' if not loop.last }}
        {%- else %}
            (cast(null as {{ dbt.type_string() }}))
        {%- endfor %}
    ) as declared_sources (source_name)
    where declared_sources.source_name is not null

),

recorded as (

    select source_name from {{ ref('dim_source_vintage') }}

)

select
    coalesce(declared.source_name, recorded.source_name) as source_name,
    declared.source_name is not null as is_declared,
    recorded.source_name is not null as is_in_dim_source_vintage
from declared
full outer join recorded on declared.source_name = recorded.source_name
where declared.source_name is null or recorded.source_name is null
