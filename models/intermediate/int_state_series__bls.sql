-- One row per state (50 + DC), CES industry and year: the BLS feed of the outcome registry
-- (series_code = the 8-digit CES industry code), all employees in thousands, annual averages.
with

ces as (

    select * from {{ ref('stg_bls__state_employment') }}
    where data_type_code = '01'

),

states as (

    select state_fips from {{ ref('states') }}

)

select
    'bls.ces_state_annual' as source,
    ces.state_fips,
    ces.year,
    ces.industry_code as series_code,
    ces.employment_thousands as value,
    ces.suppression_code,
    ces.source_table,
    ces.vintage
from ces
inner join states on ces.state_fips = states.state_fips
