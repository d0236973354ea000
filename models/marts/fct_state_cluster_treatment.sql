-- One row per treatment rule (every rule of seeds/treatment_rules.csv), USCM state and cluster
-- (50 x 67 per rule): the row's treatment. Row-level rules come from their column of
-- int_treatment__state_cluster_rules; state-level rules give every row of a state the state's
-- treatment (fct_state_treatment).
{%- set rules = registry_names('treatment_rules', "rule_level = 'state_cluster'") %}
{{ require_registry_columns(ref('int_treatment__state_cluster_rules'), rules, 'treatment_rules',
   'add the rule as a column (its SQL expression) of models/intermediate/treatment/int_treatment__state_cluster_rules.sql') }}
with

row_rules as (

    select * from {{ ref('int_treatment__state_cluster_rules') }}

),

state_rules as (

    select * from {{ ref('fct_state_treatment') }}

),

rules as (

    select treatment_rule, treatment_type from {{ ref('treatment_rules') }}

),

row_level as (

    {%- for rule in rules %}
    select '{{ rule }}' as treatment_rule, state_fips, cluster_code, cluster_type, cast({{ rule }} as double) as treatment_value
    from row_rules
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as treatment_rule,
        state_fips,
        cluster_code,
        cluster_type,
        cast(null as double) as treatment_value
    from row_rules
    where 1 = 0
    {%- endfor %}

),

state_level as (

    select
        state_rules.treatment_rule,
        row_rules.state_fips,
        row_rules.cluster_code,
        row_rules.cluster_type,
        state_rules.treatment_value
    from row_rules
    inner join state_rules on row_rules.state_fips = state_rules.state_fips

),

unioned as (

    select * from row_level
    union all
    select * from state_level

)

select
    unioned.treatment_rule,
    unioned.state_fips,
    unioned.cluster_code,
    unioned.cluster_type,
    case when rules.treatment_type = 'binary' then cast(unioned.treatment_value as integer) end as treated,
    unioned.treatment_value
from unioned
inner join rules on unioned.treatment_rule = rules.treatment_rule
