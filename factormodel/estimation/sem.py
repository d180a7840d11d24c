"""Calibration with unmeasured nodes: a structural-equation fit of the weights to area data.

The model is linear, ``x = Wᵀ x + e`` with independent residuals
``e ~ N(0, Ψ)``, so the node covariance is ``Σ = A Ψ Aᵀ`` with
``A = (I − Wᵀ)⁻¹`` (:func:`factormodel.coherence.standardised_solution`). Only
some nodes are measured; the others are latent. The implied covariance of the
measured nodes ``Σ_oo`` is fitted to the sample covariance ``S`` of their
standardised area deltas (each measured column mean 0, SD 1 across the areas)
with the Gaussian maximum-likelihood discrepancy

    F = n/2 · (log det Σ_oo + tr(S Σ_oo⁻¹) − log det S − m)

raised to the power ``strength``, plus the Gaussian prior of every weight
``w ~ N(b₀, s₀²)`` (``b₀`` the model's weight, ``s₀`` the edge's own SD, as
:func:`factormodel.calibrate.prior_sd` reads it). Parameters:

* every edge weight;
* the residual variance of every measured node, as ``log ψ`` (so it stays
  positive);
* a latent node has no scale of its own in the data: its residual variance is
  set so that its total variance is 1 (the standardised solution), which keeps
  its weights on the model's scale.

The maximum a posteriori is found with L-BFGS-B on the analytic gradient; the
posterior SD of each weight is the Laplace approximation (inverse of the
expected information plus the prior precision). An edge whose posterior SD is
at least 95% of its prior SD is reported as *not informed by the data*: its
weight is (nearly) its prior, and the result says so instead of hiding it.

With every node measured and a flat prior the fit factorises into one
regression per node (the ordinary calibration, :func:`factormodel.estimate_weights`);
on an identified model without priors it is the maximum-likelihood SEM
estimate (semopy's ``MLW``); both are tested. Loops are allowed as long as the
fitted weights keep the spectral radius below 1.

Area-level associations are not individual effects: weights fitted to areas
describe how areas differ, not what an intervention does for one child.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
import pandas as pd
from scipy import optimize

from factormodel.core import _linalg
from factormodel.core.coherence import standardised_solution
from factormodel.errors import (
    CalibrationConvergenceError,
    CollinearIndicatorsError,
    CovarianceNotPositiveDefiniteError,
    DataError,
    DataWarning,
    InvalidParameterError,
    NotConvergentError,
    TooFewAreasError,
)
from factormodel.tables._results import Result

if TYPE_CHECKING:
    from factormodel.core.model import FactorModel

__all__ = ["INFORMED_RATIO", "SEMFit", "fit_sem"]

#: An edge is *informed by the data* when its posterior SD is below this share of its prior SD.
INFORMED_RATIO = 0.95

# The smallest residual variance a latent node may take (a smooth penalty below it).
_PSI_MIN = 1e-3
_PENALTY = 1e4
# Smallest eigenvalue of the indicator correlation matrix, relative to the largest,
# below which indicators are (nearly) collinear.
_COLLINEAR = 1e-8


@dataclass(frozen=True)
class SEMFit(Result):
    """Result of :func:`fit_sem` (and of ``fm.calibrate(..., method="sem")``).

    Attributes
    ----------
    model : FactorModel or None
        The calibrated model (set by :func:`factormodel.calibrate_sem`; ``None``
        straight from :func:`fit_sem`).
    edges : DataFrame
        One row per edge: ``source, target, prior, prior_sd, weight, sd, low,
        high`` (95% Laplace interval), ``sd_ratio`` (posterior SD / prior SD),
        ``informed`` (``sd_ratio`` below :data:`INFORMED_RATIO`) and ``status``
        (``"calibrated"`` or ``"not informed by the data"``).
    residual_variances : DataFrame
        One row per node: ``node, measured, psi`` (residual variance; latent
        nodes have theirs set so that their total variance is 1).
    measured : tuple of str
        The measured nodes used (standardised across areas).
    n_areas : int
        Areas (or area-years) behind the covariance (an indicator missing in some
        of them is handled by the EM covariance under missing at random).
    log_likelihood : float
        Gaussian log-likelihood of the measured nodes at the optimum.
    chi2, df : float, int
        ``2 F`` at the optimum (likelihood ratio against the saturated model) and
        its degrees of freedom ``m(m+1)/2`` minus the informed parameters (may be
        negative when the priors carry the fit).
    srmr : float
        Root mean square of ``S − Σ_oo`` (off-diagonal and diagonal, lower triangle).
    iterations : int
        L-BFGS-B iterations.
    strength : float
        Power of the likelihood.
    """

    edges: pd.DataFrame
    residual_variances: pd.DataFrame
    measured: tuple[str, ...]
    n_areas: int
    log_likelihood: float
    chi2: float
    df: int
    srmr: float
    iterations: int
    strength: float
    model: FactorModel | None = None
    _covariance: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))

    def to_frame(self) -> pd.DataFrame:
        """The edge table (prior, posterior mean and SD, whether the data informed it)."""
        return self.edges.copy()

    @property
    def not_informed(self) -> pd.DataFrame:
        """Edges whose weight the data did not inform (posterior ≈ prior)."""
        return self.edges.loc[~self.edges["informed"]].reset_index(drop=True)

    def summary(self) -> str:
        """A few lines: what was measured, how many edges the data informed, the fit."""
        e = self.edges
        return (f"SEM calibration on {self.n_areas} areas, {len(self.measured)} measured "
                f"nodes ({', '.join(self.measured)}); {int(e['informed'].sum())} of "
                f"{len(e)} edges informed by the data, {int((~e['informed']).sum())} keep "
                f"(nearly) their prior; chi2 {self.chi2:.2f} on {self.df} df, SRMR "
                f"{self.srmr:.3f}. Area-level associations are not individual effects.")


def _standardised_covariance(nodes: pd.DataFrame, max_iter: int = 500, tol: float = 1e-9
                             ) -> tuple[np.ndarray, int]:
    """Covariance of the columns standardised over their own rows, and the number of rows.

    With indicators missing in some areas it is the maximum-likelihood (EM)
    covariance of a multivariate normal under missing at random, which stays
    positive definite where a pairwise covariance need not; with complete rows it
    is the ordinary covariance (``ddof=1``).
    """
    z = ((nodes - nodes.mean()) / nodes.std(ddof=1)).to_numpy(dtype=float)
    n, m = z.shape
    miss = np.isnan(z)
    if not miss.any():
        return np.cov(z, rowvar=False).reshape(m, m), n
    patterns, which = np.unique(miss, axis=0, return_inverse=True)
    mu = np.nanmean(z, axis=0)
    S = np.diag(np.nanvar(z, axis=0))
    filled = np.where(miss, 0.0, z)
    for _ in range(max_iter):
        X = np.where(miss, mu, filled)
        extra = np.zeros((m, m))
        for k, pat in enumerate(patterns):
            if not pat.any():
                continue
            rows = which == k
            o, u = ~pat, pat
            if o.any():
                B = np.linalg.solve(S[np.ix_(o, o)], S[np.ix_(o, u)])  # regression of u on o
                X[np.ix_(rows, u)] = mu[u] + (z[np.ix_(rows, o)] - mu[o]) @ B
                cond = S[np.ix_(u, u)] - S[np.ix_(u, o)] @ B
            else:
                cond = S[np.ix_(u, u)]
            extra[np.ix_(u, u)] += rows.sum() * cond
        mu_new = X.mean(axis=0)
        D = X - mu_new
        S_new = (D.T @ D + extra) / n
        done = np.max(np.abs(S_new - S)) < tol
        mu, S = mu_new, S_new
        if done:
            break
    return S * n / (n - 1), n


def _check_covariance(S: np.ndarray, names: list[str], n: int, pairwise: bool) -> None:
    """Raise when the indicator covariance cannot carry a likelihood."""
    if np.isnan(S).any():
        i, j = np.argwhere(np.isnan(S))[0]
        raise DataError(f"no area has both {names[i]!r} and {names[j]!r} measured: their "
                        "covariance is unknown. Remedy: drop one of them or add areas "
                        "where both are measured")
    lam, vec = np.linalg.eigh(S)
    if lam[0] < -1e-10 * max(lam[-1], 1.0):
        why = " (indicators measured in different areas)" if pairwise else ""
        raise CovarianceNotPositiveDefiniteError(
            f"the covariance of the measured indicators across areas is not positive "
            f"definite (smallest eigenvalue {lam[0]:.3g}){why}; "
            f"indicators involved: {', '.join(_involved(vec[:, 0], names))}. Remedy: use only "
            "areas where all of them are measured, or drop the sparsest indicator")
    if lam[0] <= _COLLINEAR * max(lam[-1], 1.0):
        raise CollinearIndicatorsError(
            f"the measured indicators are perfectly collinear across the {n} areas "
            f"(smallest eigenvalue of their correlation matrix {lam[0]:.2g}): "
            f"{', '.join(_involved(vec[:, 0], names))} are a linear combination of each "
            "other. Remedy: drop one of them (two indicators of the same node should be "
            "combined in the catalogue, not both mapped), or add areas")


def _involved(v: np.ndarray, names: list[str]) -> list[str]:
    big = np.abs(v) > 0.1 * np.abs(v).max()
    return [n for n, b in zip(names, big, strict=True) if b]


class _Problem:
    """The implied covariance of the measured nodes, its derivatives and the objective."""

    def __init__(self, W0: np.ndarray, src: np.ndarray, dst: np.ndarray, obs: np.ndarray,
                 S: np.ndarray, n: int, strength: float, b0: np.ndarray,
                 prec0: np.ndarray) -> None:
        self.W0, self.src, self.dst, self.obs = W0, src, dst, obs
        k = W0.shape[0]
        self.lat = np.setdiff1d(np.arange(k), obs)
        self.S, self.n, self.strength = S, n, strength
        self.b0, self.prec0 = b0, prec0
        self.E, self.m = len(src), len(obs)
        self.logdet_S = float(np.linalg.slogdet(S)[1])

    def weights(self, theta: np.ndarray) -> np.ndarray:
        W = self.W0.copy()
        W[self.src, self.dst] = theta[:self.E]
        return W

    def implied(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """Σ over all nodes, ψ, A and the pieces the derivatives need."""
        A, _ = standardised_solution(self.weights(theta))
        o, L = self.obs, self.lat
        psi = np.empty(A.shape[0])
        psi[o] = np.exp(theta[self.E:])
        M = A * A
        MLL = M[np.ix_(L, L)]
        if len(L):
            psi[L] = np.linalg.solve(MLL, 1.0 - M[np.ix_(L, o)] @ psi[o])
        Sig = (A * psi) @ A.T
        return {"A": A, "psi": psi, "Sig": Sig, "M": M, "MLL": MLL}

    def derivatives(self, theta: np.ndarray, p: dict[str, np.ndarray]
                    ) -> tuple[np.ndarray, np.ndarray]:
        """dΣ_oo / dθ as (P, m, m) and dψ_L / dθ as (|L|, P)."""
        A, Sig, M, psi = p["A"], p["Sig"], p["M"], p["psi"]
        o, L, src, dst = self.obs, self.lat, self.src, self.dst
        Ao = A[o]
        # weights: dA = A[:, t] A[s, :]  =>  dΣ = A[:, t] Σ[s, :] + Σ[:, s] A[:, t]ᵀ + A dΨ Aᵀ
        Dw = np.einsum("ae,be->eab", Ao[:, dst], Sig[np.ix_(o, src)])
        Dw = Dw + Dw.transpose(0, 2, 1)
        Dp = np.einsum("aj,bj->jab", Ao, Ao)  # dΣ_oo / dψ_j for every node j
        dpsiL = np.zeros((len(L), self.E + self.m))
        if len(L):
            MLL = p["MLL"]
            # d(M ψ)_L = 0 over the latent rows: dM ψ = 2 A[:, t] ∘ Σ[:, s]
            dM_psi = 2.0 * A[np.ix_(L, dst)] * Sig[np.ix_(L, src)]
            dpsiL[:, :self.E] = -np.linalg.solve(MLL, dM_psi)
            dpsiL[:, self.E:] = -np.linalg.solve(MLL, M[np.ix_(L, o)]) * psi[o]
        D = np.concatenate([Dw, Dp[o] * psi[o][:, None, None]], axis=0)
        if len(L):
            D = D + np.einsum("lp,lab->pab", dpsiL, Dp[L])
        return D, dpsiL

    @overload
    def value(self, theta: np.ndarray, grad: Literal[True] = ...
              ) -> tuple[float, np.ndarray]: ...

    @overload
    def value(self, theta: np.ndarray, grad: Literal[False]) -> float: ...

    def value(self, theta: np.ndarray, grad: bool = True
              ) -> tuple[float, np.ndarray] | float:
        try:
            p = self.implied(theta)
        except (NotConvergentError, np.linalg.LinAlgError):
            return (1e20, np.zeros_like(theta)) if grad else 1e20
        o = self.obs
        Soo = p["Sig"][np.ix_(o, o)]
        try:
            C = np.linalg.cholesky(Soo)
        except np.linalg.LinAlgError:
            return (1e20, np.zeros_like(theta)) if grad else 1e20
        Ci = np.linalg.solve(C, np.eye(self.m))
        Si = Ci.T @ Ci
        logdet = 2.0 * float(np.log(np.diag(C)).sum())
        half = 0.5 * self.n * self.strength
        F = half * (logdet + float(np.sum(self.S * Si)) - self.logdet_S - self.m)
        d = theta[:self.E] - self.b0
        F += 0.5 * float(np.sum(self.prec0 * d * d))
        short = np.maximum(0.0, _PSI_MIN - p["psi"][self.lat])
        F += _PENALTY * float(np.sum(short ** 2))
        if not grad:
            return F
        D, dpsiL = self.derivatives(theta, p)
        G = half * (Si - Si @ self.S @ Si)
        g = np.einsum("ab,pab->p", G, D)
        g[:self.E] += self.prec0 * d
        if len(self.lat):
            g -= 2.0 * _PENALTY * short @ dpsiL
        return F, g

    def information(self, theta: np.ndarray) -> np.ndarray:
        """Expected information of the likelihood (times ``strength``)."""
        p = self.implied(theta)
        o = self.obs
        Soo = p["Sig"][np.ix_(o, o)]
        C = np.linalg.cholesky(np.linalg.inv(Soo))  # Σ⁻¹ = C Cᵀ
        D, _ = self.derivatives(theta, p)
        K = np.einsum("ai,pab,bj->pij", C, D, C).reshape(len(D), -1)
        return 0.5 * self.n * self.strength * (K @ K.T)


def _connected(W: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """Which pairs of measured nodes the model connects (a common ancestor, themselves
    included)."""
    anc = _linalg.reachable(W, obs, reverse=True)  # which nodes reach each measured node
    shared = (anc.astype(int) @ anc.T.astype(int)) > 0
    np.fill_diagonal(shared, False)
    return shared


def fit_sem(model: FactorModel, nodes: pd.DataFrame, prior_sd: np.ndarray, *,
            strength: float = 1.0, prior: str = "model", max_iter: int = 2000) -> SEMFit:
    """Fit the weights of ``model`` to area node deltas with unmeasured nodes latent.

    Parameters
    ----------
    model : FactorModel
        The prior: each edge's weight (and its position in the graph).
    nodes : DataFrame
        One row per area (or area-year), node ids as columns, NaN where not
        measured. Columns entirely NaN are latent.
    prior_sd : array
        Prior SD of each edge, in the order of ``model.edges``.
    strength : float, default 1.0
        Power of the likelihood (0 returns the prior).
    prior : {"model", "flat"}
        ``"flat"`` drops the prior (maximum likelihood): then every edge must be
        identified by the data.
    max_iter : int
        Iterations of L-BFGS-B before :class:`factormodel.errors.CalibrationConvergenceError`.

    Returns
    -------
    SEMFit

    Raises
    ------
    DataError
        Fewer than two measured nodes that the model connects; a measured node
        that does not vary; two indicators never measured in the same area.
    TooFewAreasError
        Not more areas than measured indicators (the covariance is singular), or
        (without prior) not more areas than free parameters.
    CovarianceNotPositiveDefiniteError
        The pairwise covariance (indicators measured in different areas) is not
        positive definite.
    CollinearIndicatorsError
        Measured indicators that are a linear combination of each other.
    CalibrationConvergenceError
        The optimiser did not converge, or the fitted weights make a loop diverge.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import factormodel as fm
    >>> from factormodel.estimation.calibrate import prior_sd
    >>> from factormodel.estimation.sem import fit_sem
    >>> toy = fm.load_model("toy")
    >>> rng = np.random.default_rng(0)
    >>> data = pd.DataFrame(rng.standard_normal((200, 3)),
    ...                     columns=["armoede", "schoolverzuim", "vsv"])
    >>> fit = fit_sem(toy, data, prior_sd(toy).to_numpy())
    >>> fit.measured
    ('armoede', 'schoolverzuim', 'vsv')
    >>> bool(fit.edges["informed"].any()), bool((~fit.edges["informed"]).any())
    (True, True)
    """
    if prior not in ("model", "flat"):
        raise InvalidParameterError(f"prior must be 'model' or 'flat', got {prior!r}")
    if not (isinstance(strength, int | float) and math.isfinite(strength) and strength >= 0):
        raise InvalidParameterError(f"strength must be a number >= 0, got {strength!r}")
    ids = list(model.node_ids)
    nodes = nodes.reindex(columns=[c for c in ids if c in nodes.columns]).astype(float)
    present = [c for c in nodes.columns if nodes[c].notna().sum() >= 2]
    flat = [c for c in present if not nodes[c].std(ddof=1) > 0]
    if flat:
        raise DataError(f"measured node(s) without variation across the areas: "
                        f"{', '.join(flat)}. Remedy: drop them from the data (a constant "
                        "carries no information about the weights)")
    edges = model.edges
    src_all = model.positions(edges["source"])
    dst_all = model.positions(edges["target"])
    k = model.n_nodes
    W0 = np.zeros((k, k))
    W0[src_all, dst_all] = edges["weight"].to_numpy(float)
    obs_all = model.positions(present) if present else np.zeros(0, dtype=np.intp)
    linked = _connected(W0, obs_all) if len(obs_all) else np.zeros((0, 0), dtype=bool)
    keep = np.asarray(linked.any(axis=1), dtype=bool)
    if keep.sum() < 2:
        raise DataError(
            f"SEM calibration needs at least two measured nodes that the model connects "
            f"(a common cause, or one causing the other); measured: "
            f"{', '.join(present) or 'none'}. Remedy: measure more of the model's nodes "
            "(check the indicator catalogue maps the data's columns onto nodes)")
    measured = [c for c, kp in zip(present, keep, strict=True) if kp]
    obs = model.positions(measured)
    rows = nodes[measured].dropna(how="all")
    pairwise = bool(rows.isna().any().any())
    counts = rows.notna().to_numpy(float).T @ rows.notna().to_numpy(float)
    if (counts < 2).any():
        i, j = np.argwhere(counts < 2)[0]
        raise DataError(f"no two areas have both {measured[i]!r} and {measured[j]!r} "
                        "measured: their covariance is unknown. Remedy: drop one of them or "
                        "add areas where both are measured")
    S, n = _standardised_covariance(rows)
    m = len(measured)
    if n <= m:
        raise TooFewAreasError(
            f"{n} areas for {m} measured "
            f"indicators: the sample covariance is singular with n <= m. Remedy: add areas "
            "or years, or measure fewer indicators")
    _check_covariance(S, measured, n, pairwise)
    s0 = np.asarray(prior_sd, dtype=float)
    b0 = edges["weight"].to_numpy(float)
    prec0 = np.zeros(len(b0)) if prior == "flat" else 1.0 / s0 ** 2
    problem = _Problem(W0, src_all, dst_all, obs, S, n, float(strength), b0, prec0)
    # which parameters the measured covariance depends on at all (away from zero weights)
    theta_probe = np.concatenate([b0 + 0.05, np.zeros(m)])
    D0, _ = problem.derivatives(theta_probe, problem.implied(theta_probe))
    dead = np.all(np.abs(D0[:len(b0)].reshape(len(b0), -1)) < 1e-12, axis=1)
    n_free = int((~dead).sum()) + m
    if prior == "flat":
        if n <= n_free:
            raise TooFewAreasError(
                f"{n} areas for {n_free} free parameters ({n_free - m} weights and {m} "
                "residual variances) without a prior. Remedy: add areas or years, keep the "
                "model's prior (prior='model'), or fix some edges")
        if dead.any() or n_free > m * (m + 1) // 2:
            names = [f"{s} -> {t}" for s, t, dd in zip(edges["source"], edges["target"], dead,
                                                       strict=True) if dd]
            raise InvalidParameterError(
                f"without a prior the weights are not identified: {n_free} free parameters "
                f"for {m * (m + 1) // 2} covariances"
                + (f"; edges the measured nodes do not depend on: {', '.join(names[:10])}"
                   if names else "") + ". Remedy: use the model's prior (prior='model')")
    elif n <= int((~dead).sum()):
        warnings.warn(
            f"{n} areas for {int((~dead).sum())} weights the data can inform: the prior "
            "carries much of the result (see each edge's sd_ratio). Remedy: add areas or "
            "years, or use fewer indicators", DataWarning, stacklevel=3)
    theta0 = np.concatenate([b0, np.log(np.clip(np.diag(S), 1e-6, None) * 0.5)])
    sol = optimize.minimize(problem.value, theta0, jac=True, method="L-BFGS-B",
                            options={"maxiter": max_iter, "maxfun": 5 * max_iter,
                                     "ftol": 1e-13, "gtol": 1e-7})
    gnorm = float(np.max(np.abs(sol.jac))) if sol.jac is not None else math.inf
    if not sol.success and not (gnorm < 1e-4 * max(1.0, problem.n * problem.strength)):
        raise CalibrationConvergenceError(
            f"the SEM calibration did not converge after {sol.nit} iterations "
            f"({sol.message}; largest gradient {gnorm:.2g}). Remedy: raise max_iter, use "
            "fewer indicators, or a stronger prior (strength < 1)")
    theta = sol.x
    W = problem.weights(theta)
    try:
        _linalg.raise_if_divergent(W, 1.0, model.node_ids, f"calibrated model {model.name!r}")
    except NotConvergentError as exc:
        raise CalibrationConvergenceError(
            f"the calibrated weights make a feedback loop diverge: {exc}. Remedy: tighten "
            "the prior of the loop's edges (smaller sd) or lower strength") from None
    p = problem.implied(theta)
    if (p["psi"][problem.lat] < _PSI_MIN * 1.01).any() and len(problem.lat):
        bad = [ids[i] for i in problem.lat[p["psi"][problem.lat] < _PSI_MIN * 1.01]]
        raise CalibrationConvergenceError(
            f"the fit explains all the variance of latent node(s) {', '.join(bad)} "
            "(residual variance at its lower bound): the data push the weights into them "
            "beyond what the model allows. Remedy: a stronger prior (strength < 1) or "
            "fewer indicators")
    info = problem.information(theta)
    H = info.copy()
    H[np.arange(len(b0)), np.arange(len(b0))] += prec0
    cov = np.linalg.pinv(H, hermitian=True)
    sd = np.sqrt(np.clip(np.diag(cov)[:len(b0)], 0.0, None))
    ratio = np.zeros(len(b0)) if prior == "flat" else sd / s0
    w = theta[:len(b0)]
    informed = (ratio < INFORMED_RATIO) & ~dead
    table = pd.DataFrame({
        "source": edges["source"].to_numpy(), "target": edges["target"].to_numpy(),
        "prior": b0, "prior_sd": s0, "weight": w, "sd": sd,
        "low": w - 1.959963984540054 * sd, "high": w + 1.959963984540054 * sd,
        "sd_ratio": ratio, "informed": informed,
        "status": np.where(informed, "calibrated", "not informed by the data")})
    Soo = p["Sig"][np.ix_(obs, obs)]
    F = float(problem.value(theta, grad=False)) - 0.5 * float(np.sum(prec0 * (w - b0) ** 2))
    chi2 = 2.0 * F / max(strength, 1e-300) if strength > 0 else 0.0
    loglik = -0.5 * n * (m * math.log(2 * math.pi) + float(np.linalg.slogdet(Soo)[1])
                         + float(np.sum(S * np.linalg.inv(Soo))))
    tri = np.tril_indices(m)
    return SEMFit(
        edges=table,
        residual_variances=pd.DataFrame({"node": ids, "measured": np.isin(np.arange(k), obs),
                                         "psi": p["psi"]}),
        measured=tuple(measured), n_areas=n, log_likelihood=loglik, chi2=chi2,
        df=int(m * (m + 1) // 2 - int(informed.sum()) - m),
        srmr=float(np.sqrt(np.mean((S - Soo)[tri] ** 2))), iterations=int(sol.nit),
        strength=float(strength), _covariance=cov)


def sem_record(fit: SEMFit) -> dict[str, Any]:
    """The part of a calibrated model's ``calibration`` record that a SEM fit adds."""
    return {"method": "sem", "measured": list(fit.measured), "chi2": fit.chi2, "df": fit.df,
            "srmr": fit.srmr, "log_likelihood": fit.log_likelihood,
            "iterations": fit.iterations}
