-- One row per 2012 NAICS-6 code: its USCM cluster and, where the name match found it, sub-cluster.
with

source as (

    select * from {{ source('uscm', 'naics2012_cluster_subcluster') }}

),

renamed as (

    select
        trim(naics_code) as naics_code,
        trim(naics_title) as naics_title,
        cast(cluster_code as integer) as cluster_code,
        trim(cluster_type) as cluster_type,
        try_cast(nullif(trim(subcluster_code), '') as integer) as subcluster_code,
        nullif(trim(subcluster_name), '') as subcluster_name,
        nullif(trim(subcluster_source), '') as subcluster_source,
        'derived: USCM NAICS-2012 mapping x ACR1 sub-cluster names' as source_table,
        {{ vintage_label('derived USCM NAICS to cluster and sub-cluster') }} as vintage

    from source

)

select * from renamed
