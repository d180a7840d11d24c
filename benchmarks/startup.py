"""Start-up time: ``import factormodel`` and a cold command-line answer for one wijk.

Each case runs in a fresh Python process (interpreter start included), so this is
what a user waits for, with factormodel's bytecode compiled as after ``pip install``.
Baseline, measured in the same run and interleaved with the cases: a process that
only does ``import numpy, pandas``. Cases run in rotation (baseline, import, CLI,
baseline, ...) so machine load drifts affect all alike.

Run:  python benchmarks/startup.py [repeats]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._harness import load, spread, write  # noqa: E402

CASES = {
    "numpy + pandas (baseline)": [sys.executable, "-c", "import numpy, pandas"],
    "import factormodel": [sys.executable, "-c", "import factormodel"],
    "CLI: propagate one wijk": [sys.executable, "-m", "factormodel", "propagate",
                                "rotterdam-jeugd", "--data", "example", "--area",
                                "Oud-Crooswijk"],
    # issue 27, item 13: the portfolio's exact MILP needs scipy.optimize (imported only
    # when a budget is given); the floor of this path is the same numpy + pandas process
    "CLI: recommend --budget one wijk": [sys.executable, "-m", "factormodel", "recommend",
                                         "rotterdam-jeugd", "example", "--area",
                                         "Oud-Crooswijk", "--goal", "vsv", "--budget",
                                         "250000", "--population", "2000"],
    "import scipy.optimize": [sys.executable, "-c", "import scipy.optimize"],
    "python -c pass": [sys.executable, "-c", "pass"],
}
LIMITS = {"import factormodel": 1.3, "CLI: propagate one wijk": 1.6,
          "CLI: recommend --budget one wijk": 2.0}


def _run(cmd: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(repeats: int = 15) -> dict[str, list[float]]:
    """Wall times of every case, run in rotation ``repeats`` times after one warm-up round
    (the warm-up fills the file-system cache, as on any machine that ran Python before).

    factormodel's bytecode is compiled first, as ``pip install`` does for numpy, pandas
    and factormodel alike: without it (``PYTHONDONTWRITEBYTECODE`` set and no
    ``__pycache__`` in a source checkout) every start compiles factormodel's sources,
    about 0.2 s, which no installed copy pays.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "factormodel")],
                   check=True)
    for cmd in CASES.values():
        _run(cmd)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(repeats):
        for name, cmd in CASES.items():
            times[name].append(_run(cmd))
    return times


def main(repeats: int = 15) -> Path:
    load_before = load()
    times = measure(repeats)
    base = spread(times["numpy + pandas (baseline)"])
    rows = []
    for name, ts in times.items():
        s = spread(ts)
        # per-round ratio against the baseline of the same round, then its median and range
        ratios = spread([t / b for t, b in zip(ts, times["numpy + pandas (baseline)"],
                                               strict=True)])
        rows.append({"case": name, "median_s": s["median"], "min_s": s["min"],
                     "max_s": s["max"], "ratio_vs_baseline": s["median"] / base["median"],
                     "ratio_per_round_min": ratios["min"], "ratio_per_round_max": ratios["max"],
                     "required_ratio": LIMITS.get(name)})
    notes = [f"{repeats} rounds, cases interleaved; medians and min/max of the rounds. "
             "Ratio = median of the case / median of the numpy + pandas baseline of the same "
             "run; per-round ratios show the spread. Required ratios from issue 16 (import, "
             "propagate) and issue 27 (recommend --budget: at most 2x its floor). "
             "`import scipy.optimize` alone shows what the exact portfolio MILP costs to load."]
    return write("startup", "Start-up time (fresh process per run)", rows, notes,
                 start_load=load_before)


if __name__ == "__main__":
    md = main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
    print(md.read_text(encoding="utf-8"))
