-- One row per analysis window and period: period 0 = pre_year, period 1 = post_year.
with

windows as (

    select * from {{ ref('dim_analysis_window') }}

)

select window_name, pre_year as year, 0 as period, 'pre' as period_label from windows
union all
select window_name, post_year as year, 1 as period, 'post' as period_label from windows
