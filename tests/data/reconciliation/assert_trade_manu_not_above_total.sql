-- Reconciliation (accounting identity): exports of manufactures <= all exports (and the same
-- for general imports). Source: Census state trade by NAICS (origin-of-movement exports
-- ALL_VAL_YR, general imports GEN_VAL_YR): manufactures = NAICS 31 + 32 + 33, a subset of
-- all commodities (NAICS '-'). Checked in fct_state_outcome_year (millions of dollars, 2013-2018).
-- Returns the state-years that break the identity.
with

mart as (

    select
        state_fips,
        year,
        max(case when outcome = 'exports' then value end) as exports,
        max(case when outcome = 'exports_manu' then value end) as exports_manu,
        max(case when outcome = 'imports' then value end) as imports,
        max(case when outcome = 'imports_manu' then value end) as imports_manu
    from {{ ref('fct_state_outcome_year') }}
    where outcome in ('exports', 'exports_manu', 'imports', 'imports_manu')
    group by state_fips, year

)

select *
from mart
where (exports is not null or imports is not null)
    and (exports_manu > exports
    or imports_manu > imports
    or (exports is not null and exports_manu is null)
    or (imports is not null and imports_manu is null))
