-- One row per state-level treatment rule (seeds/treatment_rules.csv, rule_level 'state') and USCM
-- state (50; DC has no USCM data): the state's treatment under the rule, unpivoted from the
-- rule's column of int_treatment__state_rules, with the strong-cluster profile it rests on.
{%- set rules = registry_names('treatment_rules', "rule_level = 'state'") %}
{{ require_registry_columns(ref('int_treatment__state_rules'), rules, 'treatment_rules',
   'add the rule as a column (its SQL expression) of models/intermediate/treatment/int_treatment__state_rules.sql') }}
with

profile as (

    select * from {{ ref('int_treatment__state_rules') }}

),

rules as (

    select treatment_rule, treatment_type from {{ ref('treatment_rules') }}

),

unpivoted as (

    {%- for rule in rules %}
    select '{{ rule }}' as treatment_rule, state_fips, cast({{ rule }} as double) as treatment_value
    from profile
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as treatment_rule,
        state_fips,
        cast(null as double) as treatment_value
    from profile
    where 1 = 0
    {%- endfor %}

)

select
    unpivoted.treatment_rule,
    unpivoted.state_fips,
    case when rules.treatment_type = 'binary' then cast(unpivoted.treatment_value as integer) end as treated,
    unpivoted.treatment_value,
    profile.strong_employment_share,
    profile.median_strong_employment_share,
    profile.n_strong_clusters,
    profile.strong_cluster_employment,
    profile.traded_employment
from unpivoted
inner join rules on unpivoted.treatment_rule = rules.treatment_rule
inner join profile on unpivoted.state_fips = profile.state_fips
