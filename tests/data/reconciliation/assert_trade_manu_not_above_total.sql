-- Reconciliation (accounting identity): exports of manufactures <= all exports (and the same
-- for general imports). Source: Census state trade by NAICS (origin-of-movement exports
-- ALL_VAL_YR, general imports GEN_VAL_YR): manufactures = NAICS 31 + 32 + 33, a subset of
-- all commodities (NAICS '-'). Checked in fct_state_outcome_year (millions of dollars, 2013-2018).
-- Returns the state-years that break the identity.
with

trade_outcomes as (

    -- every trade outcome of the registry: all commodities or manufactures of exports / imports
    select outcome, concept, definition from {{ ref('outcomes') }}
    where concept in ('exports', 'imports') and definition in ('all commodities', 'manufactures')

),

mart as (

    select
        levels.state_fips,
        levels.year,
        trade_outcomes.concept,
        max(case when trade_outcomes.definition = 'all commodities' then levels.value end) as total,
        max(case when trade_outcomes.definition = 'manufactures' then levels.value end) as manufactures
    from {{ ref('fct_state_outcome_year') }} as levels
    inner join trade_outcomes on levels.outcome = trade_outcomes.outcome
    group by levels.state_fips, levels.year, trade_outcomes.concept

)

select *
from mart
where manufactures > total
    or (total is not null and manufactures is null)
