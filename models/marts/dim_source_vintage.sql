-- One row per raw source table the warehouse reads: the file it was read from, the years that
-- file holds, its release label and its vintage label, all read from the data at build time
-- (never written by hand). est_run_metadata.data_vintages is built from here, and every staging
-- model writes the same label on its rows (vintage_label macro).
{%- set staged_sources = [
    {'source': 'bea.sagdp2n', 'agency': 'BEA', 'model': 'stg_bea__state_gdp', 'years': true, 'release': true},
    {'source': 'bea.sagdp9n', 'agency': 'BEA', 'model': 'stg_bea__state_real_gdp', 'years': true, 'release': true},
    {'source': 'bls.ces_state_annual', 'agency': 'BLS', 'model': 'stg_bls__state_employment', 'years': true},
    {'source': 'cbp.national_industry6', 'agency': 'Census', 'model': 'stg_cbp__national_naics6', 'years': true},
    {'source': 'cbp.national_total', 'agency': 'Census', 'model': 'stg_cbp__national_total', 'years': true},
    {'source': 'cbp.state_industry2', 'agency': 'Census', 'model': 'stg_cbp__state_sector', 'years': true},
    {'source': 'cbp.state_industry3', 'agency': 'Census', 'model': 'stg_cbp__state_naics3', 'years': true},
    {'source': 'cbp.state_total', 'agency': 'Census', 'model': 'stg_cbp__state_total', 'years': true},
    {'source': 'census_trade.state_exports', 'agency': 'Census', 'model': 'stg_census_trade__state_exports', 'years': true},
    {'source': 'census_trade.state_imports', 'agency': 'Census', 'model': 'stg_census_trade__state_imports', 'years': true},
    {'source': 'uscm.acr1_crosswalk', 'agency': 'ACR1', 'model': 'stg_uscm__acr1_naics_crosswalk'},
    {'source': 'uscm.cluster_naics_crosswalk', 'agency': 'USCM', 'model': 'stg_uscm__cluster_naics'},
    {'source': 'uscm.clusters_meta', 'agency': 'USCM', 'model': 'stg_uscm__clusters', 'release': true},
    {'source': 'uscm.naics2012_cluster_subcluster', 'agency': 'USCM', 'model': 'stg_uscm__naics2012_subcluster'},
    {'source': 'uscm.state_cluster_2016', 'agency': 'USCM', 'model': 'stg_uscm__state_cluster_2016', 'years': true, 'release': true},
    {'source': 'uscm.subclusters', 'agency': 'USCM', 'model': 'stg_uscm__subclusters'},
] %}
with

{% for staged in staged_sources %}
{{ staged.model }} as (

    select
        '{{ staged.source }}' as source_name,
        '{{ staged.agency }}' as agency,
        '{{ staged.model }}' as staging_model,
        {%- set pattern = raw_source_pattern_of(staged.source) %}
        {%- if pattern %}
        (select min(file) from glob('{{ pattern }}')) as raw_file_path,
        {%- else %}
        cast(null as varchar) as raw_file_path,
        {%- endif %}
        {%- if staged.get('years') %}
        cast(min(year) as integer) as first_year,
        cast(max(year) as integer) as last_year,
        cast(count(distinct year) as integer) as n_years,
        {%- else %}
        cast(null as integer) as first_year,
        cast(null as integer) as last_year,
        cast(null as integer) as n_years,
        {%- endif %}
        {%- if staged.get('release') %}
        max(release_label) as release_label,
        {%- else %}
        cast(null as varchar) as release_label,
        {%- endif %}
        -- one label per source: NULL (and a failing not_null test) if its rows disagree
        case when count(distinct vintage) = 1 then max(vintage) end as vintage,
        count(*) as n_rows
    from {{ ref(staged.model) }}

){{ ',' if not loop.last }}
{% endfor %}
{% for staged in staged_sources %}
select * from {{ staged.model }}
{%- if not loop.last %}
union all
{%- endif %}
{% endfor %}
