"""Priorities, gain, room, evidence and score: the one definition of each (private).

Every ranking in the library -- :func:`factormodel.recommend`, the budgeted
portfolios, :func:`factormodel.monte_carlo`, :func:`factormodel.sensitivity`
and the deprecated :func:`factormodel.leverage` -- calls these functions, so a
rule changes in one place.

For the chosen goals ``o`` (maatschappelijke resultaten: any node or indicator)
with priorities ``p_o`` and desired signs ``s_o`` (+1 if the goal wants the node
higher, -1 lower: the sign of a :class:`~factormodel.Goal`'s change, else the
node's own desired direction), and a node ``f`` with desired sign ``d_f``:

* **gain** ``= d_f · Σ_o p_o · s_o · T[f, o]`` -- the priority-weighted
  improvement of the goals (SD) per SD that ``f`` moves in its good direction.
  ``T`` = total effects (one checked solve).
* **room** ``= max(0, −d_f · Δ_f)`` -- how far an area is on the wrong side of
  its reference (SD). NaN when ``f`` is not measured: flagged, never guessed.
* **evidence** ``= Σ_o p_o T_E[f, o] / Σ_o p_o T_|W|[f, o]`` -- the share of the
  unsigned path weight from ``f`` to the goals that survives discounting every
  edge by its strength class (:data:`EVIDENCE`; an edge whose source is
  ``expert judgement`` counts as zwak whatever its class). ``T_|W|`` and ``T_E`` sum walks
  over ``γα|W|`` and ``γαE`` (``E[i, j] = |W[i, j]|`` times its strength value),
  damped by ``γ = min(1, 0.95 / ρ(α|W|))`` (:data:`EVIDENCE_DAMPING`): unsigned
  walk sums can diverge where the signed effects converge (loops of opposite
  sign cancel in ``T`` but not in ``T_|W|``), so every hop of the unsigned sums
  counts ``γ`` times. ``γ = 1`` -- the plain unsigned sums -- whenever
  ``ρ(α|W|) <= 0.95``, as for the bundled models; the measure is continuous in
  the weights and exists whenever the signed effects do.
* **expected improvement** ``= room · max(gain, 0)``; **score** ``= expected
  improvement · evidence``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from factormodel import vocab
from factormodel.analysis.goals import goal_weights as goal_weights_of
from factormodel.core import _linalg
from factormodel.core.model import FactorModel

__all__ = ["EVIDENCE", "EVIDENCE_DAMPING", "Gains", "evidence_damping", "expected_improvement",
           "gains", "priorities", "room", "score"]

#: Evidence value of an edge per strength class; an expert-judgement edge counts as zwak.
EVIDENCE = {"sterk": 1.0, "matig": 2.0 / 3.0, "zwak": 1.0 / 3.0}

#: The largest spectral radius the unsigned walk sums behind the evidence share may
#: have; above it every hop is damped (see the module docstring).
EVIDENCE_DAMPING = 0.95


def goal_weights(model: FactorModel, goals: Any) -> tuple[dict[str, float], dict[str, int]]:
    """Goals with their priorities and desired signs: ``({node: p > 0}, {node: ±1})``.

    A goal (maatschappelijk resultaat) may be any node of the model, factor or
    outcome, or an indicator (its node); given as ids, labels, ``{id:
    priority}`` or :class:`~factormodel.Goal` objects. A Goal with a change sets
    the direction by its sign; otherwise the node's own (``model.desired_sign``).

    Raises
    ------
    InvalidParameterError
        No goal, or a priority that is not a finite number above 0.
    UnknownNodeError
        A goal that is not a node or indicator of the model (with close matches).
    """
    return goal_weights_of(model, goals)


def priorities(model: FactorModel, goals: Any) -> dict[str, float]:
    """Goals with their priorities: ``{node id: priority > 0}`` (see :func:`goal_weights`)."""
    return goal_weights(model, goals)[0]


@dataclass(frozen=True)
class Gains:
    """Gain and evidence of every node for a set of goals (arrays in model order).

    ``per_goal[i, k]`` is node i's priority-weighted improvement of goal k per
    SD that i moves in its good direction; ``gain`` is their sum.
    """

    goals: dict[str, float]
    signs: dict[str, int]
    per_goal: np.ndarray
    gain: np.ndarray
    evidence: np.ndarray
    effects: np.ndarray  # T[:, goals]: total effect of every node on each goal


def own_goal(factor_pos: np.ndarray, goal_pos: np.ndarray) -> np.ndarray:
    """``mask[i, k]``: factor i is goal k itself.

    A ranking of factors (``recommend``, the Monte Carlo rank stability) does not
    count that term: a factor that is itself a chosen goal is not ranked as a
    lever for itself ("to lower schoolverzuim, lower schoolverzuim" is no advice),
    only for its effect on the other goals. Portfolios keep it: an intervention
    aimed at the goal itself does improve it.
    """
    return np.asarray(factor_pos)[:, None] == np.asarray(goal_pos)[None, :]


def gains(model: FactorModel, goals: Any, *, alpha: float = 1.0) -> Gains:
    """Gain and evidence of every node for ``goals`` (see the module docstring).

    Computed once per model, goals and ``alpha`` (cached on the model; the
    arrays are read-only), so a recommendation and a portfolio for the same
    goals share one solve.
    """
    prio, signs = goal_weights(model, goals)
    return model.cached(("gains", tuple(prio.items()), tuple(signs.items()), float(alpha)),
                        lambda: _gains(model, prio, signs, alpha))


def _gains(model: FactorModel, prio: dict[str, float], signs: dict[str, int],
           alpha: float) -> Gains:
    cols = model.positions(list(prio))
    T = _linalg.system(model, alpha).columns(cols)
    p = np.array(list(prio.values()))
    s = model.desired_sign.to_numpy(dtype=float)
    s_goal = np.array([signs[o] for o in prio], dtype=float)
    per_goal = s[:, None] * (T * (p * s_goal)[None, :])
    weight = np.abs(model.edge_values("weight").astype(float))
    strength = np.where(model.edge_values("source_ref") == vocab.EXPERT_JUDGEMENT,
                        EVIDENCE["zwak"], [EVIDENCE[k] for k in model.edge_values("strength")])
    damped = alpha * evidence_damping(model, alpha)  # rho(damped |W|) <= 0.95: sums exist
    T_abs, T_e = _linalg.unsigned_columns(model, damped, weight, weight * strength, cols)
    with np.errstate(invalid="ignore", divide="ignore"):
        evidence = np.where(T_abs @ p > 0, (T_e @ p) / (T_abs @ p), np.nan)
    out = Gains(prio, signs, per_goal, per_goal.sum(axis=1), evidence, T)
    for a in (out.per_goal, out.gain, out.evidence, out.effects):
        a.flags.writeable = False
    return out


def evidence_damping(model: FactorModel, alpha: float = 1.0) -> float:
    """γ = min(1, EVIDENCE_DAMPING / ρ(α|W|)): the per-hop damping of the unsigned sums."""
    absW = _linalg.absolute(_linalg.system(model).W)
    if alpha * _linalg.perron_upper_bound(absW) <= EVIDENCE_DAMPING or model.structure.acyclic:
        return 1.0
    rho, _ = _linalg.spectral_radius(absW, threshold=EVIDENCE_DAMPING / alpha)
    return min(1.0, EVIDENCE_DAMPING / (alpha * rho))


def room(desired_sign: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """How far each delta lies on the wrong side of its reference (SD; NaN kept).

    ``desired_sign`` broadcasts against ``delta`` (e.g. factors, or areas x factors).
    """
    with np.errstate(invalid="ignore"):
        return np.maximum(0.0, -np.asarray(desired_sign, dtype=float) * np.asarray(delta, float))


def expected_improvement(room_: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Improvement of the goals (SD) from closing the gap: ``room · max(gain, 0)``."""
    return room_ * np.maximum(gain, 0.0)


def score(expected: np.ndarray, evidence: np.ndarray) -> np.ndarray:
    """Recommendation score: expected improvement times evidence (unknown evidence = 0)."""
    return expected * np.nan_to_num(evidence)
