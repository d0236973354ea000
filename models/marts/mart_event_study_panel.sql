-- The long panel the event study reads (est_event_study, est_event_study_pretrend): one row per
-- state-level treatment rule, outcome, USCM state (50; DC has no treatment) and year of the
-- outcome's full span, with the level, its natural log and the state's treatment.
--   outcomes: every outcome of fct_state_outcome_year (BEA GDP 1997-2022, BLS employment
--             2010-2020, Census trade 2013-2018) plus the three CBP series of fct_state_year,
--             unpivoted here (2001-2021). CBP counts the pay period including March 12, so CBP
--             2020 is measured before the COVID shock and 2021 is its first post-shock year.
--   treatment rules: var `state_treatment_rule` plus every state-level rule of the
--             treatment_rules seed (rule_level = 'state').
-- log_value is NULL where value is NULL (suppressed / unpublished) or not positive.
with

treatment as (

    select treatment_rule, state_fips, treated
    from {{ ref('fct_state_treatment') }}
    where treatment_rule = '{{ var("state_treatment_rule") }}'
        or treatment_rule in (
            select treatment_rule from {{ ref('treatment_rules') }}
            where rule_level = 'state'
        )

),

agency_outcomes as (

    select state_fips, outcome, year, cast(value as double) as value
    from {{ ref('fct_state_outcome_year') }}

),

state_year as (

    select * from {{ ref('fct_state_year') }}

),

-- CBP series exist only as columns of fct_state_year: unpivot them to the long shape.
cbp_outcomes as (

    select state_fips, 'cbp_employment' as outcome, year, cast(cbp_employment as double) as value
    from state_year
    union all
    select state_fips, 'cbp_employment_manu' as outcome, year, cast(cbp_employment_manu as double) as value
    from state_year
    union all
    select state_fips, 'cbp_establishments' as outcome, year, cast(cbp_establishments as double) as value
    from state_year

),

levels as (

    select * from agency_outcomes
    union all
    select * from cbp_outcomes

),

-- An outcome's span: first to last year in which any state has a value (fct_state_year is a
-- 1997-2022 spine, so CBP rows outside 2001-2021 are all NULL and are dropped here).
spans as (

    select outcome, min(year) as first_year, max(year) as last_year
    from levels
    where value is not null
    group by outcome

),

in_span as (

    select levels.*
    from levels
    inner join spans
        on levels.outcome = spans.outcome
            and levels.year between spans.first_year and spans.last_year

)

select
    treatment.treatment_rule,
    in_span.outcome,
    in_span.state_fips,
    cast(in_span.year as integer) as year,
    in_span.value,
    case when in_span.value > 0 then ln(in_span.value) end as log_value,
    cast(treatment.treated as integer) as treated
from in_span
inner join treatment on in_span.state_fips = treatment.state_fips
