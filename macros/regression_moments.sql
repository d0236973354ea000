{#-
  In-engine least squares: the SQL half of the estimators (the Python half, in
  python/cluster_resilience/estimators/, only sees the small tables these macros produce).

  Inputs, one row per CELL and per (cell, nonzero term):
    cells:  fit_id, cluster_id, fe_id (NULL when the fit absorbs no fixed effect), cell_id,
            n_obs, sum_y, sum_yy -- the rows of a fit compressed by every column its design and
            clusters depend on (Wong, Lewis and Wardrop 2021): exact for every estimator here.
    design: fit_id, cell_id, term, x -- the cell's regressors, sparse (zeros left out).

  regression_moments(cells, design): per fit and cluster, long rows
    (fit_id, cluster_id, moment, term_a, term_b, value) with moment
      'xx' X_g'X_g (each unordered term pair once), 'xy' X_g'y_g, 'yy' y_g'y_g, 'n' rows.
  With a fixed effect (fe_id, nested in cluster_id) the sums are WITHIN sums, the effect absorbed
  exactly: X'X - sum_f s_f s_f' / n_f with s_f the effect level's column sums; y enters demeaned
  by its level's mean (precise for levels such as log GDP). Without one, 'yy' is centred on the
  fit's mean (the total sum of squares of an intercept model) and X'y uses y as is.

  regression_residual_moments(cells, design, params): the second pass, given the coefficients
  (params: fit_id, term, estimate; the absorbed effects are implied): per fit, moment 'rss' (the
  residual sum of squares, from each cell's within sum of squares plus n (mean - fitted)^2) and
  'meat' (sum_i x_i x_i' u_i^2, the HC1 meat; within x for absorbed effects:
  sum_f [A_f - xbar_f B_f' - B_f xbar_f' + C_f xbar_f xbar_f']).
  Portable SQL (joins, group by, union all, case): DuckDB and Spark alike.
-#}

{% macro regression_moments(cells, design) %}
with

cells as (

    select * from {{ cells }}

),

design as (

    select * from {{ design }}

),

fit_means as (

    select fit_id, sum(sum_y) / sum(n_obs) as mean_y
    from cells
    group by fit_id

),

fe_totals as (

    select fit_id, cluster_id, fe_id, sum(n_obs) as n_fe, sum(sum_y) / sum(n_obs) as mean_y_fe
    from cells
    where fe_id is not null
    group by fit_id, cluster_id, fe_id

),

fe_x as (

    select cells.fit_id, cells.cluster_id, cells.fe_id, design.term, sum(cells.n_obs * design.x) as sum_x
    from design
    inner join cells on design.fit_id = cells.fit_id and design.cell_id = cells.cell_id
    where cells.fe_id is not null
    group by cells.fit_id, cells.cluster_id, cells.fe_id, design.term

),

cell_centre as (

    -- what y is centred on in each cell: its fixed-effect level's mean, or the fit's mean
    select
        cells.*,
        coalesce(fe_totals.mean_y_fe, fit_means.mean_y) as centre_y,
        fe_totals.fe_id is not null as is_absorbed
    from cells
    inner join fit_means on cells.fit_id = fit_means.fit_id
    left join fe_totals
        on cells.fit_id = fe_totals.fit_id and cells.fe_id = fe_totals.fe_id

),

xx_raw as (

    select
        a.fit_id,
        cells.cluster_id,
        a.term as term_a,
        b.term as term_b,
        sum(cells.n_obs * a.x * b.x) as value
    from design as a
    inner join design as b
        on a.fit_id = b.fit_id and a.cell_id = b.cell_id and a.term <= b.term
    inner join cells on a.fit_id = cells.fit_id and a.cell_id = cells.cell_id
    group by a.fit_id, cells.cluster_id, a.term, b.term

),

xx_absorbed as (

    select
        a.fit_id,
        a.cluster_id,
        a.term as term_a,
        b.term as term_b,
        -sum(a.sum_x * b.sum_x / totals.n_fe) as value
    from fe_x as a
    inner join fe_x as b
        on a.fit_id = b.fit_id and a.fe_id = b.fe_id and a.term <= b.term
    inner join fe_totals as totals
        on a.fit_id = totals.fit_id and a.fe_id = totals.fe_id
    group by a.fit_id, a.cluster_id, a.term, b.term

),

xx as (

    select fit_id, cluster_id, 'xx' as moment, term_a, term_b, sum(value) as value
    from (
        select * from xx_raw
        union all
        select * from xx_absorbed
    ) as parts
    group by fit_id, cluster_id, term_a, term_b

),

xy as (

    -- y demeaned by its effect level (absorbed fits): sum x (y - ybar_f) is the within X'y
    select
        design.fit_id,
        cells.cluster_id,
        'xy' as moment,
        design.term as term_a,
        cast(null as {{ dbt.type_string() }}) as term_b,
        sum(design.x * case
            when cells.is_absorbed then cells.sum_y - cells.n_obs * cells.centre_y
            else cells.sum_y
        end) as value
    from design
    inner join cell_centre as cells
        on design.fit_id = cells.fit_id and design.cell_id = cells.cell_id
    group by design.fit_id, cells.cluster_id, design.term

),

yy_n as (

    -- per cell: within-cell sum of squares + n (cell mean - centre)^2
    select
        fit_id,
        cluster_id,
        sum(
            (sum_yy - sum_y * sum_y / n_obs)
            + n_obs * (sum_y / n_obs - centre_y) * (sum_y / n_obs - centre_y)
        ) as yy,
        sum(n_obs) as n_obs
    from cell_centre
    group by fit_id, cluster_id

)

select * from xx
union all
select * from xy
union all
select
    fit_id, cluster_id, 'yy' as moment,
    cast(null as {{ dbt.type_string() }}) as term_a, cast(null as {{ dbt.type_string() }}) as term_b,
    yy as value
from yy_n
union all
select
    fit_id, cluster_id, 'n' as moment,
    cast(null as {{ dbt.type_string() }}) as term_a, cast(null as {{ dbt.type_string() }}) as term_b,
    cast(n_obs as double) as value
from yy_n
{% endmacro %}


{% macro regression_residual_moments(cells, design, params) %}
with

cells as (

    select * from {{ cells }}

),

design as (

    select * from {{ design }}

),

params as (

    select fit_id, term, estimate from {{ params }}

),

fitted as (

    -- x_c'b of every cell with a nonzero term
    select design.fit_id, design.cell_id, sum(design.x * params.estimate) as xb
    from design
    inner join params on design.fit_id = params.fit_id and design.term = params.term
    group by design.fit_id, design.cell_id

),

fe_totals as (

    select fit_id, fe_id, sum(n_obs) as n_fe, sum(sum_y) / sum(n_obs) as mean_y_fe
    from cells
    where fe_id is not null
    group by fit_id, fe_id

),

fe_xbar as (

    -- xbar_f, the effect level's mean of every term
    select cells.fit_id, cells.fe_id, design.term, sum(cells.n_obs * design.x) / max(totals.n_fe) as xbar
    from design
    inner join cells on design.fit_id = cells.fit_id and design.cell_id = cells.cell_id
    inner join fe_totals as totals on cells.fit_id = totals.fit_id and cells.fe_id = totals.fe_id
    group by cells.fit_id, cells.fe_id, design.term

),

fe_intercept as (

    -- the absorbed effect of level f: ybar_f - xbar_f'b
    select
        totals.fit_id,
        totals.fe_id,
        totals.mean_y_fe - coalesce(sum(fe_xbar.xbar * params.estimate), 0) as alpha
    from fe_totals as totals
    left join fe_xbar on totals.fit_id = fe_xbar.fit_id and totals.fe_id = fe_xbar.fe_id
    left join params on fe_xbar.fit_id = params.fit_id and fe_xbar.term = params.term
    group by totals.fit_id, totals.fe_id, totals.mean_y_fe

),

cell_residuals as (

    -- sum over the cell's rows of u^2 = within-cell sum of squares + n (cell mean - fitted)^2
    select
        cells.fit_id,
        cells.fe_id,
        cells.cell_id,
        (cells.sum_yy - cells.sum_y * cells.sum_y / cells.n_obs)
        + cells.n_obs
        * (cells.sum_y / cells.n_obs - coalesce(fe_intercept.alpha, 0) - coalesce(fitted.xb, 0))
        * (cells.sum_y / cells.n_obs - coalesce(fe_intercept.alpha, 0) - coalesce(fitted.xb, 0))
            as sum_u2
    from cells
    inner join (select distinct fit_id from params) as estimated on cells.fit_id = estimated.fit_id
    left join fitted on cells.fit_id = fitted.fit_id and cells.cell_id = fitted.cell_id
    left join fe_intercept on cells.fit_id = fe_intercept.fit_id and cells.fe_id = fe_intercept.fe_id

),

meat_raw as (

    select a.fit_id, a.term as term_a, b.term as term_b, sum(a.x * b.x * residuals.sum_u2) as value
    from design as a
    inner join design as b
        on a.fit_id = b.fit_id and a.cell_id = b.cell_id and a.term <= b.term
    inner join cell_residuals as residuals
        on a.fit_id = residuals.fit_id and a.cell_id = residuals.cell_id
    group by a.fit_id, a.term, b.term

),

fe_b as (

    -- B_f = sum over the level's cells of x u^2; C_f = sum of u^2
    select residuals.fit_id, residuals.fe_id, design.term, sum(design.x * residuals.sum_u2) as b
    from design
    inner join cell_residuals as residuals
        on design.fit_id = residuals.fit_id and design.cell_id = residuals.cell_id
    where residuals.fe_id is not null
    group by residuals.fit_id, residuals.fe_id, design.term

),

fe_c as (

    select fit_id, fe_id, sum(sum_u2) as c
    from cell_residuals
    where fe_id is not null
    group by fit_id, fe_id

),

fe_vectors as (

    -- per level and term: xbar and B (a term may have either)
    select
        coalesce(xbar.fit_id, b.fit_id) as fit_id,
        coalesce(xbar.fe_id, b.fe_id) as fe_id,
        coalesce(xbar.term, b.term) as term,
        coalesce(xbar.xbar, 0) as xbar,
        coalesce(b.b, 0) as b
    from fe_xbar as xbar
    full outer join fe_b as b
        on xbar.fit_id = b.fit_id and xbar.fe_id = b.fe_id and xbar.term = b.term

),

meat_absorbed as (

    select
        a.fit_id,
        a.term as term_a,
        b.term as term_b,
        sum(-a.xbar * b.b - a.b * b.xbar + c.c * a.xbar * b.xbar) as value
    from fe_vectors as a
    inner join fe_vectors as b
        on a.fit_id = b.fit_id and a.fe_id = b.fe_id and a.term <= b.term
    inner join fe_c as c on a.fit_id = c.fit_id and a.fe_id = c.fe_id
    group by a.fit_id, a.term, b.term

)

select fit_id, 'meat' as moment, term_a, term_b, sum(value) as value
from (
    select * from meat_raw
    union all
    select * from meat_absorbed
) as parts
group by fit_id, term_a, term_b
union all
select
    fit_id, 'rss' as moment,
    cast(null as {{ dbt.type_string() }}) as term_a, cast(null as {{ dbt.type_string() }}) as term_b,
    sum(sum_u2) as value
from cell_residuals
group by fit_id
{% endmacro %}
