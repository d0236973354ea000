"""fit_ols agrees with the reference packages on the same (SYNTHETIC) data.

iid, HC1 and CRV1 against statsmodels to 1e-8; CRV3 against pyfixest to 1e-6; the wild cluster
bootstrap against wildboottest (same seed, same weights) exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from cluster_resilience.estimators.inference import WildBootstrapOptions
from cluster_resilience.estimators.inference.wild_bootstrap import wild_cluster_bootstrap
from cluster_resilience.estimators.ols import EstimationError, fit_ols


@pytest.fixture
def regression_data(rng):
    n_obs, n_clusters = 400, 23
    cluster = rng.integers(0, n_clusters, n_obs)
    X = np.column_stack([np.ones(n_obs), rng.normal(size=n_obs), rng.integers(0, 2, n_obs)])
    cluster_effect = rng.normal(size=n_clusters)[cluster]
    noise = rng.normal(size=n_obs) * (1 + X[:, 1] ** 2)
    y = X @ np.array([1.0, 0.5, -0.3]) + cluster_effect + noise
    return y, X, cluster


def _statsmodels(y, X, **fit_kwargs):
    return sm.OLS(y, X).fit(use_t=True, **fit_kwargs)


@pytest.mark.parametrize(
    ("vcov", "fit_kwargs"),
    [
        ("iid", {}),
        ("HC1", {"cov_type": "HC1"}),
        ("CRV1", {"cov_type": "cluster"}),
    ],
)
def test_matches_statsmodels(regression_data, vcov, fit_kwargs):
    y, X, cluster = regression_data
    if vcov == "CRV1":
        fit_kwargs = {**fit_kwargs, "cov_kwds": {"groups": cluster}}
    ours = fit_ols(y, X, vcov=vcov, cluster=cluster if vcov == "CRV1" else None)
    reference = _statsmodels(y, X, **fit_kwargs)
    np.testing.assert_allclose(ours.params, reference.params, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.std_errors, reference.bse, rtol=1e-8)
    np.testing.assert_allclose(ours.statistics, reference.tvalues, rtol=1e-8)
    np.testing.assert_allclose(ours.p_values, reference.pvalues, rtol=1e-8, atol=1e-14)
    conf = reference.conf_int()
    np.testing.assert_allclose(ours.conf_low, conf[:, 0], rtol=1e-8)
    np.testing.assert_allclose(ours.conf_high, conf[:, 1], rtol=1e-8)
    plain = _statsmodels(y, X)
    assert ours.r2 == pytest.approx(plain.rsquared, rel=1e-8)
    assert ours.adj_r2 == pytest.approx(plain.rsquared_adj, rel=1e-8)
    assert ours.f_stat == pytest.approx(plain.fvalue, rel=1e-8)
    assert ours.f_p_value == pytest.approx(plain.f_pvalue, rel=1e-8, abs=1e-300)
    assert ours.df_resid == plain.df_resid and ours.df_model == plain.df_model


def test_wald_test_matches_statsmodels(regression_data):
    y, X, cluster = regression_data
    ours = fit_ols(y, X, vcov="CRV1", cluster=cluster, terms=["const", "x1", "x2"])
    reference = _statsmodels(y, X, cov_type="cluster", cov_kwds={"groups": cluster})
    wald = reference.wald_test(np.eye(3)[1:], use_f=True, scalar=True)
    f_stat, df, p_value = ours.wald_test(["x1", "x2"])
    assert f_stat == pytest.approx(float(wald.statistic), rel=1e-8)
    assert df == 2
    assert p_value == pytest.approx(float(wald.pvalue), rel=1e-8)


def test_crv3_matches_pyfixest(regression_data):
    """Ours is MacKinnon-Nielsen-Webb's CV3, (G-1)/G sum_g (b_-g - b)(b_-g - b)'. pyfixest
    multiplies the raw jackknife sum by its small-sample factor, so compare with that factor off
    and (G-1)/G applied; t(G-1) p-values then agree too."""
    pyfixest = pytest.importorskip("pyfixest")
    y, X, cluster = regression_data
    n_clusters = len(np.unique(cluster))
    data = pd.DataFrame({"y": y, "x1": X[:, 1], "x2": X[:, 2], "g": cluster})
    reference = pyfixest.feols(
        "y ~ x1 + x2", data=data, vcov={"CRV3": "g"},
        ssc=pyfixest.ssc(k_adj=False, G_adj=False),
    )
    ours = fit_ols(y, X, vcov="CRV3", cluster=cluster)
    reference_se = reference.se().to_numpy() * np.sqrt((n_clusters - 1) / n_clusters)
    np.testing.assert_allclose(ours.params, reference.coef().to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.std_errors, reference_se, rtol=1e-6)
    np.testing.assert_allclose(ours.df_inference, n_clusters - 1)


@pytest.mark.parametrize(
    ("weights", "n_clusters", "reps"),
    [("rademacher", 23, 999), ("webb", 23, 999), ("rademacher", 8, 999)],  # 2^8 < 999: enumerated
)
def test_wild_bootstrap_matches_wildboottest(rng, weights, n_clusters, reps):
    from wildboottest.wildboottest import WildboottestCL

    n_obs = 300
    cluster = rng.integers(0, n_clusters, n_obs)
    X = np.column_stack([np.ones(n_obs), rng.normal(size=n_obs), rng.normal(size=n_obs)])
    cluster_effect = rng.normal(size=n_clusters)[cluster]
    y = X @ np.array([0.2, 0.1, 0.0]) + cluster_effect + rng.normal(size=n_obs)
    codes = np.unique(cluster, return_inverse=True)[1]
    for index in (1, 2):
        R = np.zeros(3)
        R[index] = 1
        reference = WildboottestCL(X=X, Y=y, cluster=cluster, R=R, B=reps, seed=7)
        reference.get_scores(bootstrap_type="11", impose_null=True)
        reference.get_weights(weights_type=weights)
        reference.get_numer()
        reference.get_denom()
        reference.get_tboot()
        reference.get_vcov()
        reference.get_tstat()
        reference.get_pvalue(pval_type="two-tailed")
        ours = wild_cluster_bootstrap(
            y, X, codes, index,
            options=WildBootstrapOptions(reps=reps, weights=weights, seed=7),
            with_ci=False,
        )
        assert ours.t_stat == pytest.approx(float(np.squeeze(reference.t_stat)), rel=1e-8)
        if ours.full_enumeration:
            # The all-ones sign vector and its negative reproduce t exactly: we count these two
            # ties as extreme, wildboottest counts |t*| > |t| strictly, so either of them may
            # fall on either side by rounding there. The other 2^G - 2 draws agree.
            ties = round((ours.p_value - float(reference.pvalue)) * ours.reps)
            assert ties in (0, 1, 2)
        else:
            assert ours.p_value == pytest.approx(float(reference.pvalue), abs=1e-12)


def test_wild_bootstrap_ci_inverts_the_test(regression_data):
    y, X, cluster = regression_data
    result = fit_ols(
        y, X, vcov="wild_bootstrap", cluster=cluster,
        bootstrap=WildBootstrapOptions(reps=999, seed=1),
    )
    codes = np.unique(cluster, return_inverse=True)[1]
    options = WildBootstrapOptions(reps=999, seed=1)
    for index in range(3):
        low, high = result.conf_low[index], result.conf_high[index]
        assert low < result.params[index] < high
        width = high - low
        for inside in (low + 0.01 * width, high - 0.01 * width):
            p = wild_cluster_bootstrap(
                y, X, codes, index, options=options, null_value=inside, with_ci=False
            ).p_value
            assert p > 0.05
        for outside in (low - 0.01 * width, high + 0.01 * width):
            p = wild_cluster_bootstrap(
                y, X, codes, index, options=options, null_value=outside, with_ci=False
            ).p_value
            assert p <= 0.05
    # CRV1 standard errors are reported beside the bootstrap p-values and CIs.
    crv1 = fit_ols(y, X, vcov="CRV1", cluster=cluster)
    np.testing.assert_allclose(result.std_errors, crv1.std_errors, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vcov": "HC3"}, "vcov must be one of"),
        ({"vcov": "CRV1"}, "needs a cluster variable"),
    ],
)
def test_bad_arguments_name_the_argument(regression_data, kwargs, message):
    y, X, _ = regression_data
    with pytest.raises(ValueError, match=message):
        fit_ols(y, X, **kwargs)


def test_rank_deficient_design_is_refused(regression_data):
    y, X, _ = regression_data
    with pytest.raises(EstimationError, match="rank deficient"):
        fit_ols(y, np.column_stack([X, X[:, 1] * 2]))


def test_missing_values_are_refused(regression_data):
    y, X, _ = regression_data
    y = y.copy()
    y[3] = np.nan
    with pytest.raises(EstimationError, match="finite"):
        fit_ols(y, X)
