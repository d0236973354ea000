-- One row per state (50 + DC), year and BLS outcome (employment = total nonfarm,
-- employment_manu = manufacturing), thousands, annual averages.
with

ces as (

    select * from {{ ref('stg_bls__state_employment') }}
    where data_type_code = '01'
        and industry_code in ('00000000', '30000000')

),

states as (

    select state_fips from {{ ref('states') }}

)

select
    ces.state_fips,
    ces.year,
    case ces.industry_code when '00000000' then 'employment' else 'employment_manu' end as outcome,
    ces.employment_thousands as value,
    ces.suppression_code,
    ces.source_table,
    ces.vintage
from ces
inner join states on ces.state_fips = states.state_fips
