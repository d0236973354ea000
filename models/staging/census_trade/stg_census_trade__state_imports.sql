-- One row per state, NAICS commodity and year: general imports (GEN_VAL_YR), US dollars.
{{ stage_census_trade_table('imports', 'GEN_VAL_YR') }}
