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
{%- set rows = [] %}
{%- for staged in staged_sources %}
    {%- set pattern = raw_source_pattern_of(staged.source) %}
    {%- do rows.append({
        'source': staged.source,
        'agency': staged.agency,
        'model': staged.model,
        'path': raw_source_file_path(staged.source, pattern) if pattern else "null",
        'first_year': "min(year)" if staged.get('years') else "null",
        'last_year': "max(year)" if staged.get('years') else "null",
        'n_years': "count(distinct year)" if staged.get('years') else "null",
        'release': "max(release_label)" if staged.get('release') else "null",
    }) %}
{%- endfor %}
{%- for row in rows %}
    select
        '{{ row.source }}' as source_name,
        '{{ row.agency }}' as agency,
        '{{ row.model }}' as staging_model,
        cast({{ row.path }} as {{ dbt.type_string() }}) as raw_file_path,
        cast({{ row.first_year }} as integer) as first_year,
        cast({{ row.last_year }} as integer) as last_year,
        cast({{ row.n_years }} as integer) as n_years,
        cast({{ row.release }} as {{ dbt.type_string() }}) as release_label,
        -- one label per source: NULL (and a failing not_null test) if its rows disagree
        case when count(distinct vintage) = 1 then max(vintage) end as vintage,
        count(*) as n_rows
    from {{ ref(row.model) }}
    {%- if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
