"""Fuzzy cognitive map (FCM) mode, for users of Mental Modeler, FCMapper, FCMpy, PyFCM.

The state ``A`` of every concept is iterated until it settles:

* ``kosko``:           ``A(t+1) = f(W^T A(t))``
* ``modified-kosko``:  ``A(t+1) = f(A(t) + W^T A(t))``
* ``rescaled``:        ``A(t+1) = f((2A(t) - 1) + W^T (2A(t) - 1))``

with transfer ``f`` one of ``sigmoid`` ``1 / (1 + exp(-λx))``, ``tanh``
``tanh(λx)``, ``bivalent`` (1 if x > 0 else 0) or ``trivalent`` (sign of x).
Concepts without incoming edges keep their initial value (as in FCMpy);
clamped concepts are held at their given level every step. A run stops when
no concept moves by more than ``tol`` in one step, or after ``max_iter`` steps;
every run reports whether it converged, after how many steps, the last
residual, and the period of a limit cycle if it found one.

A scenario's effect is its steady state minus the baseline steady state from
the same initial vector (Mental Modeler convention: all ones, λ = 1).

All scenarios iterate together as one matrix: no Python loop over scenarios.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel.core.model import FactorModel
from factormodel.errors import InvalidParameterError, NotConvergentError
from factormodel.tables._html import frame_html
from factormodel.tables._json import json_safe
from factormodel.tables._results import ScenarioResult

__all__ = ["RULES", "TRANSFERS", "auto_lambda", "lambda_bound", "simulate", "transfer"]

RULES = ("kosko", "modified-kosko", "rescaled")
TRANSFERS = ("sigmoid", "tanh", "bivalent", "trivalent")
_LIPSCHITZ = {"sigmoid": 0.25, "tanh": 1.0}
AUTO_FRACTION = 0.9


def transfer(x: np.ndarray, kind: str, lam: float = 1.0) -> np.ndarray:
    """Apply an FCM transfer function elementwise.

    Examples
    --------
    >>> import numpy as np
    >>> transfer(np.array([-1.0, 0.0, 2.0]), "trivalent").tolist()
    [-1.0, 0.0, 1.0]
    >>> transfer(np.array([0.0]), "sigmoid").tolist()
    [0.5]
    """
    if kind == "sigmoid":
        from scipy.special import expit  # scipy.special: ~40 ms of start-up, only for FCM runs

        return expit(lam * x if lam != 1.0 else x)
    if kind == "tanh":
        return np.tanh(lam * x if lam != 1.0 else x)
    if kind == "bivalent":
        return (x > 0).astype(float)
    if kind == "trivalent":
        return np.sign(x).astype(float)
    raise InvalidParameterError(f"unknown transfer {kind!r}; expected one of "
                                f"{', '.join(TRANSFERS)}")


def _step_input(X: np.ndarray, W: Any, rule: str) -> np.ndarray:
    """The argument of the transfer function for states X (scenarios x concepts)."""
    if rule == "kosko":
        return np.asarray(X @ W)
    if rule == "modified-kosko":
        return X + np.asarray(X @ W)
    if rule == "rescaled":
        Y = 2.0 * X - 1.0
        return Y + np.asarray(Y @ W)
    raise InvalidParameterError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")


def lambda_bound(W: Any, rule: str, transfer_kind: str, free: np.ndarray | None = None
                 ) -> float:
    """Largest λ for which the FCM map is a contraction (unique, attracting fixed point).

    The update of the free concepts is ``f(λ M^T a + c)`` with ``M = W``
    (kosko) or ``I + W`` (modified-kosko; twice that for rescaled). ``f`` has
    Lipschitz constant 1/4 (sigmoid) or 1 (tanh), so the map contracts when
    ``λ · L_f · k · ||M_FF||_2 < 1`` -- the bound of Harmati, Hatwágner &
    Kóczy (2018, "On the existence and uniqueness of fixed points of fuzzy
    cognitive maps"), with the spectral norm in place of the Frobenius norm
    that bounds it from above (so the bound is at least as large).

    Returns ``inf`` when nothing feeds back (``||M_FF|| = 0``).
    """
    if transfer_kind not in _LIPSCHITZ:
        raise InvalidParameterError(f"λ has no effect on the {transfer_kind!r} transfer")
    Wd = W.toarray() if hasattr(W, "toarray") else np.asarray(W, dtype=float)
    n = Wd.shape[0]
    M = Wd if rule == "kosko" else np.eye(n) + Wd
    if rule not in RULES:
        raise InvalidParameterError(f"unknown rule {rule!r}")
    scale = 2.0 if rule == "rescaled" else 1.0
    if free is not None:
        M = M[np.ix_(free, free)]
    norm = float(np.linalg.norm(M, 2)) if M.size else 0.0
    if norm == 0:
        return float("inf")
    return 1.0 / (_LIPSCHITZ[transfer_kind] * scale * norm)


def auto_lambda(W: Any, rule: str, transfer_kind: str, free: np.ndarray | None = None
                ) -> float:
    """``AUTO_FRACTION`` (0.9) of :func:`lambda_bound`, capped at 1 (finite if unbounded)."""
    return min(1.0, AUTO_FRACTION * lambda_bound(W, rule, transfer_kind, free))


def simulate(W: Any, initial: np.ndarray, *, clamp_mask: np.ndarray | None = None,
             clamp_values: np.ndarray | None = None, held: np.ndarray | None = None,
             rule: str = "modified-kosko", transfer_kind: str = "sigmoid", lam: float = 1.0,
             tol: float = 1e-5, max_iter: int = 500, history: int = 16
             ) -> tuple[np.ndarray, pd.DataFrame]:
    """Iterate FCM states for many scenarios at once.

    Parameters
    ----------
    W : array or sparse matrix, n x n
        ``W[i, j]`` = weight of concept i on concept j.
    initial : array, S x n (or n)
        Initial states.
    clamp_mask, clamp_values : arrays, S x n
        Where ``clamp_mask`` is True the concept is held at ``clamp_values``.
    held : bool array, n
        Concepts held at their initial value (by default: no incoming edges).
    rule, transfer_kind, lam, tol, max_iter
        See the module docstring.
    history : int
        How many past states are kept to detect a limit cycle.

    Returns
    -------
    states : array, S x n
        Final states (at convergence, or after ``max_iter`` steps).
    status : DataFrame
        Per scenario: ``converged``, ``iterations``, ``residual``, ``period``
        (limit-cycle period >= 2 found among the last ``history`` states, else 0).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0.0, 0.5], [0.0, 0.0]])
    >>> states, status = simulate(W, np.ones(2), rule="kosko", lam=1.0)
    >>> states.round(4).tolist(), bool(status.loc[0, "converged"])
    ([[1.0, 0.6225]], True)
    """
    if rule not in RULES:
        raise InvalidParameterError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    if transfer_kind not in TRANSFERS:
        raise InvalidParameterError(f"unknown transfer {transfer_kind!r}; expected one of "
                                    f"{', '.join(TRANSFERS)}")
    if not (np.isfinite(lam) and lam > 0):
        raise InvalidParameterError(f"λ (lam) must be a finite number above 0, got {lam!r}")
    if not (np.isfinite(tol) and tol >= 0):
        raise InvalidParameterError(f"tol must be >= 0, got {tol!r}")
    if not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise InvalidParameterError(f"max_iter must be a whole number >= 1, got {max_iter!r}")
    X = np.atleast_2d(np.asarray(initial, dtype=float)).copy()
    S, n = X.shape
    W = W.tocsr() if hasattr(W, "tocsr") else np.asarray(W, dtype=float)
    if held is None:
        held = _no_incoming(W)
    fixed = np.broadcast_to(held, (S, n)).copy()
    fixed_values = X.copy()
    if clamp_mask is not None:
        fixed |= clamp_mask
        fixed_values = np.where(clamp_mask, clamp_values, fixed_values)
    X = np.where(fixed, fixed_values, X)
    active = np.ones(S, dtype=bool)
    iterations = np.zeros(S, dtype=int)
    residual = np.full(S, np.inf)
    depth = max(2, int(history))
    ring = np.empty((depth, S, n))  # the last `depth` states, for limit-cycle detection
    first_kept = max_iter - depth + 1
    if first_kept <= 0:
        ring[0] = X
    rows: np.ndarray | slice = slice(None)  # all scenarios active: no fancy indexing
    fixed_rows, fixed_values_rows = fixed, fixed_values
    any_fixed = bool(fixed.any())
    change = np.zeros(S)
    step = 0
    for step in range(1, max_iter + 1):
        Xa = X[rows]
        new = transfer(_step_input(Xa, W, rule), transfer_kind, lam)
        if any_fixed:
            np.copyto(new, fixed_values_rows, where=fixed_rows)
        change = np.abs(new - Xa).max(axis=1) if n else np.zeros(len(Xa))
        X[rows] = new
        if step >= first_kept:
            ring[step % depth, rows] = new
        done = change <= tol
        if done.any():  # converged scenarios stop; the others go on
            finished = np.arange(S)[rows][done]
            active[finished] = False
            iterations[finished] = step
            residual[finished] = change[done]
            rows = np.flatnonzero(active)
            if not len(rows):
                break
            change = change[~done]
            fixed_rows, fixed_values_rows = fixed[rows], fixed_values[rows]
    open_rows = np.flatnonzero(active)
    period = np.zeros(S, dtype=int)
    if len(open_rows):
        iterations[open_rows] = step
        residual[open_rows] = change
        current = ring[step % depth, open_rows]
        for p in range(2, min(depth, step + 1)):
            back = ring[(step - p) % depth, open_rows]
            found = (period[open_rows] == 0) & (np.max(np.abs(current - back), axis=1) <= tol)
            period[open_rows[found]] = p
    status = pd.DataFrame({"converged": ~active, "iterations": iterations,
                           "residual": residual, "period": period})
    return X, status


def _initial_vector(model: FactorModel, initial: Any) -> np.ndarray:
    if isinstance(initial, Mapping | pd.Series):
        values = pd.Series(initial, dtype=float)
        model.positions(values.index)
        vec = np.ones(model.n_nodes)
        vec[model.positions(values.index)] = values.to_numpy()
        return vec
    value = np.asarray(initial, dtype=float)
    if value.ndim == 0:
        return np.full(model.n_nodes, float(value))
    if value.shape != (model.n_nodes,):
        raise InvalidParameterError(f"initial must be a number, a mapping node -> value, or "
                                    f"{model.n_nodes} values in model order")
    return value


def propagate_fcm(model: FactorModel, given: pd.Series | pd.DataFrame, *,
                  rule: str = "modified-kosko", transfer: str = "sigmoid",
                  lam: float | str = 1.0, initial: Any = 1.0, tol: float = 1e-5,
                  max_iter: int = 500, strict: bool = True) -> Any:
    """FCM scenarios for :func:`factormodel.propagate` (``method="fcm"``)."""

    W = model.weight_matrix
    n = model.n_nodes
    init = _initial_vector(model, initial)
    held = _no_incoming(W)
    if isinstance(lam, str):
        if lam != "auto":
            raise InvalidParameterError(f"lam must be a number or 'auto', got {lam!r}")
        lam = auto_lambda(W, rule, transfer, np.flatnonzero(~held))
    batch = isinstance(given, pd.DataFrame)
    frame = given if isinstance(given, pd.DataFrame) else given.to_frame().T
    cols = model.positions(frame.columns)
    S = len(frame)
    mask = np.zeros((S + 1, n), dtype=bool)
    values = np.zeros((S + 1, n))
    given_values = frame.to_numpy(dtype=float)
    mask[1:, cols] = ~np.isnan(given_values)  # NaN: not given (missing="free")
    values[1:, cols] = np.nan_to_num(given_values)
    states, status = simulate(W, np.tile(init, (S + 1, 1)), clamp_mask=mask,
                              clamp_values=values, held=held, rule=rule, transfer_kind=transfer,
                              lam=float(lam), tol=tol, max_iter=max_iter)
    labels = ["(baseline)", *(list(frame.index) if batch else ["scenario"])]
    status.index = pd.Index(labels, name="scenario")
    status["lam"] = float(lam)
    bad = status[~status["converged"]]
    if strict and len(bad):
        shown = "; ".join(f"{label!r}: residual {r.residual:.3g} after {r.iterations} steps"
                          + (f", limit cycle of period {r.period}" if r.period else "")
                          for label, r in bad.head(10).iterrows())
        raise NotConvergentError(
            f"FCM run did not settle for {len(bad)} of {S + 1} runs ({shown}). Try "
            f"lam='auto' (contraction bound), a larger max_iter, or strict=False to get the "
            f"states with their status.")
    effect = states[1:] - states[0]
    settled = status["converged"].to_numpy()
    # an effect needs both its own steady state and the baseline's
    effect[~(settled[1:] & settled[0])] = np.nan
    if batch:
        deltas = pd.DataFrame(effect, index=frame.index, columns=pd.Index(model.node_ids,
                                                                          name="node"))
    else:
        deltas = pd.Series(effect[0], index=pd.Index(model.node_ids, name="node"), name="delta")
    return FCMResult(model=model, inputs=given, deltas=deltas, status=status, rule=rule,
                     transfer=transfer, lam=float(lam))


@dataclass(frozen=True, repr=False, eq=False)
class FCMResult(ScenarioResult):
    """The outcome of a fuzzy-cognitive-map run (``propagate(..., method="fcm")``).

    Attributes
    ----------
    model : FactorModel
    inputs : Series or DataFrame
        The levels at which concepts were clamped (one scenario or one row each).
    deltas : Series or DataFrame
        Each scenario's steady state minus the baseline steady state; NaN where
        either run did not settle.
    status : DataFrame
        Per run (baseline first): ``converged, iterations, residual, period, lam``.
    rule, transfer, lam
        The update rule, squashing function and its steepness.

    FCM effects are not linear: there are no exact contributions or paths (use
    the linear mode, the default, for those).
    """

    model: FactorModel
    inputs: pd.Series | pd.DataFrame
    deltas: pd.Series | pd.DataFrame
    status: pd.DataFrame
    rule: str
    transfer: str
    lam: float
    method: str = "fcm"

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: (``scenario``,) ``node``, ``delta``, ``role``, ``kind``."""
        deltas = self.deltas
        if isinstance(deltas, pd.DataFrame):  # a batch: the inputs are a frame too
            long = deltas.rename_axis(index="scenario").reset_index().melt(
                id_vars="scenario", var_name="node", value_name="delta")
            inputs = cast(pd.DataFrame, self.inputs)
            given = inputs.reindex(columns=list(self.model.node_ids)).notna()
            flags = given.to_numpy().T.ravel()
        else:
            long = deltas.rename("delta").rename_axis("node").reset_index()
            flags = long["node"].isin(self.inputs.dropna().index).to_numpy()
        long["role"] = np.where(flags, "clamped", "predicted")
        long["kind"] = long["node"].map(self.model.node_values("kind")).to_numpy()
        return long

    @property
    def settings(self) -> dict[str, Any]:
        """The settings and units a JSON document of a propagation states: an FCM run
        always holds its given concepts (``clamp``), has no ``alpha`` or ``max_hops``."""
        return {"method": "fcm", "clamp": True, "alpha": None, "max_hops": None,
                "units": "FCM activation (scenario minus baseline steady state)"}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: settings, per-run status and the deltas (NaN as None)."""
        return json_safe({"model": self.model.name, "method": "fcm", "rule": self.rule,
                          "transfer": self.transfer, "lam": self.lam,
                          "status": self.status.reset_index(), "deltas": self.to_frame()})

    def __repr__(self) -> str:
        shape = f"{len(self.deltas)} scenarios" if self.batch else "1 scenario"
        return (f"<FCMResult {self.rule} + {self.transfer} on {self.model.name!r}: {shape}, "
                f"lam={self.lam:g}, {int(self.status['converged'].sum())} of "
                f"{len(self.status)} runs settled>")

    def _repr_html_(self) -> str:
        outcomes = self.outcomes
        frame = outcomes if isinstance(outcomes, pd.DataFrame) else outcomes.to_frame("delta")
        return frame_html(repr(self).strip("<>"), frame)


def _no_incoming(W: Any) -> np.ndarray:
    """Concepts without incoming edges (held at their initial value)."""
    return np.asarray(abs(W).sum(axis=0)).ravel() == 0
