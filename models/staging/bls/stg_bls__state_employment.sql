-- One row per state, CES industry and year: annual average employment, thousands (BLS CES SM).
with

source as (

    select * from {{ source('bls', 'ces_state_annual') }}

),

renamed as (

    select
        ---------- ids
        {{ normalize_fips('stcode') }} as state_fips,
        trim(stabbr) as state_postal,
        trim(ind) as industry_code,
        trim(indf) as industry_name,
        trim(dtype) as data_type_code,
        cast(year as integer) as year,

        ---------- numerics
        {{ decode_suppressed_value('value') }} as employment_thousands,
        {{ suppression_code('value') }} as suppression_code,

        ---------- lineage
        'BLS CES SM annual average, all employees' as source_table,
        'BLS CES State and Area through 2020 (donboyd5/BLSdata eesm_a, 2022-03-04)' as vintage

    from source

)

select * from renamed
