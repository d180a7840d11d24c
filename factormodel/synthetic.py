"""SYNTHETIC area data generated from a model, for examples, tests and method checks.

Nothing made here is a measurement. :func:`simulate_area_data` draws latent
node deltas per area and year from the model itself (shocks on the model's
source nodes driven by an assumed area disadvantage, plus node-level noise,
pushed through ``(I − W)^-1``), then turns them into indicator values with the
catalogue's ``typical`` level, ``scale`` and ``direction``. Because the truth
is known, profiles computed from the output can be checked against it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import InvalidParameterError
from .model import FactorModel
from .propagate import propagate

__all__ = ["simulate_area_data"]


def simulate_area_data(model: FactorModel, indicators: pd.DataFrame, areas: pd.DataFrame, *,
                       years: Sequence[int], area_effects: Mapping[str, float] | None = None,
                       seed: int = 0, loading: float = 0.7, area_noise: float = 0.3,
                       node_noise: float = 0.35, year_noise: float = 0.1, trend: float = 0.05,
                       measurement_noise: float = 0.1, decimals: int | None = 1,
                       suppress_below: float = 0.0, populations: Mapping[str, float] | None = None,
                       clip: bool = True, standardize: bool = False
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic indicator values for the areas of a registry, with their true node deltas.

    Values are generated for the finest level in ``areas`` (e.g. Rotterdam's
    wijken); every coarser area (gebied, gemeente) gets the population-weighted
    mean of its children, so profiles at every level are consistent.

    Parameters
    ----------
    model, indicators, areas
        The model, its indicator catalogue (needs ``typical``) and an area
        registry (:func:`factormodel.load_areas`).
    years : sequence of int
    area_effects : mapping, optional
        Assumed disadvantage per coarse area (e.g. per gebied, in SD); a
        fine area inherits its parent's value plus ``area_noise``.
    seed : int
        Seed of the random generator: the same arguments give the same data.
    loading : float
        How strongly disadvantage drives the model's source nodes (SD per SD).
    area_noise, node_noise, year_noise : float
        SD of area-level, persistent node-level and yearly node-level noise.
    trend : float
        City-wide improvement per year, in SD, on every node.
    measurement_noise : float
        Indicator noise, in units of the indicator's scale.
    decimals : int or None
        Round published values; None keeps full precision.
    suppress_below : float
        Fine areas with a population below this have their ``per 1000``
        indicators suppressed (NaN, flag ``suppressed``), as CBS does for
        small numbers.
    populations : mapping, optional
        Population per fine area; by default drawn from a log-normal around 4,000.
    clip : bool
        Keep percentages within [0, 100] and rates at or above 0 (then the
        truth no longer holds exactly for the clipped values).
    standardize : bool
        Rescale every node's deltas to a population-weighted spread of 1 SD
        across the fine areas in the first year, so that each indicator's
        catalogue ``scale`` is its spread. The truth is rescaled too, but the
        rescaled deltas are no longer generated exactly by the model's weights
        (a model whose weights add up to more than 1 SD of outcome spread
        needs this to give realistic values).

    Returns
    -------
    data : DataFrame
        Canonical area data (``area, level, year, indicator, value,
        population, flag``). Indicators whose catalogue ``level`` is coarser
        than an area are not published for it (absent rows).
    truth : DataFrame
        ``area, level, year, node, delta``: the true delta of every node
        against the city average of that year, in SD.
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
    flat = pd.DataFrame(shocks.reshape(ny * nf, n), columns=list(model.node_ids))
    x = propagate(model, flat, clamp=False).deltas.to_numpy().reshape(ny, nf, n)
    w = pop / pop.sum()
    x_c = x - np.einsum("a,tan->tn", w, x)[:, None, :]  # against the city average
    if standardize:
        spread = np.sqrt(np.einsum("a,an->n", w, x_c[0] ** 2))
        x_c = x_c / np.where(spread > 0, spread, 1.0)
    shift = np.array([trend * (y - years[0]) for y in years])[:, None] * sign[None, :]

    cat = indicators
    node_pos = model.positions(cat["node"])
    scale, direction = cat["scale"].to_numpy(), cat["direction"].to_numpy()
    latent = x_c[:, :, node_pos] + shift[:, None, node_pos]  # years x areas x indicators
    values = cat["typical"].to_numpy() + direction * scale * latent
    values = values + measurement_noise * scale * rng.standard_normal(values.shape)
    if clip:
        pct = (cat["unit"] == "%").to_numpy()
        values[:, :, pct] = np.clip(values[:, :, pct], 0.0, 100.0)
        nonneg = cat["unit"].isin(["%", "per 1000"]).to_numpy()
        values[:, :, nonneg] = np.maximum(values[:, :, nonneg], 0.0)

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
    if suppress_below > 0:
        small = data["level"].eq(fine_level) & (data["population"] < suppress_below) \
            & data["indicator"].map(cat["unit"]).eq("per 1000")
        data.loc[small, "value"] = np.nan
        data.loc[small, "flag"] = "suppressed"
    return data, pd.concat(truths, ignore_index=True)


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
