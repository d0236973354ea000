{#-
  The one sane absolute window of years any agency file may carry: not before
  EARLIEST_SOURCE_YEAR, not after the current year + YEARS_AFTER_CURRENT (a release can carry the
  current year's first estimate, never a later one). A year outside is a typo or a misaligned
  column, never data. Everything else about years (first and last year, how many, row counts)
  is derived from the years the files hold: see dim_source_vintage.
  The Great Expectations door reads these two constants from this file
  (python/cluster_resilience/warehouse/raw_checks/suites.py, year_window_from_macro), so GX and
  dbt never disagree.
-#}
{% macro source_year_window() -%}
    {%- set EARLIEST_SOURCE_YEAR = 1990 -%}
    {%- set YEARS_AFTER_CURRENT = 1 -%}
    {{ return({
        'earliest': EARLIEST_SOURCE_YEAR,
        'latest': modules.datetime.date.today().year + YEARS_AFTER_CURRENT,
    }) }}
{%- endmacro %}
