"""SYNTHETIC area data generated from a model by microsimulation, for examples and tests.

Nothing made here is a measurement. :func:`simulate_area_data` draws the latent
node *means* of every area and year from the model itself (shocks on the model's
source nodes driven by an assumed area disadvantage, plus node-level noise,
pushed through ``(I − W)^-1``), all in SD between individuals. Then it makes
**persons**: in every fine area, ``population`` young people whose node values are
the area's means plus individual deviations with the model's own structure
(``e = A u``, ``A = (I − Wᵀ)⁻¹``, residual variances ``ψ = solve(A∘A, 1)`` so every
node has unit variance within an area). Each indicator is then aggregated from the
persons by its measurement model (:mod:`factormodel.units`): a share is the part of
the persons above the threshold that gives the catalogue's ``typical`` level at the
city average, a mean score the persons' mean of ``typical + direction ×
sd_individual × z``. Because the truth is known, profiles computed from the output
can be checked against it -- the data follow the same measurement model as the
profiles that read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from factormodel.core import units
from factormodel.core.effects import total_effects
from factormodel.core.model import FactorModel
from factormodel.core.propagate import propagate
from factormodel.errors import InvalidParameterError

__all__ = ["simulate_area_data"]


def simulate_area_data(model: FactorModel, indicators: pd.DataFrame, areas: pd.DataFrame, *,
                       years: Sequence[int], area_effects: Mapping[str, float] | None = None,
                       seed: int = 0, loading: float = 0.7, area_noise: float = 0.3,
                       node_noise: float = 0.35, year_noise: float = 0.1, trend: float = 0.05,
                       spread: float = 0.3, persons: bool = True, decimals: int | None = 1,
                       suppress_below: float = 0.0, suppress_count: float = 0.0,
                       populations: Mapping[str, float] | None = None,
                       chunk: int = 200_000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic indicator values for the areas of a registry, with their true node deltas.

    Values are generated for the finest level in ``areas`` (e.g. Rotterdam's
    wijken) from simulated persons; every coarser area (gebied, gemeente) gets
    the population-weighted mean of its children, as a share of all its persons.

    Parameters
    ----------
    model, indicators, areas
        The model, its indicator catalogue (needs ``typical``) and an area
        registry (:func:`factormodel.load_areas`).
    years : sequence of int
    area_effects : mapping, optional
        Assumed disadvantage per coarse area (e.g. per gebied); a fine area
        inherits its parent's value plus ``area_noise``.
    seed : int
        Seed of the random generator: the same arguments give the same data.
    loading : float
        How strongly disadvantage drives the model's source nodes.
    area_noise, node_noise, year_noise : float
        Area-level, persistent node-level and yearly node-level noise.
    trend : float
        City-wide improvement per year on every node, in SD between individuals.
    spread : float
        Every shock (disadvantage and noise) is multiplied by this, so that area
        means differ by a few tenths of an SD between individuals, as real wijken
        do; the means still follow the model's weights exactly.
    persons : bool
        True: aggregate simulated persons (sampling noise as in real counts).
        False: the expected values of infinitely many persons (exact, for tests).
    decimals : int or None
        Round published values; None keeps full precision.
    suppress_below : float
        Fine areas with a population below this have their ``per 1000``
        indicators suppressed (NaN, flag ``suppressed``), as CBS does for
        small numbers.
    suppress_count : float
        Fine-area shares and rates that count fewer persons than this are
        suppressed (NaN, flag ``suppressed``), as CBS suppresses small numbers
        (the persons are the area's ``population``).
    populations : mapping, optional
        Population per fine area (also the number of simulated persons); by
        default drawn from a log-normal around 4,000.
    chunk : int
        Persons simulated at once (bounds the memory; the result does not depend
        on it: the draws are made in the same order).

    Returns
    -------
    data : DataFrame
        Canonical area data (``area, level, year, indicator, value,
        population, flag``). Indicators whose catalogue ``level`` is coarser
        than an area are not published for it (absent rows).
    truth : DataFrame
        ``area, level, year, node, delta``: the true mean of every node in the
        area against the population-weighted city mean of that year, in SD
        between individuals. (A profile against the city's *share* differs from
        it by the non-linearity of averaging shares: second order in the spread.)

    Raises
    ------
    InvalidParameterError
        An indicator without a typical level, or a model whose weights admit no
        unit-variance solution (see :func:`factormodel.implied_r2`).
    """
    rng = np.random.default_rng(seed)
    if "typical" not in indicators.columns or indicators["typical"].isna().any():
        raise InvalidParameterError("every indicator needs a 'typical' value to simulate data")
    levels = [lv for lv in ("buurt", "wijk", "gebied", "gemeente") if lv in set(areas["level"])]
    fine_level = levels[0]
    fine = areas[areas["level"] == fine_level].reset_index(drop=True)
    years = [int(y) for y in years]
    nf, ny, n = len(fine), len(years), model.n_nodes
    pop = (np.array([float(populations[a]) for a in fine["area"]]) if populations else
           np.maximum(300.0, np.round(rng.lognormal(np.log(4000), 0.5, nf), -1)))
    effects = dict(area_effects or {})
    disadvantage = np.array([effects.get(p, 0.0) for p in fine["parent"]]) \
        + area_noise * rng.standard_normal(nf)
    sign = model.desired_sign.to_numpy(dtype=float)
    sources = np.asarray(abs(model.weight_matrix).sum(axis=0)).ravel() == 0
    persistent = node_noise * rng.standard_normal((nf, n))
    shocks = np.empty((ny, nf, n))
    for t in range(ny):  # a handful of years; every area and node is vectorised
        shocks[t] = persistent + year_noise * rng.standard_normal((nf, n))
        shocks[t][:, sources] += -sign[sources] * loading * disadvantage[:, None]
    flat = pd.DataFrame(spread * shocks.reshape(ny * nf, n), columns=list(model.node_ids))
    x = propagate(model, flat, clamp=False).deltas.to_numpy().reshape(ny, nf, n)
    w = pop / pop.sum()
    x_c = x - np.einsum("a,tan->tn", w, x)[:, None, :]  # against the city average
    shift = np.array([trend * (y - years[0]) for y in years])[:, None] * sign[None, :]

    cat = indicators
    node_pos = model.positions(cat["node"])
    means = x_c + shift[:, None, :]  # years x areas x nodes: the areas' latent means
    measures = units.Measures.of(cat)
    typical = cat["typical"].to_numpy(dtype=float)
    if persons:
        values = _persons(model, means, pop, node_pos, measures, typical, rng, chunk)
    else:  # the expected value of infinitely many persons
        latent = means[:, :, node_pos]
        values = typical + units.to_units(measures, latent, np.broadcast_to(typical,
                                                                             latent.shape))

    frames, truths = [], []
    order = {lv: i for i, lv in enumerate(("buurt", "wijk", "gebied", "gemeente"))}
    members = _members(areas, fine)
    for level in levels:
        group = areas[areas["level"] == level].reset_index(drop=True)
        M = np.zeros((len(group), nf))  # population-weighted membership
        for g, name in enumerate(group["area"]):
            idx = members[(name, level)]
            M[g, idx] = pop[idx] / pop[idx].sum()
        vals = np.einsum("gf,tfk->tgk", M, values)
        group_pop = np.array([pop[members[(a, level)]].sum() for a in group["area"]])
        # an indicator published per wijk is also published (aggregated) per gebied;
        # one published per gebied has no wijk values
        published = np.array([order[lv] <= order[level] for lv in cat["level"]])
        t_i, g_i, k_i = np.meshgrid(np.arange(ny), np.arange(len(group)),
                                    np.flatnonzero(published), indexing="ij")
        frames.append(pd.DataFrame({
            "area": group["area"].to_numpy()[g_i.ravel()], "level": level,
            "year": np.array(years)[t_i.ravel()], "indicator": cat.index.to_numpy()[k_i.ravel()],
            "value": vals[t_i.ravel(), g_i.ravel(), k_i.ravel()],
            "population": group_pop[g_i.ravel()], "flag": ""}))
        true = np.einsum("gf,tfn->tgn", M, x_c)
        t_j, g_j, n_j = np.meshgrid(np.arange(ny), np.arange(len(group)), np.arange(n),
                                    indexing="ij")
        truths.append(pd.DataFrame({
            "area": group["area"].to_numpy()[g_j.ravel()], "level": level,
            "year": np.array(years)[t_j.ravel()],
            "node": np.array(model.node_ids, dtype=object)[n_j.ravel()],
            "delta": true[t_j.ravel(), g_j.ravel(), n_j.ravel()]}))
    data = pd.concat(frames, ignore_index=True)
    if decimals is not None:
        data["value"] = data["value"].round(decimals)
    if suppress_count > 0:
        per = data["indicator"].map(pd.Series(measures.per, index=cat.index))
        few = data["level"].eq(fine_level) & per.notna() & \
            (data["value"] / per * data["population"] < suppress_count)
        data.loc[few, "value"] = np.nan
        data.loc[few, "flag"] = "suppressed"
    if suppress_below > 0:
        small = data["level"].eq(fine_level) & (data["population"] < suppress_below) \
            & data["indicator"].map(cat["unit"]).eq("per 1000")
        data.loc[small, "value"] = np.nan
        data.loc[small, "flag"] = "suppressed"
    return data, pd.concat(truths, ignore_index=True)


def _persons(model: FactorModel, means: np.ndarray, pop: np.ndarray, node_pos: np.ndarray,
             measures: units.Measures, typical: np.ndarray, rng: np.random.Generator,
             chunk: int) -> np.ndarray:
    """Indicator values aggregated from simulated persons: years x areas x indicators.

    A person's nodes are the area's means plus ``A u`` with ``u ~ N(0, ψ)``: unit
    variance within the area and the model's own correlations between nodes. A share
    counts the persons above the threshold ``Φ⁻¹(typical)`` of its node (direction
    +1: more of the node, more of the indicator); a mean averages ``typical +
    direction × sd_individual × z``.
    """
    from factormodel.core.coherence import implied_r2

    psi = implied_r2(model)["residual_variance"].reindex(list(model.node_ids)).to_numpy(
        dtype=float)
    if (psi <= 0).any() or not np.isfinite(psi).all():
        raise InvalidParameterError("the model's weights admit no unit-variance solution "
                                    "(an implied R² of 1 or more): persons cannot be simulated")
    A = np.asarray(total_effects(model).to_numpy(dtype=float))  # A[i, j]: i's effect on j
    ny, nf, _ = means.shape
    counts = np.maximum(1, np.round(pop)).astype(int)
    start = np.concatenate([[0], np.cumsum(counts)])
    share = np.isfinite(measures.per)
    threshold = np.where(share, -units.ndtri(np.where(share, typical / np.where(
        share, measures.per, 1.0), 0.5)), 0.0)  # z above it counts (direction +1)
    direction = np.where(measures.direction == 0, 1.0, measures.direction)
    out = np.zeros((ny, nf, len(node_pos)))
    area_of = np.repeat(np.arange(nf), counts)
    for t in range(ny):
        sums = np.zeros((nf, len(node_pos)))
        for lo in range(0, int(start[-1]), chunk):
            hi = min(lo + chunk, int(start[-1]))
            u = rng.standard_normal((hi - lo, len(psi))) * np.sqrt(psi)
            z = (means[t][area_of[lo:hi]] + u @ A)[:, node_pos]
            person = np.where(share, (direction * z > threshold).astype(float) * measures.per,
                              typical + direction * np.nan_to_num(measures.sd) * z)
            ids = area_of[lo:hi]  # sorted: each area's persons are contiguous
            first = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
            sums[ids[first]] += np.add.reduceat(person, first, axis=0)
        out[t] = sums / counts[:, None]
    return out


def _members(areas: pd.DataFrame, fine: pd.DataFrame) -> dict[tuple[str, str], np.ndarray]:
    """For every (area, level), the positions of the fine areas it contains.

    Names may repeat across levels (gebied Feijenoord, wijk Feijenoord), so a
    parent is the area with that name at the nearest coarser level.
    """
    rank = {lv: i for i, lv in enumerate(("buurt", "wijk", "gebied", "gemeente"))}
    by_name: dict[str, list[str]] = {}
    for a, lv in zip(areas["area"], areas["level"], strict=True):
        by_name.setdefault(a, []).append(lv)
    parent = {(a, lv): p for a, lv, p in zip(areas["area"], areas["level"], areas["parent"],
                                             strict=True)}
    out: dict[tuple[str, str], list[int]] = {k: [] for k in parent}
    for i, (name, lv) in enumerate(zip(fine["area"], fine["level"], strict=True)):
        key: tuple[str, str] | None = (name, lv)
        while key is not None:
            out[key].append(i)
            up = parent.get(key, "")
            coarser = sorted((lv for lv in by_name.get(up, []) if rank[lv] > rank[key[1]]),
                             key=rank.get)
            key = (up, coarser[0]) if up and coarser else None
    return {k: np.array(v, dtype=int) for k, v in out.items()}
