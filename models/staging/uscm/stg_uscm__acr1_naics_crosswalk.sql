-- One row per NAICS code (2012 and the 2017 codes USCM lacks): ACR1's cluster and sub-cluster names.
with

source as (

    select * from {{ source('uscm', 'acr1_crosswalk') }}

),

renamed as (

    select
        trim(naics) as naics_code,
        lower(trim(tradedlocal)) as cluster_type,
        trim(cluster) as cluster_name,
        trim(subclustername) as subcluster_name,
        cast({{ adapter.quote('EmsiSpecificNAICS (non standard)') }} as boolean) as is_emsi_specific,
        trim(description) as naics_title,
        'ACR1 NAICS_crosswalks_to_Cluster_system.xlsx' as source_table,
        {{ vintage_label('ACR1 NAICS to cluster crosswalk') }} as vintage

    from source

)

select * from renamed
