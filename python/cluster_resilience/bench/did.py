"""The benchmark's regression, solved from the moment tables (engine-agnostic).

Two-way fixed-effects DID on the SYNTHETIC panel: y on treated_x_post and year dummies, the county
effects absorbed (nested in the state clusters), CRV1 by state and the restricted wild cluster
bootstrap (Rademacher) of the DID coefficient: the warehouse's own estimators
(:mod:`cluster_resilience.estimators`), fed the rows of ``bench_moments`` and of the SQL residual
pass ``bench_residual_moments``, exactly as :mod:`cluster_resilience.runs.grid` feeds them the
warehouse's ``int_regression_moments``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from cluster_resilience.estimators.inference import InferenceOptions, WildBootstrapOptions
from cluster_resilience.estimators.inference.wild_bootstrap import bootstrap_coefficient
from cluster_resilience.estimators.moments import moments_from_long, residual_moments_from_long
from cluster_resilience.estimators.ols import OlsFit, solve_moments

FIT_ID = "bench_did"
DID_TERM = "treated_x_post"
CLUSTER = "state_id"
PYFIXEST_FORMULA = f"y ~ {DID_TERM} | county_id + year"


def did_terms(moment_rows: pd.DataFrame) -> list[str]:
    """The DID term first, then the year dummies in year order."""
    terms = set(moment_rows.loc[moment_rows["moment"] == "xy", "term_a"])
    if DID_TERM not in terms:
        raise ValueError(f"the moments have no {DID_TERM!r} term: is any county treated?")
    return [DID_TERM, *sorted(terms - {DID_TERM})]


def solve_did(
    moment_rows: pd.DataFrame,
    n_absorbed: int,
    residual_pass: Callable[[pd.DataFrame], pd.DataFrame],
    *,
    reps: int,
    seed: int,
    planted_effect: float,
) -> dict:
    """Coefficient, CRV1 standard error and wild-bootstrap p-value and interval of the DID term,
    and the bootstrap p-value of H0: effect = the planted effect (true by construction, so its
    p-value is not at the bound and shows how two bootstraps agree).

    ``residual_pass(params)``: runs the SQL residual pass given the coefficients (fit_id, term,
    estimate) and returns its rows. Returns the figures and the time of each phase (seconds).
    """
    timings = {}
    start = time.perf_counter()
    terms = did_terms(moment_rows)
    moments = moments_from_long(
        moment_rows, terms=terms, n_absorbed=n_absorbed, has_intercept=True
    )
    params, _ = solve_moments(moments)
    timings["linear_solve_s"] = time.perf_counter() - start

    start = time.perf_counter()
    params_frame = pd.DataFrame({"fit_id": FIT_ID, "term": terms, "estimate": params})
    residual_rows = residual_pass(params_frame)
    fit = OlsFit.from_moments(moments, residual_moments_from_long(residual_rows, terms))
    timings["residual_pass_s"] = time.perf_counter() - start

    start = time.perf_counter()
    crv1 = fit.infer("CRV1")
    timings["crv1_s"] = time.perf_counter() - start

    start = time.perf_counter()
    options = InferenceOptions(
        bootstrap=WildBootstrapOptions(reps=reps, weights="rademacher", seed=seed),
        bootstrap_terms=(DID_TERM,),
    )
    boot = fit.infer("wild_bootstrap", options=options)
    timings["bootstrap_s"] = time.perf_counter() - start

    index = terms.index(DID_TERM)
    at_planted = bootstrap_coefficient(
        moments, index, options=options.bootstrap, null_value=planted_effect, with_ci=False,
        xtx_inv=fit.xtx_inv,
    )
    return {
        "estimate": float(fit.params[index]),
        "crv1_se": float(crv1.std_errors[index]),
        "crv1_p": float(crv1.p_values[index]),
        "boot_p": float(boot.p_values[index]),
        "boot_p_is_bound": bool(boot.p_value_is_bound[index]),
        "boot_ci": [float(boot.conf_low[index]), float(boot.conf_high[index])],
        "boot_p_planted": float(at_planted.p_value),
        "planted_effect": planted_effect,
        "n_obs": int(fit.n_obs),
        "n_clusters": int(fit.n_clusters),
        "n_params": int(fit.n_params),
        "year_effects": {term: float(value) for term, value in zip(terms, fit.params, strict=True)
                         if term != DID_TERM},
        **timings,
    }


def wildboottest_p_value(y: np.ndarray, x: np.ndarray, cluster: np.ndarray, *, reps: int,
                         seed: int) -> float:
    """Two-tailed p-value of H0: b = 0 in the regression of ``y`` on the columns of ``x``
    (first column tested), by wildboottest's ``WildboottestCL`` called exactly as pyfixest's
    ``Feols.wildboottest`` calls it (WCR11, Rademacher, small-sample factors on)."""
    from wildboottest.wildboottest import WildboottestCL

    restriction = np.zeros(x.shape[1])
    restriction[0] = 1.0
    boot = WildboottestCL(
        X=x, Y=y, cluster=cluster, R=restriction, B=reps, seed=seed, parallel=False
    )
    boot.get_scores(bootstrap_type="11", impose_null=True, adj=True, cluster_adj=True)
    boot.get_weights(weights_type="rademacher")
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    return float(boot.pvalue)


def pyfixest_did(data: pd.DataFrame, *, reps: int, seed: int, planted_effect: float) -> dict:
    """The same regression in pyfixest: ``feols`` with county and year effects, CRV1 by state
    counting every fixed-effect level (``k_fixef='full'``, as ours), then the wild bootstrap.

    pyfixest's ``Feols.wildboottest`` expands every fixed effect into a DENSE one-hot design
    (rows x (1 + counties + years) doubles: 26 GB at 1M rows), so on a county panel the bootstrap
    it would run (:func:`wildboottest_p_value`) is run on the fit's within-transformed data
    (pyfixest's own demeaned y and treated_x_post, ``fit._Y`` and ``fit._X``): the
    Frisch-Waugh-Lovell form of the same regression (same coefficient; the same CRV1 standard
    error up to the small-sample factor, which a bootstrap p-value does not depend on). The
    county effects are nested in the clusters; the year effects are not, so its bootstrap draws
    leave the year means of the bootstrap residuals in, which ours projects out: p-values agree
    up to that (the same seed draws the same weights). wildboottest tests H0: effect = 0 only;
    H0: effect = the planted effect is the same test of y - planted x treated_x_post. Returns
    figures and the time of each phase.
    """
    import pyfixest as pf

    timings = {}
    start = time.perf_counter()
    fit = pf.feols(
        PYFIXEST_FORMULA, data=data, vcov={"CRV1": CLUSTER}, ssc=pf.ssc(k_fixef="full")
    )
    estimate = float(fit.coef()[DID_TERM])
    crv1_se = float(fit.se()[DID_TERM])
    crv1_p = float(fit.pvalue()[DID_TERM])
    timings["fit_s"] = time.perf_counter() - start

    start = time.perf_counter()
    index = list(fit._coefnames).index(DID_TERM)
    y_within = np.asarray(fit._Y, dtype=float).ravel()
    x_within = np.asarray(fit._X, dtype=float)[:, [index]]
    cluster = fit._data[CLUSTER].to_numpy()
    boot_p = wildboottest_p_value(y_within, x_within, cluster, reps=reps, seed=seed)
    timings["bootstrap_s"] = time.perf_counter() - start
    boot_p_planted = wildboottest_p_value(
        y_within - planted_effect * x_within[:, 0], x_within, cluster, reps=reps, seed=seed
    )
    return {
        "estimate": estimate,
        "crv1_se": crv1_se,
        "crv1_p": crv1_p,
        "boot_p": boot_p,
        "boot_p_planted": boot_p_planted,
        "within_estimate": float(x_within[:, 0] @ y_within / (x_within[:, 0] @ x_within[:, 0])),
        "n_obs": int(fit._N),
        **timings,
    }
