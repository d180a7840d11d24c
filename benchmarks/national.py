"""National scale in one call (issue 16, item 2): profile, the whole profile -> propagate ->
city-wide recommend, and explanations for every area, on 14,500 SYNTHETIC buurten.

Run:  python benchmarks/national.py [n_areas]   (or python benchmarks/run.py for everything)
Writes benchmarks/results/national.{json,md}. The area data are SYNTHETIC (random values
around each catalogue indicator's typical value, four coverage patterns as in
benchmarks/peers.py): this measures speed, nothing about any area.

Baselines, measured in the same run:
- *bare group mean*: one population-weighted mean per (area, indicator) over the same long
  rows in plain pandas (``groupby(["area", "indicator"])`` sums, divided, unstacked to
  areas x indicators) -- the least any profile must do with these rows;
- *plain pandas profile*: the profile formula written with pandas groupby, map and unstack
  (as tests/test_national.py's reference); its result is compared with ``fm.profile``;
- *per-area recommend*: ``recommend(..., area=a)``, which explains one area at a time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scipy.stats import norm  # noqa: E402

import factormodel as fm  # noqa: E402
from benchmarks._harness import load, timed, write  # noqa: E402
from factormodel.files.areas import normalize_area_data  # noqa: E402

GOALS = {"vsv": 1.0, "jeugdcriminaliteit": 0.5, "psychische_problemen": 0.25}


def synthetic_wide(model: fm.FactorModel, n_areas: int, seed: int = 8) -> pd.DataFrame:
    """A wide SYNTHETIC table: one row per buurt, one column per catalogue indicator."""
    cat = fm.load_indicators(model)
    rng = np.random.default_rng(seed)
    typical = cat["typical"].fillna(10.0).to_numpy(dtype=float)
    values = typical + cat["scale"].to_numpy(dtype=float) * rng.normal(size=(n_areas, len(cat)))
    top = cat["measure"].map({"share": 99.0, "rate": 990.0}).fillna(np.inf).to_numpy()
    values = np.clip(values, 1.0, top)  # shares and rates stay inside their range
    pattern = rng.integers(0, 4, n_areas)  # coverage as in real data: a few patterns
    for k in range(1, 4):
        values[np.ix_(pattern == k, rng.choice(len(cat), 10 * k, replace=False))] = np.nan
    wide = pd.DataFrame(values.round(3), columns=list(cat.index))
    wide.insert(0, "code", [f"BU{i:08d}" for i in range(n_areas)])
    wide.insert(1, "year", 2023)
    wide.insert(2, "population", rng.integers(50, 5000, n_areas))
    return wide


def bare_group_mean(long: pd.DataFrame) -> pd.DataFrame:
    """The baseline: population-weighted mean per (area, indicator), areas x indicators."""
    w = long["population"].where(long["value"].notna(), 0.0)
    parts = pd.DataFrame({"area": long["area"], "indicator": long["indicator"],
                          "wv": long["value"].fillna(0.0) * w, "w": w})
    sums = parts.groupby(["area", "indicator"], sort=False)[["wv", "w"]].sum()
    return (sums["wv"] / sums["w"]).unstack("indicator")


def pandas_profile(model: fm.FactorModel, cat: pd.DataFrame, long: pd.DataFrame
                   ) -> pd.DataFrame:
    """The profile formula in plain pandas (city reference, one level and year)."""
    have = long["value"].notna()
    w = long["population"].where(have, 0.0)
    mean = (long["value"].fillna(0) * w).groupby(long["indicator"]).sum() \
        / w.groupby(long["indicator"]).sum()
    info = cat.loc[long["indicator"]]
    direction = info["direction"].to_numpy()
    value, ref = long["value"].to_numpy(), long["indicator"].map(mean).to_numpy()
    per = info["measure"].map({"share": 100.0, "rate": 1000.0}).to_numpy()
    z = direction * np.where(np.isfinite(per), norm.ppf(value / per) - norm.ppf(ref / per),
                             (value - ref) / info["sd_individual"].to_numpy())
    z = np.where(direction == 0, np.nan, z)
    parts = pd.DataFrame({"area": long["area"].to_numpy(), "node": info["node"].to_numpy(),
                          "wz": np.nan_to_num(z) * info["weight"].to_numpy(),
                          "w": np.where(np.isnan(z), 0.0, info["weight"].to_numpy())})
    sums = parts.groupby(["area", "node"], sort=False)[["wz", "w"]].sum()
    delta = (sums["wz"] / sums["w"].where(sums["w"] > 0)).unstack("node")
    return delta.reindex(index=pd.unique(long["area"]), columns=list(model.node_ids))


def pipeline(model: fm.FactorModel, long: pd.DataFrame) -> tuple:
    prof = fm.profile(model, long)
    full = fm.propagate(model, prof.deltas, missing="free")
    return prof, full, fm.recommend(model, prof, GOALS)


def cases(n_areas: int = 14_500, repeats: int = 5, sample: int = 20) -> list[dict]:
    model = fm.load_model("rotterdam-jeugd")
    cat = fm.load_indicators(model)
    wide = synthetic_wide(model, n_areas)
    read_s, long = timed(lambda: normalize_area_data(wide), repeats=1)
    long["status"] = "synthetic"  # a wide table has no room for it; the long form does
    rows: list[dict] = []
    size = f"{n_areas:,} SYNTHETIC buurten x {len(cat)} indicators ({len(long):,} long rows)"
    prof_s, prof = timed(lambda: fm.profile(model, long), repeats=repeats)
    bare_s, _ = timed(lambda: bare_group_mean(long), repeats=repeats)
    plain_s, plain = timed(lambda: pandas_profile(model, cat, long), repeats=max(1, repeats // 2))
    diff = float(np.nanmax(np.abs(prof.deltas.to_numpy() - plain.to_numpy())))
    same_nan = bool((prof.deltas.isna().to_numpy() == plain.isna().to_numpy()).all())
    rows.append({"case": f"fm.profile, {size}", "seconds": prof_s,
                 "baseline": "bare pandas weighted group mean (area, indicator)",
                 "baseline_s": bare_s, "ratio": prof_s / bare_s, "target": "<= 3x",
                 "max_abs_diff": diff if same_nan else float("inf"),
                 "note": f"plain pandas profile {plain_s:.3g} s ({plain_s / prof_s:.1f}x "
                         "slower); max_abs_diff against it, NaN in the same cells"})
    rows.append({"case": f"normalize_area_data, the same data as a wide table ({n_areas:,} "
                         f"rows x {len(cat)} indicator columns)", "seconds": read_s,
                 "baseline": "bare pandas weighted group mean", "baseline_s": bare_s,
                 "ratio": read_s / bare_s, "target": "", "max_abs_diff": None,
                 "note": "one run; parse, resolve areas, check duplicates and populations"})
    # the same data as people hand them over, not yet normalised: a long table with string
    # CBS codes (no flag column), the same as categoricals, and the wide table itself
    raw = wide.melt(id_vars=["code", "year", "population"], var_name="indicator",
                    value_name="value")
    raw["status"] = "synthetic"
    categorical = raw.astype({"code": "category", "indicator": "category",
                              "status": "category"})
    raw_bare_s, _ = timed(lambda: bare_group_mean(raw.rename(columns={"code": "area"})),
                          repeats=repeats)
    for label, table in (("a raw long table, string CBS codes, no flag column", raw),
                         ("the raw long table with categorical columns", categorical),
                         ("the wide table (one row per buurt)", wide)):
        raw_s, got = timed(lambda table=table: fm.profile(model, table), repeats=repeats)
        same = got.deltas.reindex(index=[f"BU{i:08d}" for i in range(n_areas)]).to_numpy()
        want = prof.deltas.reindex(index=[f"BU{i:08d}" for i in range(n_areas)]).to_numpy()
        rows.append({"case": f"fm.profile of {label}, {n_areas:,} buurten x {len(cat)} "
                             "indicators", "seconds": raw_s,
                     "baseline": "bare pandas weighted group mean (area, indicator) over the "
                                 "raw long rows, unstacked", "baseline_s": raw_bare_s,
                     "ratio": raw_s / raw_bare_s, "target": "<= 2x",
                     "max_abs_diff": float(np.nanmax(np.abs(same - want))),
                     "note": "includes reading: parse, resolve areas, check duplicates, "
                             "populations and near-miss names; max_abs_diff against "
                             "fm.profile of the normalised rows"})
    pipe_s, (prof, full, ranking) = timed(lambda: pipeline(model, long), repeats=3)
    rows.append({"case": f"profile -> propagate(missing='free') -> city-wide recommend, {size}",
                 "seconds": pipe_s, "baseline": "bare pandas weighted group mean",
                 "baseline_s": bare_s, "ratio": pipe_s / bare_s, "target": "<= 1 s",
                 "max_abs_diff": None,
                 "note": f"{len(ranking):,} ranked rows for {ranking['area'].nunique():,} "
                         f"areas; propagated {full.deltas.shape}"})
    explain_s, explained = timed(lambda: fm.recommend(model, prof, GOALS, explain=True),
                                 repeats=3)
    plain_rank_s, _ = timed(lambda: fm.recommend(model, prof, GOALS), repeats=3)
    areas = list(prof.deltas.index[:: max(1, n_areas // sample)][:sample])
    start, mismatches = time.perf_counter(), 0
    for a in areas:
        one = fm.recommend(model, prof, GOALS, area=a)
        one = one[one["rank"].notna()]
        mine = explained[explained["area"] == a]
        mismatches += sum(x != y for lang in ("nl", "en") for x, y in
                          zip(mine[f"explanation_{lang}"], one[f"explanation_{lang}"],
                              strict=True))
    per_area_s = (time.perf_counter() - start) / len(areas)
    extra_ms = 1000 * (explain_s - plain_rank_s) / n_areas
    rows.append({"case": f"city-wide recommend with explanations (explain=True), "
                         f"{n_areas:,} areas, ms per area", "seconds": explain_s,
                 "baseline": "recommend(..., area=a), per area", "baseline_s": per_area_s,
                 "ratio": 1000 * explain_s / n_areas, "target": "<= 1 ms/area",
                 "max_abs_diff": float(mismatches),
                 "note": f"ratio column: ms per area for the whole call; the explanations "
                         f"alone add {extra_ms:.3f} ms/area; per-area recommend "
                         f"{1000 * per_area_s:.1f} ms/area on {len(areas)} areas, whose "
                         "texts are compared (max_abs_diff: texts that differ)"})
    return rows


def main(n_areas: int = 14_500) -> Path:
    start = load()
    rows = cases(n_areas)
    for r in rows:
        print(f"{r['case']}: {r['seconds']:.3g} s; {r['baseline']} {r['baseline_s']:.3g} s; "
              f"ratio {r['ratio']:.3g} (target {r['target'] or '-'})")
    notes = ["SYNTHETIC data: random values around each indicator's typical value; speed only.",
             "ratio: seconds / baseline_s in the same run, except the last row (ms per area).",
             "BLAS pinned to one thread per pool (benchmarks/_harness.py)."]
    return write("national", "National scale in one call (issue 16, item 2)", rows, notes,
                 start_load=start)


if __name__ == "__main__":
    print(f"written: {main(*[int(a) for a in sys.argv[1:2]])}")
