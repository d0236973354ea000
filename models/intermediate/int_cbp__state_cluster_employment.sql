-- One row per state (50 + DC), USCM cluster (67) and CBP year (2001-2021): the cluster's state
-- employment approximated from CBP state x NAICS-3 cells apportioned with national NAICS-6 weights.
--
--   employment_apportioned(s, c, t) = sum over NAICS-3 k of  E(s, k, t) * w(c, k, t)
--   w(c, k, t) = US employment of the NAICS-6 codes of k that belong to cluster c, in year t
--                / US employment of all NAICS-6 codes of k, in year t
--
-- Why: USCM publishes state x cluster employment for 2016 only, and CBP publishes state data at
-- NAICS-3 at best, while clusters are sets of NAICS-6 codes. The approximation assumes the state's
-- NAICS-3 employment splits across NAICS-6 codes as the nation's does; it is exact for NAICS-3
-- codes that lie wholly in one cluster and blurs states that specialise inside a NAICS-3 (a state
-- whose 336 is all aircraft gets the US mix of cars and aircraft). It is a cluster *exposure*
-- measure, not USCM's employment: compare employment_uscm_2016 on the 2016 rows.
--
-- Weights: from CBP US x NAICS-6 of the same year (the USCM data year, 2016, if CBP has no US file
-- for a year). Codes map to clusters through the USCM crosswalk of the year's NAICS edition (1997
-- for 2001-2002, 2002 for 2003-2007, 2007 for 2008-2011, 2012 for 2012-2016). CBP uses NAICS 2017
-- from 2017: its codes that exist in NAICS 2012 keep their USCM 2012 cluster, and the 20 new 2017
-- codes get ACR1's cluster (stg_uscm__acr1_naics_crosswalk, matched by cluster name), so the
-- cluster definition shifts slightly at 2017 (naics_mapping_note). US NAICS-6 cells CBP left
-- unpublished count as 0 in the weights.
--
-- Limits: state x NAICS-3 cells Census did not publish are absent from the extract (from 2017) or
-- carry employment 0 with establishments > 0 (up to 2016, CBP's disclosure flag "D"); both count as
-- unpublished here, so a cluster's apportioned employment misses them (it is then a lower bound); naics3_coverage_share says how
-- much of the cluster's US employment lies in NAICS-3 codes the state publishes, and
-- naics3_unpublished lists the missing codes. Unpublished cells are far more frequent from 2017
-- (e.g. NAICS 211, 316, 483, 521): compare two years only over the same published NAICS-3 set
-- (mart_rdd_panel does). The extract's state x NAICS-3 series also has two level breaks: the
-- published cells hold about 85 % of the state's CBP total in 2001-2014, 93 % in 2015-2017 and
-- 97 % in 2018-2021 (state_naics3_published_share; manufacturing NAICS-3 cells: 65 %, 79 %, 91 %
-- of sector 31), so a change across 2014/2015 or 2017/2018 is partly an artefact (California's
-- NAICS 221 goes from 12,638 in 2014 to 41,733 in 2015). Compare years within one regime.
-- Local clusters are included so that the apportioned employment of all 67
-- clusters adds up to the state's published NAICS-3 total.
with

state_naics3 as (

    select * from {{ ref('stg_cbp__state_naics3') }}
    -- a 0 is a withheld cell (CBP's "D" flag up to 2016: establishments counted, employment 0 in
    -- the extract; 453 cells in 2014, 236 in 2016, 47 in 2017, 1 in 2019), not zero employment
    where employment_march > 0

),

state_total as (

    select * from {{ ref('stg_cbp__state_total') }}

),

state_years as (

    select distinct state_fips, year from state_total

),

-- how much of the state's CBP total its published NAICS-3 cells hold (coverage regime of the year)
state_published_share as (

    select
        state_total.state_fips,
        state_total.year,
        sum(state_naics3.employment_march) / nullif(any_value(state_total.employment_march), 0)
            as state_naics3_published_share
    from state_total
    left join state_naics3
        on state_total.state_fips = state_naics3.state_fips
            and state_total.year = state_naics3.year
    group by state_total.state_fips, state_total.year

),

national_naics6 as (

    select * from {{ ref('stg_cbp__national_naics6') }}

),

uscm_crosswalk as (

    select * from {{ ref('stg_uscm__cluster_naics') }}

),

acr1_crosswalk as (

    select * from {{ ref('stg_uscm__acr1_naics_crosswalk') }}

),

clusters as (

    select * from {{ ref('stg_uscm__clusters') }}

),

uscm_state_cluster as (

    select * from {{ ref('stg_uscm__state_cluster_2016') }}

),

uscm_year as (

    select distinct year from uscm_state_cluster

),

-- the US NAICS-6 year whose weights apportion each state year: the same year, else the USCM year
weight_years as (

    select
        state_years_distinct.year,
        coalesce(national_years.year, uscm_year.year) as weight_year
    from (select distinct year from state_years) as state_years_distinct
    cross join uscm_year
    left join (select distinct year from national_naics6) as national_years
        on state_years_distinct.year = national_years.year

),

-- the newest NAICS edition USCM's crosswalk maps (2012), and the editions CBP used after it (2017)
uscm_edition as (

    select max(naics_vintage) as naics_vintage from uscm_crosswalk

),

later_editions as (

    select distinct national_naics6.naics_vintage
    from national_naics6
    cross join uscm_edition
    where national_naics6.naics_vintage > uscm_edition.naics_vintage

),

-- a later edition: USCM's assignment of its newest edition where the code exists there, ACR1's
-- for new codes
crosswalk_later_new_codes as (

    select distinct
        later_editions.naics_vintage,
        acr1_crosswalk.naics_code,
        clusters.cluster_code,
        'ACR1 (NAICS ' || later_editions.naics_vintage || ' code absent from USCM '
        || uscm_edition.naics_vintage || ')' as mapping_source
    from acr1_crosswalk
    inner join clusters on lower(acr1_crosswalk.cluster_name) = lower(clusters.cluster_name)
    cross join later_editions
    cross join uscm_edition
    where acr1_crosswalk.naics_code not in (
            select uscm_crosswalk.naics_code from uscm_crosswalk
            where uscm_crosswalk.naics_vintage = uscm_edition.naics_vintage
        )

),

crosswalk as (

    select naics_vintage, naics_code, cluster_code, 'USCM' as mapping_source
    from uscm_crosswalk

    union all

    select
        later_editions.naics_vintage,
        uscm_crosswalk.naics_code,
        uscm_crosswalk.cluster_code,
        'USCM ' || uscm_edition.naics_vintage || ' (code unchanged in '
        || later_editions.naics_vintage || ')' as mapping_source
    from uscm_crosswalk
    inner join uscm_edition on uscm_crosswalk.naics_vintage = uscm_edition.naics_vintage
    cross join later_editions

    union all

    select naics_vintage, naics_code, cluster_code, mapping_source
    from crosswalk_later_new_codes

),

-- the NAICS edition of each year's US NAICS-6 file (the weights' edition)
year_editions as (

    select distinct year, naics_vintage from national_naics6

),

national_mapped as (

    select
        national_naics6.year,
        national_naics6.naics_code,
        left(national_naics6.naics_code, 3) as naics3_code,
        coalesce(national_naics6.employment_march, 0) as employment,
        crosswalk.cluster_code,
        crosswalk.mapping_source
    from national_naics6
    left join crosswalk
        on national_naics6.naics_code = crosswalk.naics_code
            and national_naics6.naics_vintage = crosswalk.naics_vintage

),

-- US employment of each NAICS-3 (all its NAICS-6 codes, mapped or not): the weights' denominator
national_naics3 as (

    select
        year,
        naics3_code,
        sum(employment) as naics3_employment_national
    from national_mapped
    group by year, naics3_code

),

national_cluster_naics3 as (

    select
        year,
        cluster_code,
        naics3_code,
        cast(sum(employment) as bigint) as cluster_naics3_employment_national,
        count(*) filter (where mapping_source like 'ACR1%') as n_naics6_mapped_by_acr1
    from national_mapped
    where cluster_code is not null
    group by year, cluster_code, naics3_code

),

weights as (

    select
        national_cluster_naics3.year,
        national_cluster_naics3.cluster_code,
        national_cluster_naics3.naics3_code,
        national_cluster_naics3.cluster_naics3_employment_national,
        national_cluster_naics3.n_naics6_mapped_by_acr1,
        national_cluster_naics3.cluster_naics3_employment_national
        / nullif(national_naics3.naics3_employment_national, 0) as weight,
        cast(
            sum(national_cluster_naics3.cluster_naics3_employment_national)
                over (partition by national_cluster_naics3.year, national_cluster_naics3.cluster_code)
            as bigint
        ) as cluster_employment_national
    from national_cluster_naics3
    inner join national_naics3
        on national_cluster_naics3.year = national_naics3.year
            and national_cluster_naics3.naics3_code = national_naics3.naics3_code
    where national_cluster_naics3.cluster_naics3_employment_national > 0

),

-- every state x year x (cluster, NAICS-3 with US cluster employment), with the state's cell if any
state_cluster_naics3 as (

    select
        state_years.state_fips,
        state_years.year,
        weight_years.weight_year,
        weights.cluster_code,
        weights.naics3_code,
        weights.weight,
        weights.cluster_naics3_employment_national,
        weights.cluster_employment_national,
        weights.n_naics6_mapped_by_acr1,
        state_naics3.employment_march as naics3_employment_state
    from state_years
    inner join weight_years on state_years.year = weight_years.year
    inner join weights on weight_years.weight_year = weights.year
    left join state_naics3
        on state_years.state_fips = state_naics3.state_fips
            and state_years.year = state_naics3.year
            and weights.naics3_code = state_naics3.naics3_code

),

aggregated as (

    select
        state_fips,
        cluster_code,
        year,
        any_value(weight_year) as weight_year,
        any_value(cluster_employment_national) as cluster_employment_national,
        sum(naics3_employment_state * weight) as employment_apportioned,
        coalesce(
            sum(cluster_naics3_employment_national) filter (where naics3_employment_state is not null),
            0
        ) / nullif(any_value(cluster_employment_national), 0) as naics3_coverage_share,
        count(*) as n_naics3,
        count(*) filter (where naics3_employment_state is null) as n_naics3_unpublished,
        -- the published NAICS-3 set, so two years can be compared over the same industries
        {{ dbt.listagg(
            "case when naics3_employment_state is not null then naics3_code end", "','", "order by naics3_code"
        ) }} as naics3_published,
        {{ dbt.listagg(
            "case when naics3_employment_state is null then naics3_code end", "','", "order by naics3_code"
        ) }} as naics3_unpublished,
        max_by(naics3_code, weight * cluster_naics3_employment_national) as main_naics3_code,
        sum(n_naics6_mapped_by_acr1) as n_naics6_mapped_by_acr1
    from state_cluster_naics3
    group by state_fips, cluster_code, year

),

final as (

    select
        ---------- ids
        aggregated.state_fips,
        aggregated.cluster_code,
        clusters.cluster_name,
        clusters.cluster_type,
        aggregated.year,

        ---------- the approximation
        aggregated.employment_apportioned,
        aggregated.naics3_coverage_share,
        aggregated.n_naics3,
        aggregated.n_naics3_unpublished,
        aggregated.naics3_published,
        aggregated.naics3_unpublished,
        aggregated.main_naics3_code,
        state_published_share.state_naics3_published_share,

        ---------- national terms
        aggregated.weight_year,
        aggregated.cluster_employment_national,

        ---------- USCM's own 2016 figure, for comparison
        uscm_state_cluster.employment as employment_uscm_2016,

        ---------- lineage
        case
            when year_editions.naics_vintage > uscm_edition.naics_vintage
                and aggregated.n_naics6_mapped_by_acr1 > 0
                then 'NAICS ' || year_editions.naics_vintage || ': USCM '
                    || uscm_edition.naics_vintage || ' crosswalk + ACR1 for '
                    || aggregated.n_naics6_mapped_by_acr1 || ' new code(s)'
            when year_editions.naics_vintage > uscm_edition.naics_vintage
                then 'NAICS ' || year_editions.naics_vintage || ': USCM '
                    || uscm_edition.naics_vintage || ' crosswalk'
            else '{{ dbt.escape_single_quotes("USCM crosswalk of the year's NAICS edition") }}'
        end as naics_mapping_note,
        'CBP state x NAICS-3 apportioned with CBP US x NAICS-6 weights' as source_table

    from aggregated
    inner join clusters on aggregated.cluster_code = clusters.cluster_code
    inner join state_published_share
        on aggregated.state_fips = state_published_share.state_fips
            and aggregated.year = state_published_share.year
    left join uscm_state_cluster
        on aggregated.state_fips = uscm_state_cluster.state_fips
            and aggregated.cluster_code = uscm_state_cluster.cluster_code
            and aggregated.year = uscm_state_cluster.year
    left join year_editions on aggregated.weight_year = year_editions.year
    cross join uscm_edition

)

select * from final
