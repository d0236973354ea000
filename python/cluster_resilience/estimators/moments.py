"""Sufficient statistics of a least-squares fit, per cluster (compressed regression).

Every linear model this project estimates (DID, factor regression, event study with state and
year effects) is exactly computable from small per-cluster sums: X_g'X_g, X_g'y_g, y_g'y_g and
n_g for every cluster g (Wong, Lewis and Wardrop 2021; the pyfixest team's duckreg). In the
warehouse these sums come from SQL (``macros/regression_moments.sql``, model
``int_regression_moments``) and Python only receives the small per-cluster tables; for tests and
for array input :func:`moments_from_arrays` computes the same sums with numpy.

Fixed effects nested in the clusters (state effects, clustered by state) are absorbed exactly:
the sums are *within* sums, X_g'X_g - n_f xbar_f xbar_f' over the effect's groups f in g, and the
number of absorbed levels is kept (``n_absorbed``) because it counts in the degrees of freedom.

What needs residuals (the HC1 meat, the residual sum of squares) comes from a second pass over
the rows once the coefficients are known (:class:`ResidualMoments`): in SQL,
``int_regression_residual_moments``; for arrays, :func:`residual_moments_from_arrays`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


class EstimationError(ValueError):
    """The data cannot support the requested regression (too few rows, a singular design...)."""


@dataclass(frozen=True)
class Moments:
    """Per-cluster sums of one regression. Clusters are in ``clusters`` order (sorted labels, the
    order in which wild-bootstrap weights are drawn, as wildboottest draws them)."""

    terms: tuple[str, ...]
    clusters: np.ndarray  # (G,) cluster labels, sorted
    xtx: np.ndarray  # (G, k, k) within X_g'X_g
    xty: np.ndarray  # (G, k) within X_g'y_g
    yty: np.ndarray  # (G,) sum of squares of y about its centre (see total_sum_of_squares)
    n_obs: np.ndarray  # (G,) rows per cluster
    n_absorbed: int = 0  # fixed-effect levels absorbed (they count as parameters)
    has_intercept: bool = True  # an intercept term, or absorbed effects that contain one

    def __post_init__(self) -> None:
        k = len(self.terms)
        g = len(self.clusters)
        if self.xtx.shape != (g, k, k) or self.xty.shape != (g, k):
            raise EstimationError(
                f"moments of {k} terms and {g} clusters have shapes {self.xtx.shape} and "
                f"{self.xty.shape}"
            )
        if len(set(self.terms)) != k:
            raise EstimationError(f"repeated term names in {self.terms}")

    @property
    def n_params(self) -> int:
        """Estimated parameters: the terms plus the absorbed fixed-effect levels."""
        return len(self.terms) + self.n_absorbed

    @property
    def total_obs(self) -> int:
        return int(self.n_obs.sum())

    @property
    def n_clusters(self) -> int:
        return len(self.clusters)

    @property
    def total_xtx(self) -> np.ndarray:
        return self.xtx.sum(axis=0)

    @property
    def total_xty(self) -> np.ndarray:
        return self.xty.sum(axis=0)

    def total_sum_of_squares(self) -> float:
        """The total sum of squares R-squared compares with: y about its mean with an intercept,
        about its fixed-effect level's mean with absorbed effects (within), about 0 otherwise.
        ``yty`` holds it per cluster, already centred."""
        return float(self.yty.sum())


@dataclass(frozen=True)
class ResidualMoments:
    """What needs the residuals u = y - Xb of a fit: the residual sum of squares and the HC1 meat
    sum_i x_i x_i' u_i^2 (within x for absorbed effects)."""

    rss: float
    hc1_meat: np.ndarray  # (k, k)


def _codes(values) -> tuple[np.ndarray, np.ndarray]:
    labels, codes = np.unique(np.asarray(values), return_inverse=True)
    return labels, codes.reshape(-1)


def _demean(matrix: np.ndarray, groups: np.ndarray) -> np.ndarray:
    counts = np.bincount(groups).astype(float)
    sums = np.zeros((counts.size, matrix.shape[1]))
    np.add.at(sums, groups, matrix)
    return matrix - (sums / counts[:, None])[groups]


def _prepare(
    y, X, cluster, absorb
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    response = np.asarray(y, dtype=float)
    design = np.asarray(X, dtype=float)
    if design.ndim != 2:
        raise EstimationError(f"X must be a 2-d design matrix, got shape {design.shape}")
    n_obs = design.shape[0]
    if response.shape != (n_obs,):
        raise EstimationError(f"y has shape {response.shape}; X has {n_obs} rows")
    if not (np.isfinite(response).all() and np.isfinite(design).all()):
        raise EstimationError("y and X must be finite: drop missing rows before fitting")
    if cluster is None:
        cluster_labels, cluster_codes = np.arange(n_obs), np.arange(n_obs)
    else:
        cluster_values = np.asarray(cluster)
        if cluster_values.shape != (n_obs,):
            raise EstimationError(f"cluster has {cluster_values.shape[0]} rows; X has {n_obs}")
        if pd.isna(cluster_values).any():
            raise EstimationError("cluster has missing values")
        cluster_labels, cluster_codes = _codes(cluster_values)
    n_absorbed = 0
    if absorb is not None:
        absorb_values = np.asarray(absorb)
        if absorb_values.shape != (n_obs,) or pd.isna(absorb_values).any():
            raise EstimationError("absorb must give a fixed-effect level for every row")
        _, absorb_codes = _codes(absorb_values)
        nested = pd.Series(cluster_codes).groupby(absorb_codes).nunique().max() == 1
        if not nested:
            raise EstimationError("absorbed fixed effects must be nested in the clusters")
        n_absorbed = int(absorb_codes.max()) + 1
        design = _demean(design, absorb_codes)
        response = _demean(response[:, None], absorb_codes)[:, 0]
    return response, design, cluster_labels, cluster_codes, n_absorbed


def moments_from_arrays(
    y,
    X,
    *,
    terms: list[str] | tuple[str, ...],
    cluster=None,
    absorb=None,
    has_intercept: bool = True,
) -> Moments:
    """The per-cluster sums of ``y`` on ``X`` (numpy), as SQL computes them in the warehouse.

    ``cluster``: cluster labels (None: every row its own cluster, enough for iid and HC1).
    ``absorb``: fixed-effect levels nested in the clusters, absorbed by demeaning.
    """
    response, design, labels, codes, n_absorbed = _prepare(y, X, cluster, absorb)
    g, k = len(labels), design.shape[1]
    xtx = np.zeros((g, k, k))
    np.add.at(xtx, codes, design[:, :, None] * design[:, None, :])
    xty = np.zeros((g, k))
    np.add.at(xty, codes, design * response[:, None])
    # y about its centre: the fixed-effect level's mean (already demeaned), the mean with an
    # intercept, 0 without (as the SQL moments' 'yy')
    centred = response - response.mean() if has_intercept and n_absorbed == 0 else response
    yty = np.bincount(codes, weights=centred * centred, minlength=g)
    n_obs = np.bincount(codes, minlength=g)
    return Moments(
        terms=tuple(terms),
        clusters=labels,
        xtx=xtx,
        xty=xty,
        yty=yty,
        n_obs=n_obs,
        n_absorbed=n_absorbed,
        has_intercept=has_intercept or n_absorbed > 0,
    )


def residual_moments_from_arrays(y, X, params: np.ndarray, *, absorb=None) -> ResidualMoments:
    """The residual pass for array input (``int_regression_residual_moments`` in SQL)."""
    response, design, _, _, _ = _prepare(y, X, absorb, absorb)
    residuals = response - design @ params
    weighted = design * residuals[:, None]
    return ResidualMoments(rss=float(residuals @ residuals), hc1_meat=weighted.T @ weighted)


def moments_from_long(
    rows: pd.DataFrame,
    *,
    terms: list[str] | tuple[str, ...],
    n_absorbed: int,
    has_intercept: bool,
) -> Moments:
    """Moments of one fit from the long rows ``int_regression_moments`` holds.

    ``rows``: columns cluster_id, moment ('xx', 'xy', 'yy', 'n'), term_a, term_b, value;
    'xx' rows carry each unordered term pair once. Terms missing from a cluster's rows are 0.
    """
    index = pd.Series(range(len(terms)), index=list(terms))
    labels = np.array(sorted(rows["cluster_id"].unique()), dtype=object)
    g, k = len(labels), len(terms)
    clusters = pd.Series(range(g), index=labels)[rows["cluster_id"]].to_numpy()
    moment = rows["moment"].to_numpy()
    values = rows["value"].to_numpy(dtype=float)
    unknown = set(moment) - {"xx", "xy", "yy", "n"}
    if unknown:
        raise EstimationError(f"unknown moment(s) {sorted(unknown)}")
    xtx, xty = np.zeros((g, k, k)), np.zeros((g, k))
    yty, n_obs = np.zeros(g), np.zeros(g, dtype=np.int64)
    xx = moment == "xx"
    i = index[rows["term_a"][xx]].to_numpy()
    j = index[rows["term_b"][xx]].to_numpy()
    xtx[clusters[xx], i, j] = values[xx]
    xtx[clusters[xx], j, i] = values[xx]
    xy = moment == "xy"
    xty[clusters[xy], index[rows["term_a"][xy]].to_numpy()] = values[xy]
    yy = moment == "yy"
    yty[clusters[yy]] = values[yy]
    count = moment == "n"
    n_obs[clusters[count]] = np.round(values[count]).astype(np.int64)
    return Moments(
        terms=tuple(terms), clusters=labels, xtx=xtx, xty=xty, yty=yty, n_obs=n_obs,
        n_absorbed=n_absorbed, has_intercept=has_intercept,
    )


def residual_moments_from_long(rows: pd.DataFrame, terms: list[str] | tuple[str, ...]):
    """The residual pass of one fit from ``int_regression_residual_moments`` rows (moment 'rss'
    or 'meat' with term_a, term_b; each unordered pair once)."""
    index = {term: position for position, term in enumerate(terms)}
    meat = np.zeros((len(terms), len(terms)))
    rss = None
    for moment, a, b, value in rows[["moment", "term_a", "term_b", "value"]].itertuples(
        index=False
    ):
        if moment == "rss":
            rss = float(value)
        else:
            meat[index[a], index[b]] = meat[index[b], index[a]] = float(value)
    if rss is None:
        raise EstimationError("the residual pass has no residual sum of squares")
    return ResidualMoments(rss=rss, hc1_meat=meat)
