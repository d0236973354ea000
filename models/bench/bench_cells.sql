-- The SYNTHETIC benchmark panel compressed to county x year cells (regression_moments' CELLS
-- input): every regressor of the two-way fixed-effects DID (county effect absorbed, year dummies,
-- treated x post) is constant within a county and year, so the compression is exact. Clusters
-- are states; the county effect (fe_id) is nested in them.
select
    'bench_did' as fit_id,
    state_id as cluster_id,
    county_id as fe_id,
    county_id * 10000 + year as cell_id,
    year,
    treated * post as treated_x_post,
    count(*) as n_obs,
    sum(y) as sum_y,
    sum(y * y) as sum_yy
from {{ ref('bench_panel') }}
group by state_id, county_id, year, treated, post
