-- Warns (does not fail) at build time for every row of mart_data_anomalies: a value that looks
-- wrong (a growth far from the other states', a level repeated from another year). The build
-- prints them with file, state, outcome, year and why; review the raw file named.
{{ config(severity='warn') }}
select source_file, state_fips, outcome, year, value, why
from {{ ref('mart_data_anomalies') }}
