-- One row per USCM sub-cluster (316).
with

source as (

    select * from {{ source('uscm', 'subclusters') }}

),

renamed as (

    select
        cast(cluster_code as integer) as cluster_code,
        cast(subcluster_code as integer) as subcluster_code,
        trim(subcluster_name) as subcluster_name,
        'USCM /data/meta/clusters sub-clusters' as source_table,
        {{ vintage_label('USCM sub-clusters') }} as vintage

    from source

)

select * from renamed
