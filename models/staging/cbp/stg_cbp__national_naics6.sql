-- One row per NAICS-6 code and year: US totals, 2001-2021 (codes of the NAICS vintage CBP used that year).
{%- set id_columns = [
    "lpad(trim(naics), 6, '0') as naics_code",
    "case when cast(year as integer) >= 2017 then 2017"
    ~ " when cast(year as integer) >= 2012 then 2012"
    ~ " when cast(year as integer) >= 2008 then 2007"
    ~ " when cast(year as integer) >= 2003 then 2002 else 1997 end as naics_vintage",
] %}
{{ stage_cbp_table('national_industry6', id_columns, 'US x NAICS-6 (cbpYYus)') }}
