-- One row per state and year: CBP all-industry totals (mid-March employment).
{%- set id_columns = [
    normalize_fips('state_fips') ~ ' as state_fips',
    'trim(state_name) as state_name',
] %}
{{ stage_cbp_table('state_total', id_columns, 'state totals (cbpYYst, naics ------)') }}
