"""Print the README's REAL-data validation table ("How good is this model?", real CBS data).

Run from the repository root: ``python scripts/readme_real_validation_table.py``. The test
``tests/test_real_data.py::test_readme_real_validation_table_is_what_validate_measures`` checks
that the README holds what this prints. Data: the bundled CBS youth-care example data
(``cbs_jeugdzorg_gemeenten_2022``, ``cbs_jeugdzorg_wijken_2021_2022``; CC BY 4.0), 10 seeded
folds over areas, the model calibrated (SEM, unmeasured nodes latent) inside every fold; for
the wijken the ``group mean`` baseline is the mean of the other wijken of the same gemeente.
"""
from __future__ import annotations

import warnings

import numpy as np

import factormodel as fm
from factormodel.files.folders import jeugdzorg_wijken_table

UNITS = {"share": "%", "rate": "per 1000"}
DATASETS = {"gemeenten": "cbs_jeugdzorg_gemeenten_2022",
            "wijken": "cbs_jeugdzorg_wijken_2021_2022"}
METHODS = ("model", "model (calibrated)", "city mean", "group mean", "best indicator", "OLS")


def validation(dataset: str) -> fm.Validation:
    """The validation behind one dataset's rows."""
    m = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data(DATASETS[dataset])
    groups = data.groupby("area")["gemeente"].first() if "gemeente" in data.columns else None
    with warnings.catch_warnings():  # zero counts (no liability) and sign warnings: stated
        warnings.simplefilter("ignore")
        return fm.validate(m, data, folds=10, seed=0, calibrate=1.0, calibration="sem",
                           groups=groups)


def cell(g, method: str) -> str:
    """``r / RMSE`` of one method (``—`` when the method did not run)."""
    if method not in g.index:
        return "—"
    r, rmse = g.loc[method, "r"], g.loc[method, "rmse"]
    text = f"{rmse:.3f}" if np.isnan(r) else f"{r:.2f} / {rmse:.3f}"
    return text.replace("-", "−")


def rows(dataset: str, v: fm.Validation) -> list[str]:
    cat = fm.load_example_indicators(DATASETS[dataset])
    t = v.to_frame("out-of-sample")
    out = []
    for (indicator, target), g in t.groupby(["indicator", "target"], sort=False):
        g = g.set_index("method")
        unit = UNITS.get(cat.loc[indicator, "measure"], cat.loc[indicator, "unit"])
        n = int(g["n"].iloc[0])
        out.append(f"| {dataset} | {indicator} ({unit}) | {target} | {n} | "
                   + " | ".join(cell(g, mth) for mth in METHODS) + " |")
    return out


def persistence() -> tuple[float, int]:
    """r of the wijken's youth-care use (per 1,000 aged 0-24) in 2021 and in 2022."""
    t = jeugdzorg_wijken_table()
    a = t["jz2021_jongeren_jeugdzorg_in_natura"] / t["inwoners_0_24"]
    b = t["jz2022_jongeren_jeugdzorg_in_natura"] / t["inwoners_0_24"]
    ok = a.notna() & b.notna()
    return float(np.corrcoef(a[ok], b[ok])[0, 1]), int(ok.sum())


def main() -> None:
    for dataset in DATASETS:
        for line in rows(dataset, validation(dataset)):
            print(line)
    r, n = persistence()
    print(f"jeugdzorg use 2021 vs 2022 (wijken): r = {r:.3f}, n = {n}")


if __name__ == "__main__":
    main()
