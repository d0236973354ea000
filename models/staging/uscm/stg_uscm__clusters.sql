-- One row per USCM cluster (67: 51 traded, 16 local).
with

source as (

    select * from {{ source('uscm', 'clusters_meta') }}

),

renamed as (

    select
        cast(cluster_code as integer) as cluster_code,
        trim(cluster_key) as cluster_key,
        trim(cluster_name) as cluster_name,
        trim(short_name) as cluster_short_name,
        trim(cluster_type) as cluster_type,
        cast(n_subclusters as integer) as n_subclusters,
        cast(n_naics_2012 as integer) as n_naics_2012,
        'USCM /data/meta/clusters' as source_table,
        'API timestamp ' || left(trim(api_timestamp), 10) as release_label,
        {{ vintage_label('USCM clusters', release="'API timestamp ' || left(trim(api_timestamp), 10)") }} as vintage

    from source

)

select * from renamed
