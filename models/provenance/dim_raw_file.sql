-- One row per raw file the dbt sources read, fingerprinted (sha256 of its bytes) when this build
-- read it. The publish step checks these against the files the Great Expectations door validated
-- and compares them with the previously published warehouse (target/change_report.md).
{%- set files = raw_source_files() %}
{%- set sources = files | map(attribute=0) | list %}
{%- set paths = files | map(attribute=1) | list %}
with

declared as (

    select
        unnest([
            '{{ sources | join("',\n            '") }}'
        ]) as source_name,
        unnest([
            '{{ paths | join("',\n            '") }}'
        ]) as file_path

),

file_contents as (

    select
        filename as file_path,
        size as file_bytes,
        sha256(content) as sha256
    from read_blob([
        '{{ (paths or ["data/raw/PROVENANCE.md"]) | join("',\n        '") }}'  -- noqa: LT05
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
