-- One row per analysis window (dbt var `windows`): the DID compares pre_year with post_year.
{%- set windows = var('windows') %}
{%- for name, window in windows.items() %}
    select
        '{{ name }}' as window_name,
        {{ window['pre_year'] }} as pre_year,
        {{ window['post_year'] }} as post_year,
        '{{ dbt.escape_single_quotes(window.get('label', name)) }}' as window_label
    {%- if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
