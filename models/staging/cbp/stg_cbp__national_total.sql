-- One row per year: US all-industry CBP totals, 2001-2021.
{{ stage_cbp_table('national_total', [], 'US total (cbpYYus, naics ------)') }}
