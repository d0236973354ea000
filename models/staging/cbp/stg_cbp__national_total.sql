-- One row per year: US all-industry CBP totals.
{{ stage_cbp_table('national_total', [], 'US total (cbpYYus, naics ------)') }}
