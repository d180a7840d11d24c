"""Monte Carlo speed (issue 7): 10,000 weight draws of rotterdam-jeugd across all example
wijken, with intervals and rank stability, against a straightforward per-draw loop.

Run:  python benchmarks/uncertainty.py
Writes benchmarks/results/uncertainty.{json,md}.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import factormodel as fm  # noqa: E402
from benchmarks._harness import timed, write  # noqa: E402
from tests.reference import monte_carlo_loop  # noqa: E402


def monte_carlo(n_draws: int = 10_000, loop_draws: int = 100) -> dict:
    model = fm.load_model("rotterdam-jeugd")
    prof = fm.profile(model, fm.load_example_data("rotterdam"), level="wijk").deltas
    outcomes = {"vsv": 2.0, "neet": 1.0}
    fast_s, mc = timed(lambda: fm.monte_carlo(model, prof, outcomes, n_draws=n_draws, seed=1,
                                              progress=False), repeats=3)
    draws = fm.draw_weights(model, loop_draws, seed=1)
    start = time.perf_counter()
    loop, _ = monte_carlo_loop(model, prof, draws)
    loop_s = time.perf_counter() - start
    # agreement on the same draws: the vectorised run's first loop_draws predictions
    small = fm.monte_carlo(model, prof, outcomes, n_draws=loop_draws, seed=1, progress=False)
    q = np.quantile(loop, 0.5, axis=0, method="closest_observation")
    diff = float(np.abs(small.predictions["median"].to_numpy() - q.ravel()).max())
    per_draw_fast = fast_s / n_draws
    per_draw_loop = loop_s / loop_draws
    return {"case": f"rotterdam-jeugd, {n_draws:,} weight draws x {len(prof)} wijken, "
                    f"intervals + rank stability (top {mc.top})",
            "factormodel_s": fast_s,
            "baseline": f"per-draw propagate loop (timed on {loop_draws} draws)",
            "baseline_s": per_draw_loop * n_draws, "speedup": per_draw_loop / per_draw_fast,
            "max_abs_diff": diff, "target": "< 5 s", "met": bool(fast_s < 5.0),
            "divergent_draws": mc.n_divergent}


def main() -> Path:
    row = monte_carlo()
    print(f"{row['case']}: {row['factormodel_s']:.2f} s; the per-draw loop would take "
          f"{row['baseline_s']:.0f} s ({row['speedup']:.0f}x); target {row['target']}: "
          f"{'met' if row['met'] else 'NOT MET'}")
    notes = ["factormodel_s: median of 3 runs after a warm-up run.",
             "baseline_s: the loop's time per draw, measured on the stated number of draws in "
             "the same run, times the number of draws (the loop itself is not run 10,000 "
             "times).",
             "max_abs_diff: largest difference between the vectorised and the loop's medians "
             "on the same draws (float32 draws in the vectorised run).",
             f"divergent draws in the timed run: {row['divergent_draws']}."]
    return write("uncertainty", "Monte Carlo benchmark (issue 7)", [row], notes)


if __name__ == "__main__":
    print(f"written: {main()}")
