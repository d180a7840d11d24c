"""Timing harness shared by the benchmark scripts: medians of repeated runs,
machine information, and results written as JSON and Markdown."""

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


def machine() -> dict[str, Any]:
    import numpy
    import pandas
    import scipy

    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": platform.platform(), "machine": platform.machine(),
        "cpus": os.cpu_count(), "python": sys.version.split()[0],
        "numpy": numpy.__version__, "scipy": scipy.__version__, "pandas": pandas.__version__,
    }


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time of ``repeats`` calls (after one warm-up call) and the last result."""
    result = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_memory(fn: Callable[[], Any]) -> tuple[int, Any]:
    """Peak bytes allocated (Python and numpy, via tracemalloc) during one call."""
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def write(name: str, title: str, rows: list[dict[str, Any]], notes: list[str]) -> Path:
    """Write results/<name>.json and results/<name>.md; return the Markdown path."""
    RESULTS.mkdir(exist_ok=True)
    info = machine()
    (RESULTS / f"{name}.json").write_text(json.dumps({"machine": info, "results": rows},
                                                     indent=2) + "\n", encoding="utf-8")
    cols = list(rows[0])
    lines = [f"# {title}", "", "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
             "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |" for r in rows]
    lines += ["", *notes, ""]
    md = RESULTS / f"{name}.md"
    md.write_text("\n".join(lines), encoding="utf-8")
    return md


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return "" if v is None else str(v)
