-- One row per state: the 50 states and DC (seeds/states.csv), with what USCM covers.
with

states as (

    select * from {{ ref('states') }}

),

uscm_states as (

    select distinct state_fips from {{ ref('stg_uscm__state_cluster_2016') }}

)

select
    states.state_fips,
    states.state_postal,
    states.state_name,
    states.bea_region_code,
    states.bea_region_name,
    uscm_states.state_fips is not null as has_uscm_2016
from states
left join uscm_states on states.state_fips = uscm_states.state_fips
