-- One row per state, NAICS sector and year (sector '31' = manufacturing 31-33).
{%- set id_columns = [
    normalize_fips('state_fips') ~ ' as state_fips',
    'trim(naics) as sector_code',
    'trim(sector) as sector_name',
    'trim(supersector) as supersector_name',
] %}
{{ stage_cbp_table('state_industry2', id_columns, 'state x NAICS sector (cbpYYst)') }}
