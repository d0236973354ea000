-- One row per raw file the dbt sources read, fingerprinted (sha256 of its bytes) when this build
-- read it. The publish step checks these against the files the Great Expectations door validated
-- and compares them with the previously published warehouse (target/change_report.md).
{%- set files = raw_source_files() %}
{%- set paths = files | map(attribute=1) | list %}
with

declared as (

    select declared_files.source_name, declared_files.file_path
    from (
        values
        {%- for source_name, path in files %}
            ('{{ source_name }}', '{{ path }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as declared_files (source_name, file_path)

),

file_contents as (

    {{ raw_file_fingerprints(paths or ["data/raw/PROVENANCE.md"]) }}

)

select
    cast(declared.source_name as {{ dbt.type_string() }}) as source_name,
    cast(declared.file_path as {{ dbt.type_string() }}) as file_path,
    cast(file_contents.file_bytes as bigint) as file_bytes,
    cast(file_contents.sha256 as {{ dbt.type_string() }}) as sha256,
    cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as run_id
from declared
inner join file_contents on declared.file_path = file_contents.file_path
