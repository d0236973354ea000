-- The sparse design of the benchmark DID (regression_moments' DESIGN input): a year dummy for every
-- year but the first (the absorbed county effects hold the intercept) and treated_x_post, the
-- DID effect; zeros left out.
with

cells as (

    select fit_id, cell_id, year, treated_x_post from {{ ref('bench_cells') }}

)

select
    fit_id,
    cell_id,
    {{ dbt.concat(["'year_'", "cast(year as " ~ dbt.type_string() ~ ")"]) }} as term,
    cast(1 as double) as x
from cells
where year <> {{ var('bench_panel').first_year }}
union all
select fit_id, cell_id, 'treated_x_post' as term, cast(treated_x_post as double) as x
from cells
where treated_x_post <> 0
