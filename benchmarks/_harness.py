"""Timing harness shared by the benchmark scripts: medians and spread of repeated runs,
machine information (load, library versions, BLAS threads), and results written as
JSON and Markdown.

Importing this module pins every BLAS/OpenMP thread pool to one thread
(threadpoolctl): numpy and scipy each bring their own OpenBLAS, and on a shared
machine two pools of two threads each oversubscribe the cores and make single
products several times slower. One thread per pool is also what the ratios
compare: factormodel and its baseline get the same, single-threaded BLAS. Set
``FACTORMODEL_BENCH_THREADS`` to another number to measure with more threads.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
THREADS = int(os.environ.get("FACTORMODEL_BENCH_THREADS", "1"))


def _pin_threads() -> Any:
    import numpy  # noqa: F401  (load both OpenBLAS builds first, so both are pinned)
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=THREADS)


_LIMITS = _pin_threads()  # kept for the life of the benchmark process


def blas() -> list[str]:
    """The thread pools in use: library, implementation, version and threads."""
    from threadpoolctl import threadpool_info

    return [f"{p.get('internal_api')} {p.get('version')} ({p.get('prefix')}, "
            f"{p.get('num_threads')} thread{'s' if p.get('num_threads') != 1 else ''})"
            for p in threadpool_info()]


def load() -> str:
    """The 1, 5 and 15 minute load averages, e.g. ``'1.52 1.10 0.80'``."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


_part_start = load()


def machine() -> dict[str, Any]:
    import numpy
    import pandas
    import scipy

    import factormodel

    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": platform.platform(), "machine": platform.machine(),
        "cpus": os.cpu_count(), "python": sys.version.split()[0],
        "numpy": numpy.__version__, "scipy": scipy.__version__, "pandas": pandas.__version__,
        "factormodel": factormodel.__version__, "blas": "; ".join(blas()),
        "load average": load(),
    }


def spread(times: list[float]) -> dict[str, float]:
    """Median, minimum, maximum and interquartile range of repeated measurements."""
    q = statistics.quantiles(times, n=4, method="inclusive") if len(times) > 1 \
        else [times[0]] * 3
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "iqr": q[2] - q[0], "n": len(times)}


def timed_spread(fn: Callable[[], Any], repeats: int) -> tuple[dict[str, float], Any]:
    """Like :func:`timed`, with the spread of the repeats (see :func:`spread`)."""
    result = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return spread(times), result


class Timing(float):
    """A median time (the float value) that also carries the min and max of its repeats.

    :func:`write` reports both: ``0.0112 [0.0104-0.0131]`` in Markdown, and keys
    ``<name>_min``/``<name>_max`` beside ``<name>`` in JSON.
    """

    min: float
    max: float
    n: int

    def __new__(cls, stats: dict[str, float]) -> Timing:
        t = super().__new__(cls, stats["median"])
        t.min, t.max, t.n = stats["min"], stats["max"], int(stats["n"])
        return t


def timed(fn: Callable[[], Any], repeats: int) -> tuple[Timing, Any]:
    """Median wall time of ``repeats`` calls (after one warm-up call) and the last result.

    The median comes back as a :class:`Timing`, which also holds the fastest and
    slowest repeat.
    """
    s, result = timed_spread(fn, repeats)
    return Timing(s), result


def peak_memory(fn: Callable[[], Any]) -> tuple[int, Any]:
    """Peak bytes allocated (Python and numpy, via tracemalloc) during one call."""
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def write(name: str, title: str, rows: list[dict[str, Any]], notes: list[str], *,
          start_load: str | None = None) -> Path:
    """Write results/<name>.json and results/<name>.md; return the Markdown path.

    ``start_load``: the load average when the part started (see :func:`load`;
    by default the load when the previous part was written, or when this module
    was imported); the load at writing time is recorded too.
    """
    global _part_start
    RESULTS.mkdir(exist_ok=True)
    start_load = start_load or _part_start
    info = {**machine(), "load average at start": start_load}
    _part_start = info["load average"]
    flat = []
    for r in rows:
        out: dict[str, Any] = {}
        for k, v in r.items():
            out[k] = float(v) if isinstance(v, Timing) else v
            if isinstance(v, Timing):
                out.update({f"{k}_min": v.min, f"{k}_max": v.max, f"{k}_repeats": v.n})
        flat.append(out)
    (RESULTS / f"{name}.json").write_text(json.dumps({"machine": info, "results": flat},
                                                     indent=2) + "\n", encoding="utf-8")
    cols = list(rows[0])
    lines = [f"# {title}", "", "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
             "", "Times: median [min-max] of the repeats after a warm-up run; load average "
             "(1, 5, 15 min) at start and end above.", "",
             "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |" for r in rows]
    lines += ["", *notes, ""]
    md = RESULTS / f"{name}.md"
    md.write_text("\n".join(lines), encoding="utf-8")
    return md


def _fmt(v: Any) -> str:
    if isinstance(v, Timing):
        return f"{float(v):.3g} [{v.min:.3g}-{v.max:.3g}]" if v.n > 1 else f"{float(v):.3g}"
    if isinstance(v, float):
        return f"{v:.3g}"
    return "" if v is None else str(v)


def synthetic_buurten(model: Any, n_areas: int = 14_500, rng: Any = None) -> Any:
    """SYNTHETIC factor deltas for ``n_areas`` buurten (about the number of Dutch buurten),
    normal, with four coverage patterns as in real data (10, 20 or 30 factors unmeasured).

    ``rng`` (a numpy Generator, default seeded 8) is advanced, so a caller can go on
    drawing from the same stream."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(8) if rng is None else rng
    factors = list(model.factors)
    values = rng.normal(size=(n_areas, len(factors)))
    pattern = rng.integers(0, 4, n_areas)
    for k in range(1, 4):
        cols = rng.choice(len(factors), 10 * k, replace=False)
        values[np.ix_(pattern == k, cols)] = np.nan
    return pd.DataFrame(values, columns=factors, index=[f"BU{i:08d}" for i in range(n_areas)])


def model_from_matrix(W: Any, name: str) -> Any:
    """A FactorModel whose weight matrix is the sparse ``W`` (nodes ``n0, n1, ...``, every
    node a modifiable risk factor, every edge ``matig`` by expert judgement): the random
    models of the benchmarks. Random signs make incoherent standardised effects, so the
    model's ModelWarning is silenced."""
    import warnings

    import numpy as np
    import pandas as pd

    import factormodel as fm

    coo = W.tocoo()
    names = np.array([f"n{i}" for i in range(W.shape[0])], dtype=object)
    nodes = pd.DataFrame({"id": names, "kind": "risk", "setting": "kind", "label_nl": names,
                          "label_en": names, "phases": "all", "modifiable": True})
    edges = pd.DataFrame({"source": names[coo.row], "target": names[coo.col],
                          "weight": coo.data, "strength": "matig",
                          "source_ref": "expert judgement"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fm.ModelWarning)
        return fm.FactorModel(nodes, edges, {"name": name, "version": "1",
                                             "status": "illustrative"})
