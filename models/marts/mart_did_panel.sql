-- The long panel the DID estimator reads, one row per layout, treatment rule, window, outcome,
-- state, cluster (paper layouts only) and period. Layouts (seeds/layouts.csv, used_by_did):
--   paper:        every USCM state x cluster row (50 x 67) carrying its state's growth rate (the
--                 paper's repeated-row layout); local clusters untreated under row-level rules;
--   paper_traded: as paper without the 16 local clusters (50 x 51 rows);
--   state:        one row per state and period; state-level rules only.
-- Every rule of seeds/treatment_rules.csv and every outcome with is_estimated. treatment_value is
-- the rule's treatment (0/1, or the intensity of a continuous rule); growth_rate the yearly growth
-- of the state's outcome in the period's year, NULL where unpublished (the estimator drops those).
with

periods as (

    select * from {{ ref('dim_window_period') }}

),

growth as (

    select * from {{ ref('fct_state_growth') }}

),

outcomes as (

    select outcome from {{ ref('outcomes') }}
    where is_estimated

),

layouts as (

    select layout from {{ ref('layouts') }}
    where used_by_did

),

rows_paper as (

    select
        'paper' as layout,
        treatment_rule,
        state_fips,
        cluster_code,
        cluster_type,
        treated,
        treatment_value
    from {{ ref('fct_state_cluster_treatment') }}

),

rows_paper_traded as (

    select
        'paper_traded' as layout,
        treatment_rule,
        state_fips,
        cluster_code,
        cluster_type,
        treated,
        treatment_value
    from {{ ref('fct_state_cluster_treatment') }}
    where cluster_type = 'traded'

),

rows_state as (

    select
        'state' as layout,
        treatment_rule,
        state_fips,
        cast(null as integer) as cluster_code,
        cast(null as {{ dbt.type_string() }}) as cluster_type,
        treated,
        treatment_value
    from {{ ref('fct_state_treatment') }}

),

units as (

    select * from rows_paper
    union all
    select * from rows_paper_traded
    union all
    select * from rows_state

)

select
    units.layout,
    units.treatment_rule,
    periods.window_name,
    outcomes.outcome,
    units.state_fips,
    units.cluster_code,
    units.cluster_type,
    periods.year,
    periods.period,
    units.treated,
    units.treatment_value,
    growth.growth_rate
from units
inner join layouts on units.layout = layouts.layout
cross join periods
cross join outcomes
left join growth
    on units.state_fips = growth.state_fips
        and outcomes.outcome = growth.outcome
        and periods.year = growth.year
