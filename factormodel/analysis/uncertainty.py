"""How sure are the conclusions? Monte Carlo over edge weights, and exact sensitivities.

**Draws.** Each edge's weight is drawn from its uncertainty: normal with the
edge's ``sd``; uniform on ``[low, high]`` (or triangular with the weight as mode,
``distribution="triangular"``); edges without an uncertainty take the default
SD of their strength class (:data:`DEFAULT_SD`, an assumption).

**Vectorised.** Draws are processed in chunks as stacked matrices: one batched
inverse ``T_d = (I − α W_d)^-1`` per draw gives the total effects; an area
whose measured set is ``C`` (free set ``F``) gets its clamped effects from the
exact identity ``R_d = (T_d)_CC^-1 (T_d)_C·`` (the effect rows of the graph
with the edges into ``C`` cut). No Python loop runs over draws or areas --
only over chunks and over the few distinct sets of measured nodes.

**Divergence.** A draw whose feedback loops diverge (spectral radius ≥ 1 of
``α W_d`` or of a clamped graph) is counted and listed, and left out of the
statistics -- never silently.

**Sensitivity.** ``∂T[i, o] / ∂W[a, b] = α T[i, a] T[b, o]``, so the
sensitivity of a prediction and of a recommendation score to every edge is
exact (see :func:`sensitivity`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from factormodel.analysis import _scoring
from factormodel.analysis.indicators import Profile, area_deltas, check_profile, deltas_frame
from factormodel.core import _linalg
from factormodel.core.effects import check_alpha
from factormodel.core.model import FactorModel
from factormodel.errors import InvalidParameterError
from factormodel.tables._graph import patterns, topological_order
from factormodel.tables._results import PROVENANCE, Result, check_lang, provenance_of
from factormodel.text import numbers as fmt

__all__ = ["DEFAULT_SD", "MonteCarloResult", "draw_weights", "held_effect_draws", "monte_carlo",
           "sensitivity"]

#: SD of a weight without its own uncertainty, per strength class (assumption).
DEFAULT_SD = {"sterk": 0.10, "matig": 0.08, "zwak": 0.05}


def draw_weights(model: FactorModel, n_draws: int, *, seed: int = 0,
                 distribution: str = "auto", default_sd: Mapping[str, float] | None = None
                 ) -> np.ndarray:
    """Draws of every edge weight, shape ``(n_draws, n_edges)`` in the model's edge order.

    Parameters
    ----------
    distribution : {"auto", "triangular"}
        ``auto``: normal(weight, sd) where ``sd`` is given, uniform(low, high)
        where ``low``/``high`` are given. ``triangular``: triangular(low,
        weight, high) for the latter.
    default_sd : mapping strength -> SD, optional
        For edges without uncertainty (default :data:`DEFAULT_SD`).

    Examples
    --------
    >>> import factormodel as fm
    >>> d = fm.draw_weights(fm.load_model("toy"), 20000, seed=1)
    >>> d.shape, round(float(d[:, 0].mean()), 2), round(float(d[:, 0].std()), 2)
    ((20000, 7), -0.5, 0.1)
    """
    if not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise InvalidParameterError(f"n_draws must be a whole number >= 1, got {n_draws!r}")
    if distribution not in ("auto", "triangular"):
        raise InvalidParameterError(f"distribution must be 'auto' or 'triangular', got "
                                    f"{distribution!r}")
    sds = dict(DEFAULT_SD if default_sd is None else default_sd)
    e = model.edges
    w = e["weight"].to_numpy()
    sd = e["sd"].to_numpy().copy()
    lo, hi = e["low"].to_numpy(), e["high"].to_numpy()
    interval = ~np.isnan(lo)
    none = np.isnan(sd) & ~interval
    sd[none] = e.loc[none, "strength"].map(sds).to_numpy()
    if np.isnan(sd[none]).any():
        raise InvalidParameterError(f"default_sd lacks a strength class: {sds}")
    rng = np.random.default_rng(seed)
    out = w[None, :] + sd[None, :] * rng.standard_normal((n_draws, len(w)))
    if interval.any():
        u = rng.random((n_draws, int(interval.sum())))
        a, b, c = lo[interval], hi[interval], w[interval]
        if distribution == "triangular":
            width = np.where(b > a, b - a, 1.0)
            cut = (c - a) / width
            left = a + np.sqrt(u * (b - a) * (c - a))
            right = b - np.sqrt((1 - u) * (b - a) * (b - c))
            out[:, interval] = np.where(u < cut, left, right)
        else:
            out[:, interval] = a + u * (b - a)
    return out


class _Progress:
    """A plain progress bar on stderr, shown only in interactive use."""

    def __init__(self, total: int, show: bool | None, unit: str = "draws") -> None:
        interactive = hasattr(sys, "ps1") or "ipykernel" in sys.modules or sys.stderr.isatty()
        self.show = interactive if show is None else show
        self.total = total
        self.unit = unit

    def update(self, done: int) -> None:
        if self.show:
            filled = int(30 * done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total} "
                             f"{self.unit}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.show:
            sys.stderr.write("\n")


@dataclass(frozen=True)
class MonteCarloResult(Result):
    """Monte Carlo summaries over weight draws.

    Attributes
    ----------
    predictions : DataFrame
        One row per area and node: ``median``, ``low``, ``high`` (the
        interval), ``central`` (with the model's own weights).
    rank_stability : DataFrame
        Areas x modifiable factors: the share of valid draws in which the
        factor is among the area's top ``top`` targets.
    scores : DataFrame
        One row per area and factor: score ``median``, ``low``, ``high``.
    n_draws, n_valid : int
    divergent_draws : ndarray
        Indices of draws whose loops diverged (left out, counted here).
    interval : float
        The central share of draws between ``low`` and ``high`` (0.9: a 90% interval).
    top : int
        Rank stability counts the draws in which a factor is in the top ``top``.
    synthetic : bool
        True when the profile came from synthetic data.
    model : FactorModel or None
        The model the draws were made from (its labels name the factors in ``summary``).
    """

    predictions: pd.DataFrame
    rank_stability: pd.DataFrame
    scores: pd.DataFrame
    n_draws: int
    n_valid: int
    divergent_draws: np.ndarray = field(repr=False)
    interval: float = 0.9
    top: int = 3
    synthetic: bool = False
    model: FactorModel | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Predictions per area and node: ``area, node, central, median, low, high``."""
        return self.predictions.reset_index()

    def summary(self, lang: str = "nl") -> str:
        """How many draws were valid, and how stable the first target factor of each area
        is (at most three areas), in Dutch (``"nl"``) or English.

        Examples
        --------
        >>> import factormodel as fm, pandas as pd
        >>> prof = pd.DataFrame({"schoolverzuim": [0.5], "opvoedklimaat": [-1.0]}, index=["A"])
        >>> mc = fm.monte_carlo(fm.load_model("toy"), prof, {"vsv": 1}, n_draws=50, seed=1,
        ...                     progress=False)
        >>> print(mc.summary("en"))  # doctest: +NORMALIZE_WHITESPACE
        50 of 50 weight draws valid (0 diverged); 90% intervals. A: positive parenting
        climate is in the top 3 in 100% of draws.
        """
        nl = check_lang(lang) == "nl"
        pct = lambda x: fmt.number(100 * x, 0, lang, significant=True) + "%"  # noqa: E731
        out = [f"{self.n_valid} van {self.n_draws} gewichtstrekkingen geldig "
               f"({self.n_divergent} divergeerden); {pct(self.interval)}-intervallen." if nl
               else f"{self.n_valid} of {self.n_draws} weight draws valid "
               f"({self.n_divergent} diverged); {pct(self.interval)} intervals."]
        stability = self.rank_stability
        for area in list(stability.index)[:3]:
            row = stability.loc[area].dropna()
            if not len(row):
                continue
            factor, share = str(row.idxmax()), float(row.max())
            if share == 0:  # nothing ranked: no measured factor with room to improve
                out.append(f"{area}: in geen enkele trekking staat een factor in de top "
                           f"{self.top}." if nl else f"{area}: no factor is in the top "
                           f"{self.top} in any draw.")
                continue
            if self.model is not None:
                factor = str(self.model.nodes.loc[factor, f"label_{lang}"])
            out.append(f"{area}: {factor} staat in {pct(share)} van de trekkingen in de top "
                       f"{self.top}." if nl else f"{area}: {factor} is in the top {self.top} "
                       f"in {pct(share)} of draws.")
        if self.synthetic:
            out.append("SYNTHETISCHE gegevens, geen metingen." if nl else
                       "SYNTHETIC data, not measurements.")
        return " ".join(out)

    def __repr__(self) -> str:
        areas = self.predictions.index.get_level_values("area").nunique()
        return (f"<MonteCarloResult: {areas} area(s), {self.n_valid} of {self.n_draws} weight "
                f"draws valid ({self.n_divergent} diverged); {self.interval:.0%} intervals; "
                f"rank stability = share of draws in the top {self.top}"
                f"{', SYNTHETIC data' if self.synthetic else ''}>")

    def _repr_html_(self) -> str:
        from factormodel.tables._html import frame_html

        note = (f"{self.interval:.0%} intervals (low, high) over {self.n_valid} valid weight "
                f"draws of {self.n_draws} ({self.n_divergent} diverged and are left out); "
                "central = the model's own weights"
                + ("; SYNTHETIC example data, not measurements" if self.synthetic else ""))
        return frame_html(repr(self).strip("<>"), self.to_frame(), note)

    @property
    def n_divergent(self) -> int:
        """Draws left out because feedback loops diverged."""
        return len(self.divergent_draws)

    def in_units(self, model: FactorModel, profile: Profile | None = None, *,
                 indicators: pd.DataFrame | None = None) -> pd.DataFrame:
        """The predictions and their intervals in the indicators' own units.

        Each area's predicted difference from its reference is converted at that
        reference (:func:`factormodel.to_indicator_units`); the conversion is monotone,
        so the interval's ends are the converted ends (swapped where the indicator's
        direction is -1).

        Returns
        -------
        DataFrame
            ``area, node, indicator, level, level_source, central, median, low, high,
            change_unit``: changes in the indicator's unit.

        Examples
        --------
        >>> import factormodel as fm
        >>> m = fm.load_model("rotterdam-jeugd")
        >>> prof = fm.profile(m, fm.load_example_data(), level="gebied")
        >>> mc = fm.monte_carlo(m, prof, {"vsv": 1}, n_draws=100, seed=1, progress=False)
        >>> t = mc.in_units(m, prof)
        >>> vsv = t[t["indicator"] == "vsv_nieuw"]
        >>> bool(((vsv["low"] <= vsv["median"]) & (vsv["median"] <= vsv["high"])).all())
        True
        >>> sorted(set(vsv["level_source"]))
        ['reference']
        """
        from factormodel.analysis.indicators import to_indicator_units

        parts = {}
        for col in ("central", "median", "low", "high"):
            wide = self.predictions[col].unstack("node")
            parts[col] = to_indicator_units(model, wide, indicators=indicators,
                                            profile=profile)
        out = parts["central"][["area", "node", "indicator", "level", "level_source",
                                "change_unit"]].copy()
        for col, frame in parts.items():
            out[col] = frame["change"].to_numpy()
        low, high = np.fmin(out["low"], out["high"]), np.fmax(out["low"], out["high"])
        out["low"], out["high"] = low, high
        return out[["area", "node", "indicator", "level", "level_source", "central", "median",
                    "low", "high", "change_unit"]]


def _dense(model: FactorModel) -> np.ndarray:
    return model.weight_array.copy()


def _scc_blocks(W: np.ndarray) -> list[np.ndarray]:
    n_comp, labels = _linalg.strong_components(W != 0)
    sizes = np.bincount(labels, minlength=n_comp)
    return [np.flatnonzero(labels == c) for c in np.flatnonzero(sizes > 1)]


def _block_order(W: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Strongly connected components, sinks first, each with its successors outside it."""
    n_comp, labels = _linalg.strong_components(W != 0)
    src, dst = np.nonzero(W)
    between = labels[src] != labels[dst]
    C = np.zeros((n_comp, n_comp))  # the condensation: acyclic, one node per component
    C[labels[src[between]], labels[dst[between]]] = 1.0
    out = []
    for comp in topological_order(C)[::-1]:
        block = np.flatnonzero(labels == comp)
        succ = np.setdiff1d(np.flatnonzero(W[block].any(axis=0)), block)
        out.append((block, succ))
    return out


def _stacked_total_effects(Wc: np.ndarray, order: list[tuple[np.ndarray, np.ndarray]]
                           ) -> np.ndarray:
    """``(I - W_d)^-1`` for every stacked ``W_d`` (draws x n x n), exactly.

    Uses ``T[B, :] = (I - W_BB)^-1 (E_B + W[B, S] T[S, :])`` over the strongly
    connected components ``B`` in reverse topological order (``S``: their
    successors), vectorised over draws: the cost grows with edges x nodes, not
    with n^3, and acyclic parts need no solve at all.
    """
    c, n, _ = Wc.shape
    T = np.zeros_like(Wc)
    for block, succ in order:
        rhs = np.zeros((c, len(block), n), dtype=Wc.dtype)
        rhs[:, np.arange(len(block)), block] = 1.0
        if len(succ):
            rhs += np.matmul(Wc[:, block[:, None], succ[None, :]], T[:, succ, :])
        if len(block) == 1 and not Wc[:, block[0], block[0]].any():
            T[:, block, :] = rhs
        else:
            eye = np.eye(len(block), dtype=Wc.dtype)
            T[:, block, :] = np.linalg.solve(eye[None] - Wc[:, block[:, None], block[None, :]],
                                             rhs)
    return T


def _rho(Wc: np.ndarray, blocks: list[np.ndarray]) -> np.ndarray:
    """Spectral radius of every stacked matrix (draws x n x n), from its cyclic blocks."""
    out = np.zeros(Wc.shape[0])
    for idx in blocks:
        sub = Wc[:, idx[:, None], idx[None, :]]
        out = np.maximum(out, np.abs(np.linalg.eigvals(sub)).max(axis=1))
    return out


@dataclass(frozen=True)
class _Setup:
    """Everything one block of areas needs for every draw (picklable, for Dask workers)."""

    weights: np.ndarray  # draws x edges
    alpha: float
    n: int
    flat: np.ndarray  # edge positions in a flattened n x n matrix
    blocks: list  # cyclic components (for spectral radii)
    order: list  # components in reverse topological order, with successors
    groups: list  # (rows, clamped node positions) per pattern of measured factors
    given: np.ndarray  # areas x factors, NaN = not measured
    fpos: np.ndarray  # positions of the factors
    mod_pos: np.ndarray
    sign: np.ndarray
    out_pos: np.ndarray
    p: np.ndarray  # per goal: priority x desired sign of the goal
    evidence: np.ndarray
    room0: np.ndarray  # areas x modifiable factors, unmeasured = 0
    k: int
    chunk: int
    q: list

    def free(self, g: int) -> np.ndarray:
        return np.setdiff1d(np.arange(self.n), self.groups[g][1])


def _stack(setup: _Setup, start: int, stop: int) -> np.ndarray:
    c, n = stop - start, setup.n
    Wc = np.zeros((c, n * n), dtype=np.float32)  # float32: draws need no more
    Wc[:, setup.flat] = setup.alpha * setup.weights[start:stop]  # edges are unique
    return Wc.reshape(c, n, n)


def _valid_and_gains(setup: _Setup, progress: _Progress | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Pass over every draw: which draws converge for every set of measured nodes, and
    each draw's ``max(gain, 0) × evidence`` per modifiable factor."""
    n_draws = len(setup.weights)
    valid = np.ones(n_draws, dtype=bool)
    g_draws = np.empty((n_draws, len(setup.mod_pos)), dtype=np.float32)
    cut_sets = {tuple(sorted({int(i) for b in setup.blocks for i in b[~np.isin(b, C)]}))
                for _, C in setup.groups if len(C)}
    for start in range(0, n_draws, setup.chunk):
        stop = min(n_draws, start + setup.chunk)
        Wc = _stack(setup, start, stop)
        ok = _rho(Wc, setup.blocks) < 1 - 1e-6
        for kept in cut_sets:  # a clamped graph keeps only the free part of each loop
            cut = [b[np.isin(b, kept)] for b in setup.blocks]
            ok &= _rho(Wc, [b for b in cut if len(b) > 1]) < 1 - 1e-6
        T = _stacked_total_effects(Wc, setup.order)
        effect = T[:, setup.mod_pos][:, :, setup.out_pos]
        effect[:, _scoring.own_goal(setup.mod_pos, setup.out_pos)] = 0.0  # not its own lever
        gain = setup.sign[None, setup.mod_pos] * np.einsum(
            "dfo,o->df", effect, setup.p)  # priorities times each goal's desired sign
        g_draws[start:stop] = (np.maximum(gain, 0.0) * setup.evidence).astype(np.float32)
        valid[start:stop] = ok
        if progress is not None:
            progress.update(stop)
    return valid, g_draws


def _run_block(setup: _Setup, block: list[tuple[int, np.ndarray]], valid: np.ndarray,
               g_draws: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Predictions of every draw for one block of areas, reduced to their quantiles.

    ``block`` lists (pattern, rows); returns per entry ``(rows, free nodes, quantiles
    (3 x rows x free), top-k counts (rows x modifiable))``. Memory: the block's areas x
    free nodes x draws, float32.
    """
    n_draws = len(setup.weights)
    good = np.flatnonzero(valid)
    preds = [np.empty((len(rows), len(setup.free(g)), n_draws), dtype=np.float32)
             for g, rows in block]
    for start in range(0, n_draws, setup.chunk):
        stop = min(n_draws, start + setup.chunk)
        Wc = _stack(setup, start, stop)
        for (g, rows), out in zip(block, preds, strict=True):
            C, free = setup.groups[g][1], setup.free(g)
            if len(C) == 0:
                out[:, :, start:stop] = 0.0
                continue
            Wc_cut = Wc.copy()
            Wc_cut[:, :, C] = 0.0  # the do-operator: no edges into measured nodes
            R = _stacked_total_effects(Wc_cut, setup.order)[:, C[:, None], free[None, :]]
            D = np.nan_to_num(setup.given[rows][:, np.isin(setup.fpos, C)]).astype(np.float32)
            out[:, :, start:stop] = np.matmul(D[None], R).transpose(1, 2, 0)
    results = []
    m = len(setup.mod_pos)
    g_ok = g_draws[good]
    for (g, rows), out in zip(block, preds, strict=True):
        kept = out if len(good) == n_draws else out[:, :, good]
        qs = (np.quantile(kept, setup.q, axis=-1, method="closest_observation") if len(good)
              else np.full((3, *kept.shape[:2]), np.nan, dtype=np.float32))
        # top-k membership per valid draw: score = room x g (room >= 0, fixed per area)
        counts = np.zeros((len(rows), m))
        for start in range(0, len(good), setup.chunk):
            sc = setup.room0[rows][None] * g_ok[start:start + setup.chunk][:, None, :]
            kth = np.partition(sc, m - setup.k, axis=2)[:, :, m - setup.k]
            counts += ((sc >= kth[:, :, None]) & (sc > 0)).sum(axis=0)
        results.append((rows, setup.free(g), qs, counts))
    return results


#: The default working-memory budget of :func:`monte_carlo` (bytes), chosen from a
#: measurement (benchmarks/monte_carlo_national.py memory); 1 GB where it is too small.
DEFAULT_MEMORY, LARGE_MEMORY = 2e8, 1e9


def _memory_budget(setup: _Setup, n_draws: int, memory: float | None) -> float:
    """``memory`` as given, else the default: 200 MB, or 1 GB when one chunk of draws and
    one area do not fit in 200 MB (every run that fitted the old 1 GB default still runs)."""
    if memory is not None:
        return float(memory)
    fixed, per_area = _block_sizes(setup, n_draws)
    return DEFAULT_MEMORY if fixed + per_area <= DEFAULT_MEMORY else LARGE_MEMORY


def _block_sizes(setup: _Setup, n_draws: int) -> tuple[float, float]:
    """Bytes of one chunk's stacked matrices, and of one area's draws (and their copy)."""
    fixed = 4.0 * setup.chunk * setup.n * setup.n * 4  # stacked W, cut W, T, solves
    per_area = 2 * 4.0 * setup.n * n_draws  # float32 draws, and the copy quantiles partition
    return fixed, per_area


def _area_blocks(setup: _Setup, n_draws: int, memory: float) -> list[list[tuple[int, np.ndarray]]]:
    """Split the areas (grouped by their measured set) into blocks within ``memory`` bytes."""
    fixed, per_area = _block_sizes(setup, n_draws)
    if memory - fixed < per_area:
        raise InvalidParameterError(
            f"memory={memory:,.0f} bytes is too small for {n_draws:,} draws: one area needs "
            f"{per_area + fixed:,.0f} bytes (lower chunk= or n_draws, or raise memory=)")
    room = int((memory - fixed) // per_area)
    blocks: list[list[tuple[int, np.ndarray]]] = []
    current: list[tuple[int, np.ndarray]] = []
    used = 0
    for g, (rows, _) in enumerate(setup.groups):
        for begin in range(0, len(rows), room):
            part = rows[begin:begin + room]
            if used + len(part) > room and current:
                blocks.append(current)
                current, used = [], 0
            current.append((g, part))
            used += len(part)
    if current:
        blocks.append(current)
    return blocks


def monte_carlo(model: FactorModel, profile: Profile | pd.DataFrame,
                outcomes: Mapping[str, float] | Iterable[str], *, n_draws: int = 1000,
                seed: int = 0, top: int = 3, interval: float = 0.9, alpha: float = 1.0,
                distribution: str = "auto", default_sd: Mapping[str, float] | None = None,
                chunk: int = 250, memory: float | None = None, client: Any = None,
                progress: bool | None = None) -> MonteCarloResult:
    """Intervals for every area's predictions and the stability of its target ranking.

    For each draw of the weights, every area's measured factors are clamped
    and all other nodes predicted (as ``propagate(..., missing="free")``), and
    its modifiable factors are scored as in :func:`factormodel.recommend`
    (room × gain × evidence, the evidence share held at its value under the
    model's own weights).

    Draws are processed in chunks and areas in blocks, so memory stays within
    ``memory`` bytes whatever the number of areas and draws (10,000 draws for
    every buurt of the Netherlands run on one machine). Quantiles are exact
    (nearest rank over all valid draws). With a Dask ``client`` the blocks run
    on its cluster; the result equals the local one for the same seed.

    Parameters
    ----------
    profile : Profile or DataFrame
        Areas x nodes (from :func:`factormodel.profile`).
    outcomes : mapping goal -> priority, or list
    n_draws, seed : int
        Number of weight draws and the seed: the same seed gives the same result.
    top : int
        Rank stability is P(factor among the area's ``top`` targets).
    interval : float
        Coverage of the reported interval (0.9: 5th to 95th percentile).
    chunk : int
        Draws per batch (about ``4 × chunk × n² × 4`` bytes of working memory).
    memory : float, optional
        Bytes the working arrays may take: per-draw predictions of one block of
        areas, their partitioned copy for the quantiles, and the stacked matrices
        of one chunk of draws. By default 200 MB (``DEFAULT_MEMORY``; smaller
        blocks stay in cache: 10,000 draws x 14,500 buurten ran in 0.75-0.81x
        the time of a 1 GB budget, benchmarks/monte_carlo_national.py), or 1 GB
        when one chunk and one area need more than 200 MB.
    client : dask.distributed.Client, optional
        Run the blocks of areas on this Dask cluster (``pip install
        "factormodel[dask]"``).
    progress : bool, optional
        Show a progress bar; by default only in interactive use.

    Examples
    --------
    >>> import factormodel as fm, pandas as pd
    >>> toy = fm.load_model("toy")
    >>> prof = pd.DataFrame({"opvoedklimaat": [-1.0, 0.5], "schoolverzuim": [0.8, -0.2]},
    ...                     index=["A", "B"])
    >>> mc = fm.monte_carlo(toy, prof, {"vsv": 1.0}, n_draws=2000, seed=3, top=1)
    >>> mc.n_valid, round(float(mc.rank_stability.loc["A", "schoolverzuim"]), 2)
    (2000, 1.0)
    """
    alpha = check_alpha(alpha)
    if not 0 < interval < 1:
        raise InvalidParameterError(f"interval must be between 0 and 1, got {interval!r}")
    if not isinstance(top, int) or top < 1:
        raise InvalidParameterError(f"top must be a whole number >= 1, got {top!r}")
    if not isinstance(chunk, int | np.integer) or chunk < 1:
        raise InvalidParameterError(f"chunk must be a whole number >= 1, got {chunk!r}")
    g = _scoring.gains(model, outcomes, alpha=alpha)
    weights = draw_weights(model, n_draws, seed=seed, distribution=distribution,
                           default_sd=default_sd)
    n = model.n_nodes
    check_profile(model, profile)
    profile = deltas_frame(profile)
    areas = profile.index
    nodes = list(model.node_ids)
    factors = list(model.factors)
    is_mod = model.node_values("modifiable").to_numpy(dtype=bool)
    mod_pos = np.flatnonzero(is_mod & (model.node_values("kind") != "outcome").to_numpy())
    modifiable = [nodes[i] for i in mod_pos]
    sign = model.desired_sign.to_numpy(dtype=float)
    # measured factors per area (outcomes are predicted, never clamped here)
    given = profile.reindex(columns=factors).to_numpy(dtype=float)
    fpos = model.positions(factors)
    pats, which = patterns(~np.isnan(given))
    groups = [(np.flatnonzero(which == k), fpos[np.flatnonzero(pat)]) for k, pat in
              enumerate(pats)]
    delta_mod = profile.reindex(columns=modifiable).to_numpy(dtype=float)
    room = _scoring.room(sign[mod_pos][None, :], delta_mod)  # areas x factors, NaN kept
    src, dst = model.edge_positions
    dense = _dense(model)
    setup = _Setup(
        weights=weights, alpha=alpha, n=n, flat=src * n + dst, blocks=_scc_blocks(dense),
        order=_block_order(dense), groups=groups, given=given, fpos=fpos, mod_pos=mod_pos,
        sign=sign, out_pos=model.positions(list(g.goals)),
        p=np.array([g.goals[o] * g.signs[o] for o in g.goals]),
        evidence=np.nan_to_num(g.evidence[mod_pos]),
        room0=np.nan_to_num(room).astype(np.float32),  # NaN (unmeasured) -> never ranked
        k=min(top, len(modifiable)), chunk=int(chunk),
        q=[(1 - interval) / 2, 0.5, (1 + interval) / 2])
    blocks = _area_blocks(setup, n_draws, _memory_budget(setup, n_draws, memory))
    bar = _Progress(n_draws, progress, "draws checked")
    valid, g_draws = _valid_and_gains(setup, bar)
    bar.close()
    bar = _Progress(len(blocks), progress, f"blocks of areas ({len(areas)} areas)")
    if client is None:
        parts = []
        for b, block in enumerate(blocks):
            parts += _run_block(setup, block, valid, g_draws)
            bar.update(b + 1)
    else:
        shared = client.scatter(setup, broadcast=True)
        futures = [client.submit(_run_block, shared, block, valid, g_draws, pure=False)
                   for block in blocks]
        parts = []
        for b, future in enumerate(futures):
            parts += future.result()
            bar.update(b + 1)
    bar.close()
    good = np.flatnonzero(valid)
    central = _central_predictions(model, given, groups, n, len(areas), alpha)
    lo, med, hi = (central.astype(np.float32).copy() for _ in range(3))
    in_top = np.zeros((len(areas), len(modifiable)))
    for rows, free, qs, counts in parts:
        for arr, values in zip((lo, med, hi), qs, strict=True):
            arr[rows[:, None], free[None, :]] = values
        in_top[rows] = counts
    if len(good):
        # order statistics commute with scaling by room >= 0: exact score quantiles
        gq = np.quantile(g_draws[good], setup.q, axis=0, method="closest_observation")
        slo, smed, shi = (room * values[None, :] for values in gq)
        stability = in_top / len(good)
    else:
        lo = med = hi = np.full((len(areas), n), np.nan)
        slo = smed = shi = np.full((len(areas), len(modifiable)), np.nan)
        stability = np.full((len(areas), len(modifiable)), np.nan)
    stability = pd.DataFrame(stability, index=areas, columns=pd.Index(modifiable, name="factor"))
    grid = pd.MultiIndex.from_product([areas, nodes], names=["area", "node"])
    predictions = pd.DataFrame({"central": central.ravel(), "median": med.ravel(),
                                "low": lo.ravel(), "high": hi.ravel()}, index=grid)
    sgrid = pd.MultiIndex.from_product([areas, modifiable], names=["area", "factor"])
    score_table = pd.DataFrame({"median": smed.ravel(), "low": slo.ravel(), "high": shi.ravel()},
                               index=sgrid)
    return MonteCarloResult(predictions=predictions, rank_stability=stability,
                            scores=score_table, n_draws=n_draws, n_valid=len(good),
                            divergent_draws=np.flatnonzero(~valid), interval=interval, top=top,
                            synthetic=bool(provenance_of(profile).get("synthetic", False)),
                            model=model)


def held_effect_draws(model: FactorModel, sources: Iterable[str], targets: Iterable[str], *,
                      n_draws: int = 1000, seed: int = 0, alpha: float = 1.0,
                      chunk: int = 250) -> tuple[np.ndarray, np.ndarray]:
    """Per weight draw, what holding each source 1 SD above its reference does to each
    target: ``T_d[s, t] / T_d[s, s]`` (one source clamped at a time; ``T_d[s, t]`` where no
    loop runs through it), the draws of :func:`draw_weights` with ``seed``.

    Returns
    -------
    (ndarray, ndarray)
        The effects, draws x sources x targets, and which draws are valid (the loops of
        the whole graph and of the graph with each source clamped converge); the same
        rule as :func:`monte_carlo`.

    Examples
    --------
    >>> import factormodel as fm
    >>> toy = fm.load_model("toy")
    >>> d, ok = held_effect_draws(toy, ["schoolverzuim"], ["vsv"], n_draws=4000, seed=2)
    >>> d.shape, bool(ok.all()), round(float(d[ok, 0, 0].mean()), 2)  # 0.3 + 0.5 x 0.4
    ((4000, 1, 1), True, 0.5)
    """
    alpha = check_alpha(alpha)
    if not isinstance(chunk, int | np.integer) or chunk < 1:
        raise InvalidParameterError(f"chunk must be a whole number >= 1, got {chunk!r}")
    sources, targets = list(sources), list(targets)
    spos, tpos = model.positions(sources), model.positions(targets)
    weights = draw_weights(model, n_draws, seed=seed)
    n = model.n_nodes
    src, dst = model.edge_positions
    dense = _dense(model)
    blocks, order = _scc_blocks(dense), _block_order(dense)
    cuts = [[b[b != s] for b in blocks if s in b] for s in spos.tolist()]
    out = np.empty((n_draws, len(spos), len(tpos)))
    valid = np.ones(n_draws, dtype=bool)
    for start in range(0, n_draws, int(chunk)):
        stop = min(n_draws, start + int(chunk))
        flat = np.zeros((stop - start, n * n))
        flat[:, src * n + dst] = alpha * weights[start:stop]
        Wc = flat.reshape(stop - start, n, n)
        ok = _rho(Wc, blocks) < 1 - 1e-6
        for cut in cuts:  # the source held: its loops are cut, the rest must converge
            ok &= _rho(Wc, [b for b in cut if len(b) > 1]) < 1 - 1e-6
        T = _stacked_total_effects(Wc, order)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start:stop] = T[:, spos][:, :, tpos] / T[:, spos, spos][:, :, None]
        valid[start:stop] = ok
    return out, valid


def _central_predictions(model: FactorModel, given: np.ndarray, groups: list, n: int,
                         n_areas: int, alpha: float) -> np.ndarray:
    T = _linalg.system(model, alpha).rows(np.arange(n))  # the checked solve
    out = np.zeros((n_areas, n))
    fpos = model.positions(model.factors)
    for rows, C in groups:
        if len(C):
            R = np.linalg.solve(T[np.ix_(C, C)], T[C, :])
            out[rows] = np.nan_to_num(given[rows][:, np.isin(fpos, C)]) @ R
    return out


def sensitivity(model: FactorModel, *, outcome: str | None = None,
                deltas: Mapping[str, float] | pd.Series | None = None,
                factor: str | None = None,
                outcomes: Mapping[str, float] | Iterable[str] | None = None,
                profile: pd.Series | None = None, clamp: bool = True, alpha: float = 1.0
                ) -> pd.DataFrame:
    """Exact derivative of a prediction or of a factor's gain with respect to every edge weight.

    Two questions, one formula (``∂T[i, o]/∂W[a, b] = α T[i, a] T[b, o]``):

    * ``outcome`` and ``deltas``: how the predicted delta of ``outcome`` from
      these inputs moves per unit change of each weight:
      ``∂x_o/∂W[a, b] = α x_a T'[b, o]`` (``T'``: the clamped graph; an edge into
      a clamped node has no effect).
    * ``factor`` and ``outcomes``: how the factor's gain (the part of its
      recommendation score that depends on the weights) moves:
      ``∂gain_f/∂W[a, b] = d_f Σ_o p_o s_o α T[f, a] T[b, o]``. With an area's
      ``profile`` (a Series of node deltas) the result is the recommendation
      *score* itself, room × gain × evidence, with room and evidence held as in
      :func:`factormodel.recommend` (so its derivative is the gain's times
      room × evidence).

    Returns
    -------
    DataFrame
        One row per edge: ``source, target, weight, sensitivity, sd`` and the
        tornado swing ``low``/``high`` = value ∓ ``|sensitivity|`` × sd (the
        first-order change for a one-SD change of that weight), sorted by the
        swing, largest first. Its ``attrs["factormodel"]`` records what the
        value is (``outcome`` or ``factor`` with its ``label_nl``/``label_en``)
        and, when the deltas or profile came from a :class:`~factormodel.Profile`,
        its area, reference and synthetic status
        (:meth:`factormodel.Profile.provenance`), for :func:`factormodel.plot_tornado`.

    Examples
    --------
    >>> import factormodel as fm
    >>> s = fm.sensitivity(fm.load_model("toy"), outcome="vsv", deltas={"armoede": 1.0})
    >>> print(s[["source", "target", "sensitivity"]].head(3).round(3).to_string(index=False))
              source           target  sensitivity
             armoede schoolprestaties        -0.40
    schoolprestaties              vsv        -0.30
       opvoedklimaat    schoolverzuim        -0.25
    """
    alpha = check_alpha(alpha)
    n = model.n_nodes
    edges = model.edges
    a, b = model.edge_positions
    if outcome is not None and deltas is not None and factor is None:
        d = pd.Series(deltas, dtype=float)
        idx = model.positions(d.index)
        solver = _linalg.system(model, alpha)
        T = (solver.cut(idx) if clamp else solver).rows(np.arange(n))
        u = np.zeros(n)
        u[idx] = d.to_numpy()
        x = u @ T
        o = int(model.positions([outcome])[0])
        sens = alpha * x[a] * T[b, o]
        if clamp:
            sens[np.isin(b, idx)] = 0.0
        value = float(x[o])
        node = outcome
    elif factor is not None and outcomes is not None and outcome is None:
        node = factor
        g = _scoring.gains(model, outcomes, alpha=alpha)
        prio = g.goals
        T = _linalg.system(model, alpha).rows(np.arange(n))
        f = int(model.positions([factor])[0])
        cols = model.positions(list(prio))
        sign = model.desired_sign.to_numpy(dtype=float)
        weight_o = np.array([prio[o] * g.signs[o] for o in prio])  # a Goal's direction
        sens = sign[f] * alpha * T[f, a] * (T[b][:, cols] @ weight_o)
        value = float(sign[f] * (T[f, cols] @ weight_o))
        if profile is not None:
            row, _ = area_deltas(profile)
            delta = float(row.get(factor, np.nan))
            if np.isnan(delta):
                raise InvalidParameterError(f"{factor!r} is not measured in the profile: its "
                                            "score is not defined")
            # the scoring rules of the ranking, on this one factor (0-d arrays)
            room = float(_scoring.room(sign[f], np.asarray(delta)))
            gain = np.asarray(1.0 if value > 0 else 0.0)
            scale = float(_scoring.score(_scoring.expected_improvement(np.asarray(room), gain),
                                         g.evidence[f]))
            sens, value = sens * scale, value * scale
    else:
        raise InvalidParameterError("give either outcome= and deltas=, or factor= and "
                                    "outcomes=")
    sd = edges["sd"].to_numpy().copy()
    interval = ~np.isnan(edges["low"].to_numpy())
    sd[interval] = ((edges["high"] - edges["low"]) / np.sqrt(12)).to_numpy()[interval]
    missing = np.isnan(sd)
    sd[missing] = edges.loc[missing, "strength"].map(DEFAULT_SD).to_numpy()
    swing = np.abs(sens) * sd
    out = pd.DataFrame({"source": edges["source"].to_numpy(),
                        "target": edges["target"].to_numpy(),
                        "weight": edges["weight"].to_numpy(), "sensitivity": sens, "sd": sd,
                        "low": value - swing, "high": value + swing, "value": value})
    order = np.argsort(-swing, kind="stable")
    out = out.iloc[order].reset_index(drop=True)
    about = provenance_of(deltas if outcome is not None else profile)
    about |= {"outcome" if outcome is not None else "factor": node,
              "value": "delta" if outcome is not None else
              ("score" if profile is not None else "gain"),
              "label_nl": str(model.node_values("label_nl")[node]),
              "label_en": str(model.node_values("label_en")[node])}
    out.attrs = {PROVENANCE: about}
    return out
