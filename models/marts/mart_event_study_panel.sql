-- The long panel the event study reads (est_event_study, est_event_study_pretrend): one row per
-- state-level treatment rule (seeds/treatment_rules.csv, rule_level 'state'), outcome with
-- in_event_study (seeds/outcomes.csv), USCM state (50; DC has no treatment) and year of the
-- outcome's span (first to last year in which any state has a value), with the level, its natural
-- log and the state's treatment. CBP counts the pay period including March 12, so CBP 2020 is
-- measured before the COVID shock and 2021 is its first post-shock year.
-- reference_year: var event_study.reference_year when the outcome has data in it, else the last
-- year before var event_study.shock_year that it has (Census trade ends earlier: its last year).
-- log_value is NULL where value is NULL (suppressed / unpublished) or not positive.
{%- set shock_year = var('event_study')['shock_year'] %}
{%- set preferred_reference_year = var('event_study')['reference_year'] %}
with

treatment as (

    select treatment_rule, state_fips, treatment_value
    from {{ ref('fct_state_treatment') }}

),

outcomes as (

    select outcome from {{ ref('outcomes') }}
    where in_event_study

),

levels as (

    select levels.state_fips, levels.outcome, levels.year, levels.value
    from {{ ref('fct_state_outcome_year') }} as levels
    inner join outcomes on levels.outcome = outcomes.outcome

),

spans as (

    select
        outcome,
        min(year) as first_year,
        max(year) as last_year,
        coalesce(
            max(case when year = {{ preferred_reference_year }} then year end),
            max(case when year < {{ shock_year }} then year end)
        ) as reference_year
    from levels
    where value is not null
    group by outcome

),

in_span as (

    select
        levels.*,
        spans.reference_year
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
    cast(in_span.reference_year as integer) as reference_year,
    cast(in_span.year - {{ shock_year }} as integer) as relative_year,
    in_span.value,
    case when in_span.value > 0 then ln(in_span.value) end as log_value,
    treatment.treatment_value
from in_span
inner join treatment on in_span.state_fips = treatment.state_fips
