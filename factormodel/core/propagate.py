"""Push changes through the model and explain the result.

Linear mode (default) follows the structural form ``x = W^T x + u`` of the
design notes. With ``clamp=True`` the nodes given a delta are *observed*: they
keep their value and their incoming edges are cut (the do-operator), so

    Δx_F = (I - α W_FF^T)^-1 (α W_CF^T Δx_C)

for the free nodes F. With ``clamp=False`` the deltas are shocks ``Δu`` on which
feedback acts: ``Δx^T = Δu^T (I - α W)^-1``. Either way the result is linear in
the inputs, so the contribution of input ``c`` to node ``j`` is
``Δx_c · T[c, j]`` and contributions add up exactly to each predicted delta.

``method="fcm"`` runs a fuzzy cognitive map instead (see :mod:`factormodel.fcm`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from factormodel.core import _linalg
from factormodel.core.effects import check_alpha
from factormodel.core.fcm import FCMResult, propagate_fcm
from factormodel.core.model import FactorModel
from factormodel.errors import InvalidDeltaError, InvalidParameterError, UnknownNodeError
from factormodel.tables._cells import parse_numbers, table_decimal_mark
from factormodel.tables._graph import path_graph, patterns, strongest_paths
from factormodel.tables._guards import DELTA_BOUND
from factormodel.tables._json import json_safe
from factormodel.tables._results import PROVENANCE, ScenarioResult, check_lang, provenance_of
from factormodel.text import numbers as fmt

__all__ = ["PropagationResult", "propagate", "raise_if_transposed"]


def _signed(x: float, lang: str) -> str:
    return fmt.signed(float(x), 3, lang, significant=True)

_RESIDUAL = "(other paths and feedback loops)"


@dataclass(frozen=True, eq=False)
class _Group:
    """Scenarios that share the same set of given nodes, and their effect rows.

    The effect rows (total effect of each given node on every node) are what
    attribution needs. When a group has fewer scenarios than given nodes the
    deltas come from one solve per scenario instead, and the rows are computed
    only when an attribution is asked for (then kept).
    """

    rows: np.ndarray  # scenario positions
    cols: np.ndarray  # positions of the given nodes among the input columns
    solver: Any  # the checked solve of the graph used (incoming edges of clamped nodes cut)
    sources: np.ndarray  # model positions of the given nodes
    max_hops: int | None
    _effect: list[np.ndarray] = field(default_factory=list)

    @property
    def graph(self) -> Any:
        """Weight matrix used (incoming edges of clamped nodes cut)."""
        return self.solver.W

    @property
    def effect(self) -> np.ndarray:
        """len(cols) x n: total effect of each given node on every node."""
        if not self._effect:
            src = self.sources
            if not len(src):
                rows = np.zeros((0, self.solver.n))
            elif self.max_hops is None:
                rows = self.solver.rows(src)
            else:
                rows = _linalg.truncated_rows(self.solver.W, self.solver.alpha, src,
                                              int(self.max_hops))
            self._effect.append(rows)
        return self._effect[0]

    def deltas(self, values: np.ndarray) -> np.ndarray:
        """``values @ self.effect`` (scenarios x n) with one solve per scenario."""
        if self.max_hops is not None or self._effect:
            return values @ self.effect
        return self.solver.combined(self.sources, values)


@dataclass(frozen=True, repr=False, eq=False)
class PropagationResult(ScenarioResult):
    """The outcome of :func:`propagate`.

    Attributes
    ----------
    model : FactorModel
    inputs : Series or DataFrame
        The deltas as given (one scenario: a Series; several: a DataFrame with
        one row per scenario).
    deltas : Series or DataFrame
        Predicted change of every node (model order), same shape as ``inputs``
        but with every node as a column.
    clamp, alpha, max_hops
        The settings used (``method`` is always ``"linear"``; an FCM run gives
        a :class:`factormodel.fcm.FCMResult`).
    provenance : dict
        What the inputs were computed from, when they came from a
        :class:`~factormodel.Profile` (``prof.row(area)``, ``prof.deltas``, or a
        selection of those): area, year, reference, synthetic data (see
        :meth:`factormodel.Profile.provenance`); empty for plain deltas.
        :func:`factormodel.plot_contributions` names them in the figure.

    With ``missing="free"`` an input cell may be NaN: that node was not given
    in that scenario (it is predicted), and its contributions are NaN there.
    """

    model: FactorModel
    inputs: pd.Series | pd.DataFrame
    deltas: pd.Series | pd.DataFrame
    clamp: bool
    alpha: float
    max_hops: int | None
    _groups: tuple[_Group, ...] = field(default=())
    method: str = "linear"
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # the predictions say what they were computed from, also when handed on alone
        # (r.outcomes to to_indicator_units, which then finds the area's reference)
        if self.provenance:
            deltas = self.deltas.copy(deep=False)
            deltas.attrs = {PROVENANCE: dict(self.provenance)}
            object.__setattr__(self, "deltas", deltas)

    def summary(self, lang: str = "nl") -> str:
        """The predicted outcome changes in a sentence, largest first, in Dutch (``"nl"``)
        or English; several scenarios: the outcome that changes most on average.

        Examples
        --------
        >>> import factormodel as fm
        >>> r = fm.propagate(fm.load_model("toy"), {"armoede": 1.0, "schoolverzuim": 0.5})
        >>> print(r.summary("en"))  # doctest: +NORMALIZE_WHITESPACE
        Predicted change of the outcomes from 2 given nodes, in SD between children:
        early school leaving +0.330, school success -0.270.
        >>> r.summary()[:40]
        'Voorspelde verandering van de resultaten'
        """
        nl = check_lang(lang) == "nl"
        labels = self.model.nodes[f"label_{lang}"]
        outs = self.outcomes
        if isinstance(outs, pd.DataFrame):  # several scenarios (self.batch)
            mean = outs.mean().dropna()
            order = mean.abs().sort_values(ascending=False, kind="stable").index[:3]
            parts = ", ".join(f"{labels[o]} {_signed(mean[o], lang)}" for o in order)
            text = (f"Voorspelde verandering van de resultaten in {len(outs)} scenario's, "
                    f"gemiddeld in SD tussen kinderen: {parts}." if nl else
                    f"Predicted change of the outcomes in {len(outs)} scenarios, on average in "
                    f"SD between children: {parts}.")
        else:
            given = int(self.inputs.notna().sum())
            values = outs.dropna()
            order = values.abs().sort_values(ascending=False, kind="stable").index
            parts = (", ".join(f"{labels[o]} {_signed(values[o], lang)}" for o in order)
                     or ("geen" if nl else "none"))
            nodes = (("knooppunt" if given == 1 else "knooppunten") if nl else
                     ("node" if given == 1 else "nodes"))
            text = (f"Voorspelde verandering van de resultaten door {given} gegeven {nodes}, "
                    f"in SD tussen kinderen: {parts}." if nl else
                    f"Predicted change of the outcomes from {given} given {nodes}, in SD "
                    f"between children: {parts}.")
        area = self.provenance.get("area")
        if area is not None:
            text = (f"{area}: " if not self.batch else "") + text
        if self.provenance.get("synthetic"):
            text += " SYNTHETISCHE gegevens, geen metingen." if nl else \
                " SYNTHETIC data, not measurements."
        return text

    @property
    def _given(self) -> np.ndarray:
        """Given deltas as a scenarios x inputs array (NaN = not given)."""
        return self.inputs.to_numpy(dtype=float).reshape(len(self.inputs) if self.batch else 1,
                                                          -1)

    def _contribution_array(self, cols: np.ndarray) -> np.ndarray:
        """scenarios x inputs x len(cols) contributions; NaN where an input was not given."""
        D = self._given
        out = np.full((*D.shape, len(cols)), np.nan)
        for g in self._groups:
            block = D[np.ix_(g.rows, g.cols)][:, :, None] * g.effect[:, cols][None, :, :]
            out[np.ix_(g.rows, g.cols)] = block
        return out

    def contributions_to(self, node: str) -> pd.Series | pd.DataFrame:
        """Contribution of each input to the predicted delta of ``node``.

        One scenario: a Series indexed by input node; several: a DataFrame
        (scenarios x inputs). Contributions sum exactly to the node's delta.

        Examples
        --------
        >>> import factormodel as fm
        >>> r = fm.propagate(fm.load_model("toy"), {"armoede": 1.0, "schoolverzuim": 0.5})
        >>> r.contributions_to("vsv").round(4).to_dict()
        {'armoede': 0.08, 'schoolverzuim': 0.25}
        >>> float(r.deltas["vsv"].round(4))
        0.33
        """
        values = self._contribution_array(self.model.positions([node]))[:, :, 0]
        sources = pd.Index(self._sources, name="input")
        if self.batch:
            return pd.DataFrame(values, index=self.inputs.index, columns=sources)
        return pd.Series(values[0], index=sources, name=node)

    @property
    def contributions(self) -> pd.DataFrame:
        """Contribution of each input (rows) to each outcome (columns).

        For several scenarios the rows are a (scenario, input) MultiIndex. Per
        outcome (and scenario) the contributions sum exactly to the outcome's
        predicted delta.
        """
        outs = list(self.model.outcomes)
        values = self._contribution_array(self.model.positions(outs))
        sources = pd.Index(self._sources, name="input")
        if not self.batch:
            return pd.DataFrame(values[0], index=sources, columns=pd.Index(outs, name="outcome"))
        values = values.reshape(-1, len(outs))
        names: list[Hashable] = [self.inputs.index.name or "scenario", "input"]
        index = pd.MultiIndex.from_product([self.inputs.index, sources], names=names)
        return pd.DataFrame(values, index=index, columns=pd.Index(outs, name="outcome"))

    @property
    def _sources(self) -> list[str]:
        return list(self.inputs.columns if self.batch else self.inputs.index)

    def paths(self, outcome: str, top: int = 5, scenario: Any = None) -> pd.DataFrame:
        """The strongest paths from the inputs to ``outcome``, and the rest.

        Each path's contribution is the input's delta times the product of the
        weights along the path (times ``alpha`` per hop). The last row, the
        residual, holds everything not listed (weaker paths and feedback
        loops), so the ``contribution`` column adds up exactly to the outcome's
        predicted delta.

        Parameters
        ----------
        outcome : str
            Any node id (usually an outcome).
        top : int
            How many paths to list.
        scenario : label, optional
            Required when several scenarios were propagated.

        Examples
        --------
        >>> import factormodel as fm
        >>> r = fm.propagate(fm.load_model("toy"), {"armoede": 1.0})
        >>> p = r.paths("vsv", top=2)
        >>> print(p[["path", "contribution"]].round(4))
                                                    path  contribution
        0               armoede → schoolprestaties → vsv          0.08
        1  armoede → opvoedklimaat → schoolverzuim → vsv          0.06
        2               (other paths and feedback loops)          0.04
        >>> bool(abs(p["contribution"].sum() - r.deltas["vsv"]) < 1e-12)
        True
        """
        if not isinstance(top, int) or top < 0:
            raise InvalidParameterError(f"top must be a whole number >= 0, got {top!r}")
        target = int(self.model.positions([outcome])[0])
        deltas = self.deltas
        if isinstance(deltas, pd.DataFrame):  # several scenarios (self.batch)
            if scenario is None:
                raise InvalidParameterError("several scenarios were propagated; pass "
                                            "scenario=<row label>")
            if scenario not in self.inputs.index:
                raise UnknownNodeError(f"unknown scenario {scenario!r}; scenarios: "
                                       f"{', '.join(map(str, self.inputs.index[:10]))}")
            position = self.inputs.index.get_loc(scenario)
            if not isinstance(position, int | np.integer):
                raise InvalidParameterError(f"scenario label {scenario!r} is not unique")
            given = cast(pd.DataFrame, self.inputs).iloc[position]
            total = float(deltas.iloc[position][outcome])
        else:
            position = 0
            given = cast(pd.Series, self.inputs)  # one scenario: a Series like its deltas
            total = float(deltas[outcome])
        group = next(g for g in self._groups if position in g.rows)
        graph = path_graph(group.graph, self.alpha)
        names = self.model.node_ids
        candidates: list[tuple[float, tuple[int, ...], float, float]] = []
        for src, delta in given.iloc[group.cols].items():
            d = float(delta)
            if d == 0:
                continue
            s = int(self.model.positions([cast(str, src)])[0])
            for path, product in strongest_paths(graph, s, target, top, self.max_hops):
                candidates.append((abs(d * product), path, product, d))
        best = heapq.nlargest(top, candidates, key=lambda c: c[0])
        rows: list[dict[str, Any]] = [
            {"path": " → ".join(names[i] for i in path), "source": names[path[0]],
             "hops": len(path) - 1, "product": product, "source_delta": d,
             "contribution": d * product} for _, path, product, d in best]
        listed = math.fsum(r["contribution"] for r in rows)
        rows.append({"path": _RESIDUAL, "source": "", "hops": np.nan, "product": np.nan,
                     "source_delta": np.nan, "contribution": total - listed})
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per (scenario,) node with its delta and role.

        ``role`` is ``clamped`` (held at its given value), ``shocked`` (given,
        not held), ``predicted``, or ``not reached``: no given node has a path
        to it, so its delta 0 is an assumption (it stays at the reference), not
        a prediction -- e.g. an unmeasured factor whose causes are unmeasured too.
        """
        given_role = "clamped" if self.clamp else "shocked"
        D = self._given
        given = np.zeros((D.shape[0], self.model.n_nodes), dtype=bool)
        given[:, self.model.positions(self._sources)] = ~np.isnan(D)
        reached = np.zeros_like(given)
        for group in self._groups:
            if len(group.sources):
                reached[group.rows] = _linalg.reachable(group.solver.W, group.sources).any(axis=0)
        deltas = self.deltas
        if isinstance(deltas, pd.DataFrame):  # several scenarios (self.batch)
            long = deltas.rename_axis(index="scenario").reset_index().melt(
                id_vars="scenario", var_name="node", value_name="delta")
            flags, hit = given.T.ravel(), reached.T.ravel()  # melt stacks node by node
        else:
            long = deltas.rename("delta").rename_axis("node").reset_index()
            flags, hit = given[0], reached[0]
        long["role"] = np.where(flags, given_role, np.where(hit, "predicted", "not reached"))
        long["kind"] = long["node"].map(self.model.node_values("kind")).to_numpy()
        return long

    @property
    def settings(self) -> dict[str, Any]:
        """The propagation's settings and units, as every JSON document of it states them.

        Examples
        --------
        >>> import factormodel as fm
        >>> fm.propagate(fm.load_model("toy"), {"armoede": 1.0}).settings["units"]
        'standard deviations (SD)'
        """
        return {"method": "linear", "clamp": self.clamp, "alpha": self.alpha,
                "max_hops": self.max_hops, "units": "standard deviations (SD)"}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: settings and every node's delta with its role (NaN as None)."""
        return json_safe({"model": self.model.name, "status": self.model.metadata.status,
                          **self.settings, "deltas": self.to_frame()})

    def _repr_html_(self) -> str:
        from factormodel.tables._html import result_html

        return result_html(self)

    def __repr__(self) -> str:
        shape = (f"{len(self.deltas)} scenarios" if self.batch else "1 scenario")
        return (f"<PropagationResult {self.method} on {self.model.name!r}: {shape}, "
                f"{len(self._sources)} input nodes, clamp={self.clamp}, alpha={self.alpha:g}"
                f"{'' if self.max_hops is None else f', max_hops={self.max_hops}'}"
                f"{_about(self.provenance)}>")


def _about(provenance: Mapping[str, Any]) -> str:
    """The inputs' area and synthetic status for a one-line repr (empty when unknown)."""
    area = provenance.get("area")
    return (f", inputs of {area!r}" if area is not None else "") + \
        (", SYNTHETIC data" if provenance.get("synthetic") else "")


# --------------------------------------------------------------------------- inputs


def raise_if_transposed(model: FactorModel, frame: pd.DataFrame) -> None:
    """Refuse a table whose rows are node ids and whose columns are not (areas as columns,
    e.g. ``profile.deltas.T``), saying so, instead of listing every column as unknown.

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> m = fm.load_model("toy")
    >>> raise_if_transposed(m, pd.DataFrame({"Noord": [0.5], "Zuid": [0.1]}, index=["armoede"]))
    Traceback (most recent call last):
    ...
    factormodel.errors.UnknownNodeError: 2 of 2 columns are not nodes of model 'toy' ('Noord',
    'Zuid'), while the rows are node ids: the columns look like area names; transpose? Pass
    deltas.T (areas as rows, nodes as columns)
    """
    if not len(frame):
        return
    cols = [str(c) for c in frame.columns]
    unknown = [c for c in cols if c not in model]
    rows_are_nodes = sum(str(i) in model for i in frame.index) * 2 >= len(frame)
    if not unknown or not rows_are_nodes:
        return
    shown = ", ".join(map(repr, unknown[:3])) + (", ..." if len(unknown) > 3 else "")
    raise UnknownNodeError(
        f"{len(unknown)} of {len(cols)} columns are not nodes of model {model.name!r} "
        f"({shown}), while the rows are node ids: the columns look like area names; "
        "transpose? Pass deltas.T (areas as rows, nodes as columns)")


def _parse_deltas(model: FactorModel, deltas: Any, missing: str = "raise"
                  ) -> pd.Series | pd.DataFrame:
    """Deltas as a float Series (one scenario) or DataFrame (scenarios x nodes).

    Text cells are read by the library's one cell parser (``"0,5"`` is 0.5, an
    ambiguous ``"1,000"`` is an error). With ``missing="free"`` empty or NaN
    cells (and ``-``) mean "not given" and stay
    NaN; infinite and non-numeric cells are always errors.
    """
    if missing not in ("raise", "free"):
        raise InvalidParameterError(f"missing must be 'raise' or 'free', got {missing!r}")
    if isinstance(deltas, Mapping) and not isinstance(deltas, pd.Series):
        given = dict(deltas)
        # plain numbers go straight to float (the cell parser is for text: 8x slower)
        plain = all(isinstance(v, int | float | np.integer | np.floating)
                    and not isinstance(v, bool | np.bool_) for v in given.values())
        deltas = pd.Series(given, dtype=float if plain and given else object)
    if isinstance(deltas, pd.Series):
        frame, single = deltas.to_frame().T, True
    elif isinstance(deltas, pd.DataFrame):
        frame, single = deltas, False
    else:
        raise InvalidDeltaError("deltas must be a mapping {node id: delta}, a Series indexed "
                                "by node id, or a DataFrame with node ids as columns; got "
                                f"{type(deltas).__name__}")
    cols = [str(c) for c in frame.columns]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise InvalidDeltaError(f"node given more than once: {', '.join(map(repr, dup))}")
    if not single:
        raise_if_transposed(model, frame)
    model.positions(cols)  # UnknownNodeError naming the unknown ids (the first few)
    errors = np.full(frame.shape, None, dtype=object)
    if not len(frame.columns):
        values = np.zeros((len(frame), 0))
        bad = np.zeros(values.shape, dtype=bool)
    elif all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
             for t in frame.dtypes):
        values = frame.to_numpy(dtype=float)  # fast path: already numbers
        bad = ~np.isfinite(values) if missing == "raise" else np.isinf(values)
    else:  # text cells ('0,5', '"0,5"', '.'): the library's one cell parser
        mark = table_decimal_mark(frame.iloc[:, k] for k in range(frame.shape[1]))
        parsed = [parse_numbers(frame.iloc[:, k], decimal=mark) for k in range(frame.shape[1])]
        values = np.column_stack([p[0] for p in parsed])
        errors = np.column_stack([p[2] for p in parsed])
        bad = pd.notna(errors)
        if missing == "raise":
            bad |= np.column_stack([p[1] != "" for p in parsed])
    if bad.any():
        raw = frame.to_numpy(dtype=object)
        shown = []
        for r, c in zip(*np.nonzero(bad), strict=True):
            where = f"{cols[c]!r}" if single else f"row {frame.index[r]!r}, node {cols[c]!r}"
            why = f" ({errors[r, c]})" if errors[r, c] else ""
            shown.append(f"{where}: {raw[r, c]!r}{why}")
        more = f" (and {len(shown) - 10} more)" if len(shown) > 10 else ""
        raise InvalidDeltaError(
            f"{len(shown)} delta{'s are' if len(shown) > 1 else ' is'} missing, NaN, infinite "
            f"or not a number: {'; '.join(shown[:10])}{more}. Leave a node out to let the "
            "model predict it, or pass missing='free' to treat empty cells as not given.")
    with np.errstate(invalid="ignore"):
        huge = np.abs(values) > DELTA_BOUND
    if huge.any():
        shown = [f"{cols[c]!r}" if single else f"row {frame.index[r]!r}, node {cols[c]!r}"
                 for r, c in zip(*np.nonzero(huge), strict=True)]
        raise InvalidDeltaError(
            f"{len(shown)} delta{'s are' if len(shown) > 1 else ' is'} beyond "
            f"{DELTA_BOUND:g} SD in magnitude (deltas are in standard deviations): "
            + "; ".join(shown[:10]))
    out = pd.DataFrame(values, index=frame.index, columns=cols)
    return out.iloc[0].rename(None) if single else out


# --------------------------------------------------------------------------- public


def propagate(model: FactorModel, deltas: Any, *, clamp: bool = True, alpha: float = 1.0,
              max_hops: int | None = None, method: str = "linear", missing: str = "raise",
              **fcm_options: Any) -> PropagationResult | FCMResult:
    """Propagate deltas of some nodes to predicted deltas of every node.

    Parameters
    ----------
    model : FactorModel
    deltas : mapping, Series or DataFrame
        ``{node id: delta}`` or a Series for one scenario; a DataFrame with one
        row per scenario (e.g. per wijk) and node ids as columns for many,
        computed in one vectorised call. Deltas are in model units (SD).
    clamp : bool, default True
        Hold every given node at its delta and cut its incoming edges (the
        do-operator). With False the deltas are shocks on which feedback acts.
    alpha : float, default 1.0
        Per-hop attenuation of path effects.
    max_hops : int, optional
        Count only paths (walks) of at most this many edges; always finite,
        also for models whose loops would not converge.
    missing : {"raise", "free"}, default "raise"
        What an empty / NaN delta means. ``"raise"``: an error. ``"free"``: the
        node was not measured in that scenario, so it is predicted like any
        other node (e.g. a wijk profile with unmeasured factors). Scenarios
        with the same set of given nodes are solved together.
    method : {"linear", "fcm"}
        ``"fcm"`` runs a fuzzy cognitive map (options: ``rule``, ``transfer``,
        ``lam``, ``initial``, ``tol``, ``max_iter``, ``strict``; see
        :func:`factormodel.fcm.simulate`). There the given values are the
        levels at which concepts are clamped, and ``deltas`` is the scenario's
        steady state minus the baseline steady state.

    Returns
    -------
    PropagationResult
        (:class:`factormodel.fcm.FCMResult` with ``method="fcm"``)

    Raises
    ------
    UnknownNodeError
        For node ids not in the model (with close matches).
    InvalidDeltaError
        For infinite or non-numeric deltas, and NaN unless ``missing="free"``.
    NotConvergentError
        If feedback loops make the effects diverge (linear mode without
        ``max_hops``), or an FCM run does not settle (``strict=True``).

    Examples
    --------
    >>> import factormodel as fm
    >>> toy = fm.load_model("toy")
    >>> r = fm.propagate(toy, {"opvoedklimaat": 1.0})
    >>> print(r.deltas.round(3))
    node
    armoede             0.00
    opvoedklimaat       1.00
    schoolverzuim      -0.40
    schoolprestaties    0.20
    vsv                -0.20
    schoolsucces        0.12
    Name: delta, dtype: float64
    """
    if method == "fcm":
        if max_hops is not None or alpha != 1.0 or not clamp:
            raise InvalidParameterError("method='fcm' clamps the given concepts and takes no "
                                        "alpha or max_hops; use fcm options (lam, rule, ...)")
        return propagate_fcm(model, _parse_deltas(model, deltas, missing), **fcm_options)
    if method != "linear":
        raise InvalidParameterError(f"unknown method {method!r}; expected 'linear' or 'fcm'")
    if fcm_options:
        raise InvalidParameterError(f"unexpected option(s) for method='linear': "
                                    f"{', '.join(sorted(fcm_options))}")
    alpha = check_alpha(alpha)
    if max_hops is not None and (not isinstance(max_hops, int | np.integer) or max_hops < 0):
        raise InvalidParameterError(f"max_hops must be a whole number >= 0, got {max_hops!r}")
    given = _parse_deltas(model, deltas, missing)
    batch = isinstance(given, pd.DataFrame)
    sources = list(given.columns if batch else given.index)
    idx = model.positions(sources)
    base = _linalg.system(model, alpha)
    D = given.to_numpy(dtype=float).reshape(len(given) if batch else 1, len(sources))
    pats, which = patterns(~np.isnan(D))
    X = np.zeros((D.shape[0], model.n_nodes))
    groups = []
    # one check covers every set of clamped nodes, unless |W| itself is too strong
    every_cut = clamp and len(pats) > 1 and model.n_nodes <= _linalg.DENSE_LIMIT and \
        base.converges_for_every_cut()
    for p, pattern in enumerate(pats):  # one solve per set of given nodes, not per row
        rows = np.flatnonzero(which == p)
        cols = np.flatnonzero(pattern)
        src = idx[cols]
        solver = base.cut(src, checked=every_cut) if clamp else base
        group = _Group(rows=rows, cols=cols, solver=solver, sources=src, max_hops=max_hops)
        if len(src) and len(rows) < len(src):
            # fewer scenarios than given nodes: solve for the scenarios themselves and
            # leave the per-node effect rows (attribution) until they are asked for
            X[rows] = group.deltas(D[np.ix_(rows, cols)])
        elif len(pats) == 1 and len(cols) == D.shape[1]:
            X = D @ group.effect  # everything given everywhere: no fancy indexing
        else:
            X[rows] = D[np.ix_(rows, cols)] @ group.effect
        groups.append(group)
    if batch:
        out = pd.DataFrame(X, index=given.index, columns=pd.Index(model.node_ids, name="node"))
    else:
        out = pd.Series(X[0], index=pd.Index(model.node_ids, name="node"), name="delta")
    return PropagationResult(model=model, inputs=given, deltas=out, clamp=clamp, alpha=alpha,
                             max_hops=max_hops, _groups=tuple(groups),
                             provenance=provenance_of(deltas))
