-- One row per state (50 + DC), outcome and year where the source publishes a row (long format);
-- value NULL with a suppression_code where the agency suppressed the cell.
with

unioned as (

    select * from {{ ref('int_state_outcomes__bea') }}
    union all
    select * from {{ ref('int_state_outcomes__bls') }}
    union all
    select * from {{ ref('int_state_outcomes__census_trade') }}

)

select
    state_fips,
    outcome,
    year,
    value,
    suppression_code,
    source_table,
    vintage
from unioned
