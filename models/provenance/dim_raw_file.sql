-- One row per raw file the dbt sources read, fingerprinted (sha256 of its bytes) when this build
-- read it. The publish step checks these against the files the Great Expectations door validated
-- and compares them with the previously published warehouse (target/change_report.md).
{%- set files = raw_source_files() %}
with

declared as (

    select * from (
        values
        {%- for source_name, path in files %}
            ('{{ source_name }}', '{{ path }}'){{ "," if not loop.last }}
        {%- endfor %}
        {%- if not files %}
            (null, null)
        {%- endif %}
    ) as declared (source_name, file_path)

),

read as (

    select
        filename as file_path,
        size as file_bytes,
        sha256(content) as sha256
    {%- if files %}
    from read_blob([
        {%- for _, path in files %}'{{ path }}'{{ ", " if not loop.last }}{% endfor -%}
    ])
    {%- else %}
    from (select null::varchar as filename, null::bigint as size, null::blob as content)
    {%- endif %}

)

select
    declared.source_name::varchar as source_name,
    declared.file_path::varchar as file_path,
    read.file_bytes::bigint as file_bytes,
    read.sha256::varchar as sha256,
    '{{ invocation_id }}'::varchar as run_id
from declared
inner join read using (file_path)
