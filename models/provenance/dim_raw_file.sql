-- One row per raw file the dbt sources read, fingerprinted (sha256 of its bytes) when this build
-- read it. A source's external_location may be a glob (any vintage of the agency's file, e.g.
-- SAGDP2N__ALL_AREAS_*.csv): every file it matches gets a row. The publish step checks these
-- against the files the Great Expectations door validated and compares them with the previously
-- published warehouse (target/change_report.md).
{%- set files = raw_source_files() or [("none", "data/raw/PROVENANCE.md")] %}
with

file_contents as (

    {{ raw_file_fingerprints(files) }}

)

select
    cast(source_name as {{ dbt.type_string() }}) as source_name,
    cast(file_path as {{ dbt.type_string() }}) as file_path,
    cast(file_bytes as bigint) as file_bytes,
    cast(sha256 as {{ dbt.type_string() }}) as sha256,
    cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as run_id
from file_contents
