"""Regenerate the edge weights of models/rotterdam-jeugd from its associations.csv.

Deterministic: run ``python scripts/fit_rotterdam_weights.py`` from the repository root and
``edges.csv`` gets the same ``weight``, ``sd`` and ``strength`` columns every time (a test
checks that the committed weights are what this script produces).

What it does (models/rotterdam-jeugd/README.md explains why):

1. Every edge with a row in ``associations.csv`` (same source ``a`` and target ``b``) is
   *free*; the one edge without a row (``schoolverzuim -> schoolprestaties``, the reverse of
   a published pair) keeps its recorded expert-judgement weight. An association without an
   edge stays in the fit as a known pair: the model's other paths must reproduce it.
2. The free edges are fitted with :func:`factormodel.fit_to_correlations` (meta-analytic SEM
   stage 2, from zero): their direct effects are chosen so that the standardised solution
   reproduces the associations, which are *total* associations (published r, or the class
   default / expert value read as a total association).
3. ``sd`` of an edge is the larger of the fitted standard error and the standard error its
   own association's 95% interval implies on the r scale, so no edge is more certain than the
   published (or assumed) interval of its pair; an expert-judgement edge's sd is at least
   its |weight| (one SD reaches zero). Where the meta-analysis reports between-study
   variance (``tau2_z``, Gubbels' level-3 variance on Fisher's z), that interval is the 95%
   **prediction interval** (the spread of true effects), not the confidence interval of the
   mean: see :func:`published_intervals`, which also derives the r-scale CI from Table 2's
   interval on z. ``associations.csv`` records both (``low``/``high`` and
   ``pi_low``/``pi_high``); this script writes those derived columns back.
4. ``strength``: for a published r the class of |r| (sterk >= .30, matig >= .15, zwak below,
   domain notes 6.4); otherwise the class recorded with the association.
5. ``source_ref`` is ``<sources.csv id>: <table / row / page>`` or ``expert judgement``;
   ``basis`` is the association's basis (``published with interval``, ``published point``,
   ``class default``, ``expert judgement``), counted by ``fm.evidence_summary``. A fixed
   edge keeps the basis recorded in ``edges.csv``.

Weights are rounded to 4 decimals and sds to 3. The script stops if a fitted direct effect
has the opposite sign of its association (then the association is carried by other paths:
remove the edge, keep the association), and checks that every node's implied R² stays at or
below ``MAX_R2`` (a margin of 0.1 below 1).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import factormodel as fm
from factormodel.estimation.fitting import to_correlations

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "models" / "rotterdam-jeugd"
MAX_R2 = 0.9
Z95 = 1.959963984540054  # the 0.975 quantile of the standard normal
EDGE_COLUMNS = ["source", "target", "weight", "strength", "sd", "low", "high", "source_ref",
                "note", "association", "basis"]


def strength_of(r: float) -> str:
    """Class of a published |r| (domain notes 6.4)."""
    return "sterk" if abs(r) >= 0.30 else "matig" if abs(r) >= 0.15 else "zwak"


def published_intervals(assoc: pd.DataFrame) -> pd.DataFrame:
    """``low``/``high`` (95% CI of the mean r) and ``pi_low``/``pi_high`` (95% prediction
    interval of a true r) of every row that gives its interval on Fisher's z.

    Gubbels et al. (2019) Table 2 reports each pooled effect as mean z (SE) with a 95% CI on
    z; r = tanh(z). The CI of r is the back-transformed CI of z, ``tanh(z_low), tanh(z_high)``.
    Where the between-study (level-3) variance ``tau2_z`` is reported, a new setting's true
    effect lies with 95% probability in ``tanh(z ± 1.96·√(tau2_z + SE²))`` (normal
    approximation; the within-study level-2 variance is not in the retrieved text, so this
    is, if anything, still too narrow). Rounded to 3 decimals; other rows are unchanged.

    Examples
    --------
    >>> t = published_intervals(pd.DataFrame({"z": [0.553], "z_se": [0.222],
    ...     "z_low": [0.110], "z_high": [0.996], "tau2_z": [0.536], "low": [0.0],
    ...     "high": [0.0], "pi_low": [None], "pi_high": [None]}))
    >>> t.loc[0, ["low", "high", "pi_low", "pi_high"]].tolist()
    [0.11, 0.76, -0.738, 0.967]
    """
    out = assoc.copy()
    num = {c: pd.to_numeric(out[c], errors="coerce") for c in
           ("z", "z_se", "z_low", "z_high", "tau2_z")}
    on_z = num["z_low"].notna() & num["z_high"].notna()
    out.loc[on_z, "low"] = np.round(np.tanh(num["z_low"][on_z]), 3)
    out.loc[on_z, "high"] = np.round(np.tanh(num["z_high"][on_z]), 3)
    het = on_z & num["tau2_z"].notna() & num["z_se"].notna()
    spread = Z95 * np.sqrt(num["tau2_z"][het] + num["z_se"][het] ** 2)
    pi_low = pd.Series(np.nan, index=out.index)
    pi_high = pd.Series(np.nan, index=out.index)
    pi_low[het] = np.round(np.tanh(num["z"][het] - spread), 3)
    pi_high[het] = np.round(np.tanh(num["z"][het] + spread), 3)
    out["pi_low"], out["pi_high"] = pi_low, pi_high
    return out


def read_associations(folder: Path = FOLDER) -> pd.DataFrame:
    """``associations.csv`` with its derived interval columns recomputed."""
    numeric = ("value", "low", "high", "z", "z_se", "z_low", "z_high", "tau2_z", "pi_low",
               "pi_high")
    assoc = pd.read_csv(folder / "associations.csv", dtype={"k": "string", "n": "string"},
                        keep_default_na=False, na_values={c: [""] for c in numeric})
    return published_intervals(assoc)


def fit(folder: Path = FOLDER) -> tuple[pd.DataFrame, fm.CorrelationFit]:
    """The regenerated edges table and the fit it came from."""
    assoc = read_associations(folder)
    spread = assoc["pi_low"].notna()  # heterogeneity reported: weigh by the spread of effects
    assoc = assoc.assign(low=assoc["low"].where(~spread, assoc["pi_low"]),
                         high=assoc["high"].where(~spread, assoc["pi_high"]))
    edges = pd.read_csv(folder / "edges.csv", keep_default_na=False,
                        na_values={"weight": [""], "sd": [""], "low": [""], "high": [""]})
    with warnings.catch_warnings():  # the stored weights are only replaced here
        warnings.simplefilter("ignore", fm.ModelWarning)
        model = fm.read_model(folder)
    table = to_correlations(assoc.assign(n=pd.to_numeric(assoc["n"], errors="coerce")))
    by_pair = {(a, b): i for i, (a, b) in enumerate(zip(table["a"], table["b"], strict=True))}
    rows = [by_pair.get((s, t)) for s, t in zip(edges["source"], edges["target"], strict=True)]
    free = [(s, t) for (s, t), i in zip(zip(edges["source"], edges["target"], strict=True),
                                        rows, strict=True) if i is not None]
    used = {i for i in rows if i is not None}
    no_edge = table["id"].iloc[sorted(set(range(len(table))) - used)].tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fm.ModelWarning)
        cols = ["id", "a", "b", "measure", "value", "low", "high"]
        res = fm.fit_to_correlations(model, table[cols], free=free, start="zero")
    est = res.edges.set_index(["source", "target"])
    out = edges.copy()
    se_assoc = np.sqrt(table["var_r"].to_numpy())
    for j, (s, t) in enumerate(zip(edges["source"], edges["target"], strict=True)):
        i = rows[j]
        if i is None:
            out.loc[j, "association"] = "none: fixed (reverse edge of a pair with an association)"
            continue
        a = table.iloc[i]
        out.loc[j, "weight"] = round(float(est.loc[(s, t), "weight"]), 4)
        sd = max(est.loc[(s, t), "se"], se_assoc[i])
        if a["basis"] == "expert judgement":  # wide: one SD reaches zero
            sd = max(sd, abs(est.loc[(s, t), "weight"]))
        out.loc[j, "sd"] = round(float(sd), 3)
        out.loc[j, "strength"] = (strength_of(a["value"]) if a["basis"] == "published"
                                  else a["strength"])
        out.loc[j, "source_ref"] = (fm.vocab.EXPERT_JUDGEMENT if a["basis"] == "expert judgement"
                                    else f"{a['source_id']}: {a['location']}")
        out.loc[j, "association"] = a["id"]
        out.loc[j, "basis"] = (a["basis"] if a["basis"] != "published"
                               else "published with interval" if a["weight_from"] == "ci"
                               else "published point")  # what fm.evidence_summary counts
        out.loc[j, "note"] = (f"Fitted direct effect (meta-analytic SEM stage 2) for the total "
                              f"association {a['id']} (r = {a['value']:+.3f}, {a['basis']})."
                              + (f" sd from the 95% prediction interval [{a['low']:.3f}, "
                                 f"{a['high']:.3f}] (between-study variance {a['tau2_z']:g} "
                                 "on Fisher's z), not the CI of the mean." if spread[i] else "")
                              + (f" {a['note']}" if a["note"] else ""))
    out["low"] = np.nan
    out["high"] = np.nan
    flipped = [f"{s} -> {t} ({out.loc[j, 'association']}: fitted {out.loc[j, 'weight']:+.4f})"
               for j, (s, t) in enumerate(zip(out["source"], out["target"], strict=True))
               if rows[j] is not None and out.loc[j, "weight"] * table["value"].iloc[rows[j]] < 0]
    if flipped:
        sys.exit("fitted direct effects with the opposite sign of their association (the "
                 "association is carried by other paths; remove the edge and keep the "
                 "association as a known pair): " + "; ".join(flipped))
    if no_edge:
        print(f"associations kept as known pairs without a direct edge: {', '.join(no_edge)}")
    return out[EDGE_COLUMNS], res


def main() -> int:
    read_associations().to_csv(FOLDER / "associations.csv", index=False,
                               lineterminator="\n")
    out, res = fit()
    out.to_csv(FOLDER / "edges.csv", index=False, lineterminator="\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", fm.ModelWarning)
        r2 = fm.implied_r2(fm.read_model(FOLDER))
    worst = r2["r2"].idxmax()
    print(f"fitted {int(res.edges['free'].sum())} edges to {len(res.fit)} associations; "
          f"SRMR {res.srmr:.4f}; largest implied R² {r2['r2'].max():.3f} ({worst})")
    if r2["r2"].max() > MAX_R2:
        print(f"implied R² above {MAX_R2}: {r2[r2['r2'] > MAX_R2].index.tolist()}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
