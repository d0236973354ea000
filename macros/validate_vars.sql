{#-
  Fail fast on a bad var, before any model runs (called from on-run-start in dbt_project.yml).
  Every message names the var, what it got and what is allowed. Names of outcomes, treatment
  rules, specs, layouts and factors are not vars: they are the registry seeds, checked where they
  are read (a rule without its SQL column, a spec naming no inference method...).
-#}
{% macro _fail_var(name, got, allowed) -%}
    {{ exceptions.raise_compiler_error(
        "Invalid dbt var '" ~ name ~ "': got " ~ (got | tojson) ~ ". Allowed: " ~ allowed ~ ".") }}
{%- endmacro %}

{% macro _check_int(name, value, low, high) -%}
    {%- if value is not number or value is boolean or (value | int) != value -%}
        {{ _fail_var(name, value, "an integer between " ~ low ~ " and " ~ high) }}
    {%- elif value < low or value > high -%}
        {{ _fail_var(name, value, "an integer between " ~ low ~ " and " ~ high) }}
    {%- endif -%}
{%- endmacro %}

{#- A number in a range; low_open / high_open exclude the bound, high=none leaves it unbounded. -#}
{% macro _check_number(name, value, low, high=none, low_open=false, high_open=false) -%}
    {%- if high is none -%}
        {%- set allowed = "a number " ~ ('>' if low_open else '>=') ~ " " ~ low -%}
    {%- else -%}
        {%- set allowed = "a number in " ~ ('(' if low_open else '[') ~ low ~ ", " ~ high ~ (')' if high_open else ']') -%}
    {%- endif -%}
    {%- if value is not number or value is boolean -%}
        {{ _fail_var(name, value, allowed) }}
    {%- elif value < low or (low_open and value == low) -%}
        {{ _fail_var(name, value, allowed) }}
    {%- elif high is not none and (value > high or (high_open and value == high)) -%}
        {{ _fail_var(name, value, allowed) }}
    {%- endif -%}
{%- endmacro %}

{#- A calendar year: a four-digit integer (which years have data is the data's business). -#}
{% macro _check_year(name, value) -%}
    {%- if value is not number or value is boolean or (value | int) != value or value < 1000 or value > 9999 -%}
        {{ _fail_var(name, value, "a four-digit year") }}
    {%- endif -%}
{%- endmacro %}

{% macro validate_vars() %}
    {%- set windows = var('windows') -%}
    {%- if windows is not mapping or (windows | length) == 0 -%}
        {{ _fail_var('windows', windows, "a mapping of window name to {pre_year, post_year, label}") }}
    {%- endif -%}
    {%- for name, window in windows.items() -%}
        {%- if not (name is string and modules.re.match('^[a-z][a-z0-9_]*$', name)) -%}
            {{ _fail_var('windows', name, "window names in lower snake case") }}
        {%- endif -%}
        {%- if window is not mapping or 'pre_year' not in window or 'post_year' not in window -%}
            {{ _fail_var('windows.' ~ name, window, "a mapping with pre_year and post_year") }}
        {%- endif -%}
        {{ _check_year('windows.' ~ name ~ '.pre_year', window['pre_year']) }}
        {{ _check_year('windows.' ~ name ~ '.post_year', window['post_year']) }}
        {%- if window['post_year'] <= window['pre_year'] -%}
            {{ _fail_var('windows.' ~ name, window,
                         "post_year after pre_year (got end " ~ window['post_year'] ~ " before or at start " ~ window['pre_year'] ~ ")") }}
        {%- endif -%}
    {%- endfor -%}

    {%- set event_study = var('event_study') -%}
    {%- if event_study is not mapping or 'shock_year' not in event_study or 'reference_year' not in event_study -%}
        {{ _fail_var('event_study', event_study, "a mapping {shock_year: <year>, reference_year: <year>}") }}
    {%- endif -%}
    {{ _check_year('event_study.shock_year', event_study['shock_year']) }}
    {{ _check_year('event_study.reference_year', event_study['reference_year']) }}
    {%- if event_study['reference_year'] >= event_study['shock_year'] -%}
        {{ _fail_var('event_study', event_study, "reference_year before shock_year") }}
    {%- endif -%}

    {{ _check_int('growth_horizon_years', var('growth_horizon_years'), 1, 5) }}
    {{ _check_int('min_states_per_period', var('min_states_per_period'), 2, 51) }}
    {{ _check_number('anomaly_mad_threshold', var('anomaly_mad_threshold'), 0, low_open=true) }}
    {{ _check_number('anomaly_repeat_mad_threshold', var('anomaly_repeat_mad_threshold'), 0) }}
    {{ _check_int('anomaly_repeat_min_digits', var('anomaly_repeat_min_digits'), 1, 17) }}
    {{ _check_int('bootstrap_reps', var('bootstrap_reps'), 99, 99999) }}
    {{ _check_int('bootstrap_seed', var('bootstrap_seed'), 0, 4294967295) }}
    {{ _check_number('uscm_strong_lq_percentile', var('uscm_strong_lq_percentile'), 0, 1, low_open=true, high_open=true) }}
    {{ _check_number('uscm_strong10_lq_percentile', var('uscm_strong10_lq_percentile'), 0, 1, low_open=true, high_open=true) }}
    {{ _check_number('uscm_size_percentile', var('uscm_size_percentile'), 0, 1, low_open=true, high_open=true) }}
    {{ _check_number('uscm_min_lq', var('uscm_min_lq'), 0) }}
    {{ _check_number('rdd_placebo_low_lq_percentile', var('rdd_placebo_low_lq_percentile'), 0, 1, low_open=true, high_open=true) }}
    {{ _check_number('rdd_placebo_high_lq_percentile', var('rdd_placebo_high_lq_percentile'), 0, 1, low_open=true, high_open=true) }}
    {{ _check_number('rdd_min_naics3_coverage', var('rdd_min_naics3_coverage'), 0, 1) }}
    {%- if not (var('rdd_placebo_low_lq_percentile') < var('uscm_strong_lq_percentile') < var('rdd_placebo_high_lq_percentile')) %}
        {{ _fail_var('rdd_placebo_low_lq_percentile / rdd_placebo_high_lq_percentile',
                     [var('rdd_placebo_low_lq_percentile'), var('rdd_placebo_high_lq_percentile')],
                     "percentiles below and above uscm_strong_lq_percentile (" ~ var('uscm_strong_lq_percentile') ~ ")") }}
    {%- endif %}
    {%- for removed in ['outcomes', 'specs', 'factors', 'did_treatment_rule', 'state_treatment_rule'] %}
        {%- if var(removed, none) is not none %}
            {{ exceptions.raise_compiler_error(
                "dbt var '" ~ removed ~ "' no longer exists: outcomes, specs, factors and treatment rules are "
                ~ "the registry seeds (seeds/outcomes.csv, specs.csv, factors.csv, treatment_rules.csv); "
                ~ "every registered member is estimated.") }}
        {%- endif %}
    {%- endfor %}

    {#- RDD years (mart_rdd_panel): rule year, outcome and placebo windows, CBP coverage breaks -#}
    {{ _check_year('rdd_rule_year', var('rdd_rule_year')) }}
    {%- set rdd_outcome = var('rdd_outcome_window') -%}
    {{ _check_rdd_window('rdd_outcome_window', rdd_outcome) }}
    {%- set rdd_placebos = var('rdd_placebo_windows') -%}
    {%- if rdd_placebos is string or rdd_placebos is mapping or rdd_placebos is not iterable -%}
        {{ _fail_var('rdd_placebo_windows', rdd_placebos, "a list of {pre_year, post_year} mappings (may be empty)") }}
    {%- endif -%}
    {%- set rdd_spans = [] -%}
    {%- for window in rdd_placebos -%}
        {{ _check_rdd_window('rdd_placebo_windows[' ~ loop.index0 ~ ']', window) }}
        {%- do rdd_spans.append(window['pre_year'] ~ '-' ~ window['post_year']) -%}
        {%- if window['post_year'] > rdd_outcome['pre_year'] -%}
            {{ _fail_var('rdd_placebo_windows[' ~ loop.index0 ~ ']', window,
                         "a window that ends by the outcome's pre_year " ~ rdd_outcome['pre_year'] ~ " (rdd_outcome_window): a placebo change is before COVID") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if (rdd_spans | unique | list | length) != (rdd_spans | length) -%}
        {{ _fail_var('rdd_placebo_windows', rdd_placebos, "a list without repeated windows") }}
    {%- endif -%}
    {%- set rdd_breaks = var('rdd_cbp_coverage_break_years') -%}
    {%- if rdd_breaks is string or rdd_breaks is mapping or rdd_breaks is not iterable
          or (rdd_breaks | unique | list | length) != (rdd_breaks | length) -%}
        {{ _fail_var('rdd_cbp_coverage_break_years', rdd_breaks, "a list of distinct years (may be empty)") }}
    {%- endif -%}
    {%- for year in rdd_breaks -%}
        {{ _check_year('rdd_cbp_coverage_break_years[' ~ loop.index0 ~ ']', year) }}
    {%- endfor -%}
    select 1
{% endmacro %}

{#- An RDD change window: {pre_year, post_year}, integer years in range, post_year after pre_year. -#}
{% macro _check_rdd_window(name, window) -%}
    {%- if window is not mapping or 'pre_year' not in window or 'post_year' not in window -%}
        {{ _fail_var(name, window, "a mapping with pre_year and post_year") }}
    {%- endif -%}
    {{ _check_year(name ~ '.pre_year', window['pre_year']) }}
    {{ _check_year(name ~ '.post_year', window['post_year']) }}
    {%- if window['post_year'] <= window['pre_year'] -%}
        {{ _fail_var(name, window, "post_year after pre_year") }}
    {%- endif -%}
{%- endmacro %}
