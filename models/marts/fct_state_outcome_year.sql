-- One row per state (50 + DC), registered outcome and year where the source publishes a row
-- (long format): the outcome registry (seeds/outcomes.csv: source + series_code) applied to the
-- agency feeds. value is NULL with a suppression_code where the agency suppressed the cell.
with

outcomes as (

    select outcome, source, series_code, unit from {{ ref('outcomes') }}

),

series as (

    select * from {{ ref('int_state_series__bea') }}
    union all
    select * from {{ ref('int_state_series__bls') }}
    union all
    select * from {{ ref('int_state_series__census_trade') }}
    union all
    select * from {{ ref('int_state_series__cbp') }}

)

select
    series.state_fips,
    outcomes.outcome,
    series.year,
    series.value,
    outcomes.unit,
    series.suppression_code,
    series.source,
    series.source_table,
    series.vintage
from series
inner join outcomes
    on series.source = outcomes.source
        and series.series_code = outcomes.series_code
