-- One row per NAICS-6 code and year: US totals, codes of the NAICS edition CBP used that year
-- (the latest edition of seeds/naics_editions.csv whose first CBP year is not after it).
{%- set id_columns = [
    "lpad(trim(naics), 6, '0') as naics_code",
    "(select max(editions.naics_edition) from " ~ ref('naics_editions') ~ " as editions"
    ~ " where editions.first_cbp_year <= cast(year as integer)) as naics_vintage",
] %}
{{ stage_cbp_table('national_industry6', id_columns, 'US x NAICS-6 (cbpYYus)') }}
