-- USCM's published strong_b and strong10_b flags equal the rule rebuilt in SQL
-- (mart_uscm_rule_check) on EVERY traded state x cluster row, except deliberate deviations listed
-- with a reason in seeds/uscm_flag_exceptions.csv. Returns each disagreeing row, named by state,
-- cluster and flag: a flipped or mistyped published flag fails the build.
with

checked as (

    select * from {{ ref('mart_uscm_rule_check') }}
    where cluster_type = 'traded'

),

disagreements as (

    select
        state_fips,
        cluster_code,
        'strong_b' as flag,
        strong_b_published as published,
        strong_b_ours as rebuilt
    from checked
    where strong_b_published <> strong_b_ours
    union all
    select
        state_fips,
        cluster_code,
        'strong10_b' as flag,
        strong10_b_published as published,
        strong10_b_ours as rebuilt
    from checked
    where strong10_b_published <> strong10_b_ours

)

select disagreements.*
from disagreements
left join {{ ref('uscm_flag_exceptions') }} as exceptions
    on disagreements.state_fips = exceptions.state_fips
        and disagreements.cluster_code = exceptions.cluster_code
        and disagreements.flag = exceptions.flag
where exceptions.flag is null
