-- One row per raw file the dbt sources read, fingerprinted (sha256 of its bytes) when this build
-- read it. The publish step checks these against the files the Great Expectations door validated
-- and compares them with the previously published warehouse (target/change_report.md).
{%- set files = raw_source_files() %}
with

declared as (
{% for source_name, path in files %}
    select
        '{{ source_name }}' as source_name,
        '{{ path }}' as file_path
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- else %}
    select
        null as source_name,
        null as file_path
{%- endfor %}

),

file_contents as (

    select
        filename as file_path,
        size as file_bytes,
        sha256(content) as sha256
    from read_blob([
{%- for _, path in files %}
        '{{ path }}'{{ "," if not loop.last }}
{%- else %}
        'data/raw/PROVENANCE.md'
{%- endfor %}
    ])

)

select
    declared.source_name::varchar as source_name,
    declared.file_path::varchar as file_path,
    file_contents.file_bytes::bigint as file_bytes,
    file_contents.sha256::varchar as sha256,
    '{{ invocation_id }}'::varchar as run_id
from declared
inner join file_contents using (file_path)
