-- One row per state and USCM cluster in the file's one data year (2016 in the shipped pull;
-- 50 states, no DC, x 67 clusters).
with

source as (

    select * from {{ source('uscm', 'state_cluster_2016') }}

),

coverage as (

    -- The data year(s) and the API timestamp of the pull: they name its vintage.
    select
        min(cast(year_t as integer)) as first_year,
        max(cast(year_t as integer)) as last_year,
        'API timestamp ' || left(max(trim(timestamp)), 10) as release_label
    from source

),

renamed as (

    select
        ---------- ids
        {{ normalize_fips('region_code_t') }} as state_fips,
        cast(cluster_code_t as integer) as cluster_code,
        trim(cluster_name_t) as cluster_name,
        trim(cluster_type) as cluster_type,
        cast(year_t as integer) as year,

        ---------- numerics (CBP-based; suppressed cells estimated by USCM in emp_tl)
        cast(emp_tl as bigint) as employment,
        cast(emp_reported_tl as bigint) as employment_reported,
        cast(est_tl as bigint) as establishments,
        cast(ap_tl as double) as annual_payroll_kusd,
        cast(qp1_tl as double) as q1_payroll_kusd,
        cast(private_wage_tf as double) as private_wage_usd,
        cast(lq_tf as double) as lq,
        cast(region_emp_per_tf as double) as region_employment_share,
        cast(cluster_emp_per_tf as double) as cluster_employment_share,

        ---------- flags (strength flags are published for traded clusters only)
        cast(traded_b as boolean) as is_traded,
        cast(supression_b as boolean) as has_suppressed_cells,
        nullif(trim(empflag_t), '') as employment_flag,
        cast(qualifying_b as boolean) as is_qualifying,
        cast(significant_b as boolean) as is_significant,
        cast(strong_b as boolean) as is_strong,
        cast(strong10_b as boolean) as is_strong10,

        ---------- lineage
        'USCM /data/region/state cluster' as source_table,
        (select release_label from coverage) as release_label,
        {{ vintage_label('USCM state x cluster', '(select first_year from coverage)',
                         '(select last_year from coverage)',
                         '(select release_label from coverage)') }} as vintage

    from source

)

select * from renamed
