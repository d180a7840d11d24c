"""Coherence of a model read as a standardised linear SEM (design notes section 2).

Edge weights are standardised direct effects. With every node at unit variance and
uncorrelated residuals ``u`` (``x = Wᵀx + u``), the model-implied covariance is
``Σ = A Ψ Aᵀ`` with ``A = (I − Wᵀ)⁻¹`` and ``Ψ = diag(ψ)``. Requiring a unit
diagonal gives the residual variances as the solution of ``(A∘A) ψ = 1``
(``∘`` is the elementwise product), and the variance that a node's parents explain
is ``R² = 1 − ψ``. Feedback loops are included: ``A`` sums every walk.

A model is *feasible* (admits a standardised solution) when every ``ψ_j > 0``,
i.e. every implied ``R²_j < 1``. A weight table that copies bivariate
correlations onto direct edges next to mediating chains typically fails this:
the parents then "explain" more than all of a node's variance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from factormodel.core import _linalg
from factormodel.errors import NotConvergentError, Problem

if TYPE_CHECKING:
    from factormodel.core.model import FactorModel

__all__ = ["CHECK_LIMIT", "coherence_problems", "implied_correlations", "implied_r2",
           "standardised_solution"]

#: Models with more nodes than this are not checked during validation (the check forms
#: dense n x n matrices); call :func:`implied_r2` yourself for them.
CHECK_LIMIT = _linalg.DENSE_LIMIT

_TOL = 1e-12


def standardised_solution(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``A = (I − Wᵀ)⁻¹`` and residual variances ``ψ`` for a dense weight matrix.

    ``W[i, j]`` is the direct effect of ``i`` on ``j``. The caller checks convergence
    (spectral radius below one) first.

    Raises
    ------
    NotConvergentError
        If ``I − Wᵀ`` or ``A∘A`` is singular (no standardised solution exists).

    Examples
    --------
    >>> import numpy as np
    >>> A, psi = standardised_solution(np.array([[0.0, 0.6], [0.0, 0.0]]))
    >>> psi.round(2).tolist()
    [1.0, 0.64]
    """
    n = W.shape[0]
    eye = np.eye(n)
    try:
        A = np.linalg.solve(eye - W.T, eye)
        psi = np.linalg.solve(A * A, np.ones(n))
    except (np.linalg.LinAlgError, ValueError) as exc:  # singular: no standardised solution
        raise NotConvergentError(f"no standardised solution exists: {exc}") from None
    return A, psi


def _dense_weights(model: FactorModel) -> np.ndarray:
    W = model.weight_array
    _linalg.raise_if_divergent(W, 1.0, model.node_ids, f"total effects of model {model.name!r}")
    return W.copy()


def implied_r2(model: FactorModel) -> pd.DataFrame:
    """Variance of each node explained by its parents in the standardised solution.

    Every node has unit variance; the residual variances ``ψ`` solve
    ``(A∘A) ψ = 1`` with ``A = (I − Wᵀ)⁻¹`` (feedback loops included), and
    ``r2 = 1 − ψ``. A node is ``feasible`` when its residual variance is positive
    (``r2 < 1``); a model whose nodes are all feasible admits a standardised
    solution. Nodes without parents have ``r2 = 0``.

    Parameters
    ----------
    model : FactorModel

    Returns
    -------
    DataFrame
        Indexed by node id in model order, columns ``kind``, ``parents`` (number of
        incoming edges), ``r2``, ``residual_variance`` and ``feasible``.

    Raises
    ------
    NotConvergentError
        If a feedback loop makes total effects diverge (spectral radius >= 1), or no
        standardised solution exists.

    Examples
    --------
    >>> import factormodel as fm
    >>> r2 = fm.implied_r2(fm.load_model("toy"))
    >>> print(r2.loc[["armoede", "vsv"], ["parents", "r2", "feasible"]].round(3))
                 parents    r2  feasible
    id
    armoede        0  0.00      True
    vsv            2  0.38      True
    """
    W = _dense_weights(model)
    _, psi = standardised_solution(W)
    parents = (W != 0).sum(axis=0)
    return pd.DataFrame({"kind": model.nodes["kind"].to_numpy(), "parents": parents,
                         "r2": 1.0 - psi, "residual_variance": psi,
                         "feasible": psi > _TOL},
                        index=pd.Index(model.node_ids, name="id"))


def implied_correlations(model: FactorModel) -> pd.DataFrame:
    """The model-implied correlation matrix ``Σ = A Ψ Aᵀ`` of the standardised solution.

    Its diagonal is one by construction. Off-diagonal entries are the correlations
    the model's direct effects imply between every pair of nodes (direct, mediated
    and through common causes).

    Raises
    ------
    NotConvergentError
        As :func:`implied_r2`.

    Examples
    --------
    >>> import factormodel as fm
    >>> S = fm.implied_correlations(fm.load_model("toy"))
    >>> float(S.loc["vsv", "vsv"])
    1.0
    """
    W = _dense_weights(model)
    A, psi = standardised_solution(W)
    S = (A * psi) @ A.T
    ids = pd.Index(model.node_ids, name="id")
    return pd.DataFrame(S, index=ids, columns=ids.rename(None))


def coherence_problems(model: FactorModel) -> list[Problem]:
    """Validation warnings: one :class:`Problem` per node whose implied R² is not below 1.

    Models with more than :data:`CHECK_LIMIT` nodes are not checked here (the check
    is dense, O(n³)); models whose total effects diverge are reported by the
    functions that need total effects, not here.

    Examples
    --------
    >>> import factormodel as fm
    >>> coherence_problems(fm.load_model("toy"))
    []
    """
    if model.n_nodes > CHECK_LIMIT:
        return []
    try:
        r2 = implied_r2(model)
    except NotConvergentError:
        return []
    bad = r2[~r2["feasible"]]
    return [Problem(f"node {node!r}",
                    f"read as standardised direct effects, its {int(row.parents)} incoming "
                    f"weights imply R² = {row.r2:.3f} (variance explained by its parents; must "
                    f"be below 1, residual variance {row.residual_variance:+.3f}). Direct "
                    "effects cannot be copied from bivariate associations; fit them with "
                    "fm.fit_to_correlations", key=("coherence", node))
            for node, row in bad.iterrows()]
