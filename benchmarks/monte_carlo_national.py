"""Monte Carlo at national scale: 10,000 weight draws x 14,500 synthetic buurten in bounded memory.

Run: ``python benchmarks/monte_carlo_national.py [n_draws] [n_areas]``, or
``python benchmarks/monte_carlo_national.py memory [n_draws] [n_areas]`` to compare
``memory`` budgets (``results/monte_carlo_memory.json``). Records wall time,
peak resident memory (``resource.getrusage``; includes the Python process itself), the
memory budget and the number of area blocks, with machine load, in
``benchmarks/results/monte_carlo_national.{md,json}``. The values are SYNTHETIC deltas
(normal, four coverage patterns as in real data): this measures speed and memory, nothing
about any area.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import factormodel as fm
from benchmarks._harness import synthetic_buurten


def main(n_draws: int = 10_000, n_areas: int = 14_500, memory: float = 1e9) -> dict:
    model = fm.load_model("rotterdam-jeugd")
    deltas = synthetic_buurten(model, n_areas)  # the same buurten as benchmarks/peers.py
    load_before = os.getloadavg()
    start = time.perf_counter()
    with threadpool_limits(1):
        mc = fm.monte_carlo(model, deltas, {"vsv": 2.0, "schoolsucces": 1.0}, n_draws=n_draws,
                            seed=1, memory=memory, progress=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    n = model.n_nodes
    full = 4.0 * n_areas * n * n_draws
    out = {"case": f"monte_carlo, rotterdam-jeugd, {n_draws:,} draws x {n_areas:,} synthetic "
                   "buurten (4 coverage patterns)",
           "seconds": seconds, "peak_rss_GB": peak / 1e9, "memory_budget_GB": memory / 1e9,
           "all_draws_in_memory_would_need_GB": full / 1e9, "n_valid": mc.n_valid,
           "load_before": load_before, "load_after": os.getloadavg(),
           "machine": platform.platform(), "cpus": os.cpu_count(),
           "numpy": np.__version__, "pandas": pd.__version__, "blas_threads": 1,
           "data": "SYNTHETIC deltas"}
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "monte_carlo_national.json").write_text(json.dumps(out, indent=2) + "\n")
    (results / "monte_carlo_national.md").write_text(
        f"# Monte Carlo at national scale\n\n{out['case']}: **{seconds:,.0f} s**, peak resident "
        f"memory of the whole process {out['peak_rss_GB']:.2f} GB with memory={memory / 1e9:.1f} "
        f"GB for the working arrays (keeping every draw would need {full / 1e9:,.0f} GB). "
        f"Load average before/after: {load_before[0]:.1f} / {out['load_after'][0]:.1f} on "
        f"{os.cpu_count()} cores (other work was running: not a quiet run). BLAS pinned to "
        "1 thread. "
        "SYNTHETIC deltas.\n")
    return out


def memory_sweep(n_draws: int = 1_000, n_areas: int = 14_500,
                 budgets: tuple[float, ...] = (2e8, 5e8, 1e9), rounds: int = 2) -> dict:
    """Issue 27 item 13: the same run under several ``memory`` budgets, interleaved (each
    budget once per round, best of the rounds), to choose the default from a measurement."""
    model = fm.load_model("rotterdam-jeugd")
    deltas = synthetic_buurten(model, n_areas)
    load_before = os.getloadavg()
    best = dict.fromkeys(budgets, np.inf)
    medians = {}
    for _ in range(rounds):
        for memory in budgets:
            start = time.perf_counter()
            with threadpool_limits(1):
                mc = fm.monte_carlo(model, deltas, {"vsv": 2.0, "schoolsucces": 1.0},
                                    n_draws=n_draws, seed=1, memory=memory, progress=False)
            best[memory] = min(best[memory], time.perf_counter() - start)
            medians[memory] = mc.predictions["median"].to_numpy()
    ref = medians[budgets[-1]]
    out = {"case": f"monte_carlo memory budgets, rotterdam-jeugd, {n_draws:,} draws x "
                   f"{n_areas:,} synthetic buurten, best of {rounds} interleaved rounds",
           "seconds": {f"{m:.0e}": s for m, s in best.items()},
           "ratio_to_largest": {f"{m:.0e}": s / best[budgets[-1]] for m, s in best.items()},
           "max_abs_diff": max(float(np.nanmax(np.abs(v - ref))) for v in medians.values()),
           "load_before": load_before, "load_after": os.getloadavg(), "blas_threads": 1,
           "data": "SYNTHETIC deltas"}
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "monte_carlo_memory.json").write_text(json.dumps(out, indent=2) + "\n")
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["memory"]:
        print(json.dumps(memory_sweep(*[int(a) for a in sys.argv[2:4]]), indent=2))
    else:
        args = [int(a) for a in sys.argv[1:3]]
        print(json.dumps(main(*args), indent=2))
