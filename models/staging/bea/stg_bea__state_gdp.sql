-- One row per BEA area, industry line and year: GDP, millions of current dollars (SAGDP2N).
{{ stage_bea_gdp_table('SAGDP2N', 'gdp_musd') }}
