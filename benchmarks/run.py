"""Run every benchmark and write benchmarks/results/summary.{md,json}.

Run:  python benchmarks/run.py
Each part also writes its own results file (startup, propagation, uncertainty, peers,
large_models, national). BLAS threads are pinned to one per pool (see ``_harness``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import (  # noqa: E402
    calibration,
    large_models,
    national,
    peers,
    propagation,
    startup,
    uncertainty,
)
from benchmarks._harness import RESULTS, machine  # noqa: E402


def main() -> Path:
    parts = {"startup": startup.main, "propagation": propagation.main,
             "uncertainty": uncertainty.main, "peers": peers.main,
             "large_models": large_models.main, "national": national.main,
             "calibration": calibration.main}
    lines = ["# factormodel benchmarks", "", "Machine: " + ", ".join(
        f"{k} {v}" for k, v in machine().items()), ""]
    summary = {}
    for name, run in parts.items():
        print(f"== {name}")
        md = run()
        summary[name] = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
        body = md.read_text(encoding="utf-8").split("\n", 4)[4]  # drop title and machine
        info = summary[name]["machine"]
        lines += [f"## {name}", "", f"Load average (1, 5, 15 min) at start "
                  f"{info['load average at start']}, at end {info['load average']}.", "", body]
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2) + "\n",
                                          encoding="utf-8")
    out = RESULTS / "summary.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    _update_readme("\n".join(lines[2:]).replace("\n## ", "\n### "))
    return out


def _update_readme(block: str) -> None:
    """Replace the results block in benchmarks/README.md with the latest tables."""
    readme = ROOT / "benchmarks" / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"{readme}: markers {start} / {end} not found; not updating it")
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    readme.write_text(f"{head}{start}\n{block.strip()}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    print(f"written: {main()}")
