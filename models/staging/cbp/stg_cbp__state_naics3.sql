-- One row per state, NAICS-3 and year, published cells only (unpublished cells are absent).
{%- set id_columns = [
    normalize_fips('state_fips') ~ ' as state_fips',
    'trim(naics) as naics3_code',
] %}
{{ stage_cbp_table('state_industry3', id_columns, 'state x NAICS-3 (cbpYYst)') }}
