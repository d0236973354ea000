-- One row per raw file the dbt sources read, fingerprinted (sha256 of its bytes) when this build
-- read it. A source's external_location may be a glob (any vintage of the agency's file, e.g.
-- SAGDP2N__ALL_AREAS_*.csv): every file it matches gets a row. The publish step checks these
-- against the files the Great Expectations door validated and compares them with the previously
-- published warehouse (target/change_report.md).
{%- set files = raw_source_files() %}
with

file_contents as (

    {%- for source_name, path in files %}
    select
        '{{ source_name }}' as source_name,
        filename as file_path,
        size as file_bytes,
        sha256(content) as sha256
    from read_blob('{{ path }}')
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select null as source_name, null as file_path, null as file_bytes, null as sha256
    {%- endfor %}

)

select
    source_name::varchar as source_name,
    file_path::varchar as file_path,
    file_bytes::bigint as file_bytes,
    sha256::varchar as sha256,
    '{{ invocation_id }}'::varchar as run_id
from file_contents
