-- One row per NAICS vintage and NAICS code: the official USCM NAICS -> cluster mapping.
with

source as (

    select * from {{ source('uscm', 'cluster_naics_crosswalk') }}

),

renamed as (

    select
        cast(naics_vintage as integer) as naics_vintage,
        trim(naics_code) as naics_code,
        cast(cluster_code as integer) as cluster_code,
        trim(naics_title) as naics_title,
        'USCM /data/meta/clusters NAICS definitions' as source_table,
        {{ vintage_label('USCM NAICS to cluster crosswalk') }} as vintage

    from source

)

select * from renamed
