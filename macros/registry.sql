{#-
  The registries (seeds/outcomes.csv, treatment_rules.csv, specs.csv, layouts.csv, factors.csv)
  are the single definition of their members; models that need the list of members at compile
  time (to write one column or one union branch per member) read it here, from the built seed.

  registry_names(seed, where): the seed's first column, in display order where the seed has one,
  for the rows matching `where` (SQL). At parse time (nothing executed yet) it returns [].
-#}
{% macro registry_names(seed, where=none, name_column=none) %}
    {%- set relation = ref(seed) -%}  {#- before the execute check: dbt records the dependency at parse time -#}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {%- set key = name_column or columns[0] -%}
    {%- set order = 'display_order, ' ~ key if 'display_order' in columns else key -%}
    {%- set query -%}
        select {{ key }} from {{ relation }}
        {%- if where %} where {{ where }}{% endif %}
        order by {{ order }}
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{% endmacro %}

{#-
  Fail with a clear message when a registry member has no column in the model that computes it
  (for example a treatment rule added to seeds/treatment_rules.csv without its SQL expression).
-#}
{% macro require_registry_columns(relation, names, seed, where_to_add) %}
    {#- a relation not built yet (`dbt compile` or lint on an empty warehouse) has nothing to check -#}
    {%- if execute and load_relation(relation) is not none -%}
        {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- for name in names if name | lower not in present -%}
            {{ exceptions.raise_compiler_error(
                "'" ~ name ~ "' is in seeds/" ~ seed ~ ".csv but " ~ relation.identifier
                ~ " has no column '" ~ name ~ "': " ~ where_to_add) }}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
