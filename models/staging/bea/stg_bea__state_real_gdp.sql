-- One row per BEA area, industry line and year: real GDP, millions of chained 2012 dollars
-- (SAGDP9N, an older vintage than SAGDP2N: never mixed with it).
{{ stage_bea_gdp_table('SAGDP9N', 'real_gdp_musd_2012') }}
