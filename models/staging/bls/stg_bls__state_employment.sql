-- One row per state, CES industry and year: annual average employment, thousands (BLS CES SM).
with

source as (

    select * from {{ source('bls', 'ces_state_annual') }}

),

coverage as (

    -- The years the file holds: they name its vintage (the file carries no release label).
    select
        min(cast(year as integer)) as first_year,
        max(cast(year as integer)) as last_year
    from source

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
        {{ vintage_label('BLS CES State and Area', '(select first_year from coverage)',
                         '(select last_year from coverage)') }} as vintage

    from source

)

select * from renamed
