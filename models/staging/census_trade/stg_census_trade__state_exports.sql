-- One row per state, NAICS commodity and year: origin-of-movement exports (ALL_VAL_YR), US dollars.
{{ stage_census_trade_table('exports', 'ALL_VAL_YR') }}
