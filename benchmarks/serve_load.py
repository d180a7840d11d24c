"""Bounded load test of ``factormodel serve`` on this machine (127.0.0.1 only).

Run:  python benchmarks/serve_load.py [--requests 500] [--concurrency 16]

Starts ``python -m factormodel serve`` on a free port of 127.0.0.1 in a
subprocess, sends a fixed number of requests from a fixed number of threads
(a seeded mix of ``recommend`` for a random wijk of the bundled SYNTHETIC
example data and ``propagate`` of random deltas on rotterdam-jeugd), then stops
the server. Writes p50/p95/p99 latency, throughput and the error count to
benchmarks/results/serve_load.{md,json}, with the machine. In the same run it
times the library calls the two routes make, in this process, so the table can
state the HTTP service's cost as a ratio to the bare computation.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import factormodel as fm  # noqa: E402
from benchmarks._harness import timed, write  # noqa: E402

HOST = "127.0.0.1"  # never anything else: this script loads only the local machine
MODEL = "rotterdam-jeugd"
OUTCOMES = {"vsv": 2.0, "schoolsucces": 1.0}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _plan(n: int, seed: int) -> list[tuple[str, dict[str, Any]]]:
    """The requests, in order: half recommend, half propagate, shuffled (seeded)."""
    rng = random.Random(seed)
    model = fm.load_model(MODEL)
    data = fm.load_example_data("rotterdam")
    wijken = sorted(set(data.loc[data["level"] == "wijk", "area"]))
    factors = list(model.factors)
    plan: list[tuple[str, dict[str, Any]]] = []
    for i in range(n):
        if i % 2 == 0:
            plan.append(("recommend", {"area": rng.choice(wijken), "outcomes": OUTCOMES}))
        else:
            chosen = rng.sample(factors, 3)
            plan.append(("propagate", {"deltas": {f: round(rng.uniform(-1, 1), 3)
                                                  for f in chosen}}))
    rng.shuffle(plan)
    return plan


def _send(base: str, kind: str, body: dict[str, Any]) -> tuple[str, float, int]:
    req = urllib.request.Request(f"{base}/api/v1/models/{MODEL}/{kind}",
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0  # connection error or timeout
    return kind, time.perf_counter() - start, status


def _wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited: " + (proc.stderr.read() or b"").decode())
        try:
            with urllib.request.urlopen(f"{base}/api/v1/models", timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer within 60 s")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def direct_medians(repeats: int = 20) -> dict[str, float]:
    """Median seconds of the library work behind each route, in this process.

    The server keeps the profile of a named dataset, so ``recommend`` is timed
    with the profile computed beforehand (``profile`` is reported separately:
    the first request for a dataset pays it once).
    """
    model = fm.load_model(MODEL)
    data = fm.load_example_data("rotterdam")
    t_prof, prof = timed(lambda: fm.profile(model, data), repeats)
    t_rec, _ = timed(lambda: fm.recommend(model, prof, OUTCOMES, area="Oud-Crooswijk"),
                     repeats)
    t_prop, _ = timed(lambda: fm.propagate(model, {"schoolverzuim": -0.5, "armoede": 0.2,
                                                   "opvoedklimaat": 0.3}).to_frame(), repeats)
    return {"recommend": t_rec, "propagate": t_prop, "profile": t_prof}


def run(requests: int = 500, concurrency: int = 16, seed: int = 14) -> dict[str, Any]:
    """Start the server, send the requests, stop the server; return the measurements."""
    plan = _plan(requests, seed)
    port = _free_port()
    base = f"http://{HOST}:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "factormodel", "serve", "--host", HOST,
                             "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        _wait_ready(base, proc)
        for kind, body in plan[:4]:  # warm-up: first loads and caches, not counted
            _send(base, kind, body)
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(lambda kb: _send(base, *kb), plan))
        wall = time.perf_counter() - start
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    out: dict[str, Any] = {"requests": requests, "concurrency": concurrency, "wall_s": wall,
                           "throughput_per_s": requests / wall, "by_kind": {}}
    for kind in ("all", "recommend", "propagate"):
        rows = [r for r in results if kind in ("all", r[0])]
        lat = [r[1] for r in rows]
        out["by_kind"][kind] = {
            "n": len(rows), "errors": sum(1 for r in rows if r[2] != 200),
            "p50_ms": 1000 * _pct(lat, 50), "p95_ms": 1000 * _pct(lat, 95),
            "p99_ms": 1000 * _pct(lat, 99), "max_ms": 1000 * max(lat),
            "mean_ms": 1000 * statistics.fmean(lat)}
    return out


def main(requests: int = 500, concurrency: int = 16) -> Path:
    direct = direct_medians()
    m = run(requests, concurrency)
    rows = []
    for kind, s in m["by_kind"].items():
        one = direct.get(kind)
        rows.append({"requests": kind, "n": s["n"], "errors": s["errors"],
                     "p50_ms": s["p50_ms"], "p95_ms": s["p95_ms"], "p99_ms": s["p99_ms"],
                     "max_ms": s["max_ms"],
                     "direct_call_ms": None if one is None else 1000 * one,
                     "p50_over_direct": None if one is None else s["p50_ms"] / (1000 * one)})
    notes = [
        f"{m['requests']} requests from {m['concurrency']} concurrent threads to "
        f"`factormodel serve` on {HOST} (one uvicorn worker, a subprocess), a seeded mix of "
        f"`recommend` (a random wijk of the bundled SYNTHETIC example data, outcomes vsv x2 and "
        f"schoolsucces) and `propagate` (3 random factor deltas) on {MODEL}; 4 warm-up "
        "requests not counted. Latency is measured by the client, from sending to the last "
        f"byte. Wall time {m['wall_s']:.1f} s, throughput {m['throughput_per_s']:.1f} "
        "requests/s.",
        "`direct_call_ms`: median time of the library call behind the route (`fm.recommend` "
        "on a profile computed beforehand, as the server keeps the profiles of named "
        "datasets; `fm.propagate` + `to_frame`), timed in the load generator's process in "
        "the same run; `p50_over_direct` = p50 latency / that time. Computing the profile "
        f"of all example areas, paid once per dataset and options: {1000 * direct['profile']:.0f}"
        " ms. "
        "With 16 requests in flight on this machine's cores, most of a request's latency "
        "is waiting for its turn; run `python benchmarks/serve_load.py` to measure yours.",
    ]
    md = write("serve_load", "factormodel serve: bounded load test", rows, notes)
    raw = json.loads(md.with_suffix(".json").read_text(encoding="utf-8"))
    raw["run"] = m
    md.with_suffix(".json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    print(md.read_text(encoding="utf-8"))
    return md


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    main(args.requests, args.concurrency)
