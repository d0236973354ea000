-- Reconciliation: California total nonfarm employment, 2019 annual average, thousands.
-- Published figure: 17,430.4 thousand, BLS Current Employment Statistics (State and Area),
-- series SMU06000000000000001 (total nonfarm, all employees, not seasonally adjusted), annual
-- average 2019. Checked in the mart analysts read (fct_state_outcome_year, outcome employment) and in its
-- staging source (stg_bls__state_employment, industry 00000000).
-- Returns a row per place the figure is missing or differs by more than 0.05 thousand.
with

published as (

    select '06' as state_fips, 2019 as year, 17430.4 as published_employment_thousands

),

mart as (

    select state_fips, year, value as employment_thousands
    from {{ ref('fct_state_outcome_year') }}
    where outcome = 'employment'

),

staged as (

    select state_fips, year, employment_thousands
    from {{ ref('stg_bls__state_employment') }}
    where industry_code = '00000000'

),

compared as (

    select
        'fct_state_outcome_year' as checked_model,
        published.state_fips,
        published.year,
        published.published_employment_thousands,
        mart.employment_thousands as warehouse_employment_thousands
    from published
    left join mart
        on published.state_fips = mart.state_fips
            and published.year = mart.year

    union all

    select
        'stg_bls__state_employment' as checked_model,
        published.state_fips,
        published.year,
        published.published_employment_thousands,
        staged.employment_thousands as warehouse_employment_thousands
    from published
    left join staged
        on published.state_fips = staged.state_fips
            and published.year = staged.year

)

select *
from compared
where warehouse_employment_thousands is null
    or abs(warehouse_employment_thousands - published_employment_thousands) > 0.05
