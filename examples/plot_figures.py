"""Draw the library's figures to PNG files.

Run:  python examples/plot_figures.py [OUTDIR]

Writes the full factor graph, VSV's drivers, a wijk profile, a contributions
waterfall, a recommendation ranking, a gebieden heatmap and the validation of
VSV against baselines (SYNTHETIC data).
The README's figure is docs/figures/vsv_drivers.png from this script.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import factormodel as fm


def main(outdir: str = "figures") -> list[Path]:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    model = fm.load_model("rotterdam-jeugd")
    data = fm.load_example_data("rotterdam")  # SYNTHETIC
    wijken = fm.profile(model, data, level="wijk")
    gebieden = fm.profile(model, data, level="gebied")
    wijk = "Oud-Crooswijk"
    result = fm.propagate(model, wijken.loc[wijk, list(model.factors)], missing="free")
    goals = {"vsv": 2, "neet": 1}
    rec = fm.recommend(model, wijken, goals, area=wijk)
    mc = fm.monte_carlo(model, wijken.deltas.loc[[wijk]], goals, n_draws=500, seed=1,
                        progress=False)
    ref = wijken.reference_name("nl")
    figures = {
        "factor_graph.png": fm.plot_graph(model),
        "vsv_drivers.png": fm.plot_outcome(model, "vsv", top_paths=8),
        "profile_oud_crooswijk.png": fm.plot_profile(model, wijken, area=wijk),
        "contributions_vsv.png": fm.plot_contributions(result, "vsv", area=wijk, reference=ref,
                                                       synthetic=wijken.synthetic),
        "recommendation.png": fm.plot_recommendation(rec, intervals=mc, area=wijk, reference=ref,
                                                     synthetic=wijken.synthetic),
        "heatmap_gebieden.png": fm.plot_heatmap(model, gebieden, max_columns=30),
        "validation_vsv.png": fm.plot_validation(fm.validate(model, data, outcomes="vsv")),
    }
    written = []
    for name, ax in figures.items():
        path = out / name
        ax.figure.savefig(path, dpi=100)
        matplotlib.pyplot.close(ax.figure)
        written.append(path)
        print(f"wrote {path}")
    return written


if __name__ == "__main__":
    main(*sys.argv[1:2])
