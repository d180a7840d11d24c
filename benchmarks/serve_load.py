"""Bounded load test of ``factormodel serve`` on this machine (127.0.0.1 only).

Run:  python benchmarks/serve_load.py [--requests 1000] [--concurrency 32]
                                      [--report-share 0.1] [--max-seconds 1200]

Starts ``python -m factormodel serve`` on a free port of 127.0.0.1 in a
subprocess, sends a fixed number of requests from a fixed number of threads
(a seeded mix of ``report`` -- the wijkrapport, with its figures and Monte Carlo --
for a share of them, and of ``recommend`` for a random wijk of the bundled
SYNTHETIC example data and ``propagate`` of random deltas on rotterdam-jeugd for
the rest), then stops the server. The run is bounded in count (``--requests``) and
in time (``--max-seconds``: requests not yet sent by then are not sent and are
counted as not sent). Writes the error count, p50/p95/p99 latency per kind,
throughput and the server's memory (resident set size before, at the end and the
largest seen, sampled every 0.2 s) to benchmarks/results/serve_load.{md,json}, with
the machine and its load. In the same run it times the library calls the routes
make, in this process, so the table can state the HTTP service's cost as a ratio
to the bare computation. ``tests/test_serve_load.py`` runs it at a small size.
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
#: Monte Carlo draws of a report in the load test (the API's default is 500).
REPORT_DRAWS = 100
KINDS = ("report", "recommend", "propagate")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _plan(n: int, seed: int, report_share: float = 0.0) -> list[tuple[str, dict[str, Any]]]:
    """The requests, in order: ``report_share`` of them reports, the rest half recommend,
    half propagate, shuffled (seeded)."""
    rng = random.Random(seed)
    model = fm.load_model(MODEL)
    data = fm.load_example_data("rotterdam")
    wijken = sorted(set(data.loc[data["level"] == "wijk", "area"]))
    factors = list(model.factors)
    plan: list[tuple[str, dict[str, Any]]] = []
    reports = round(report_share * n)
    for i in range(n):
        if i < reports:
            plan.append(("report", {"area": rng.choice(wijken), "outcomes": OUTCOMES,
                                    "n_draws": REPORT_DRAWS}))
        elif i % 2 == 0:
            plan.append(("recommend", {"area": rng.choice(wijken), "outcomes": OUTCOMES}))
        else:
            chosen = rng.sample(factors, 3)
            plan.append(("propagate", {"deltas": {f: round(rng.uniform(-1, 1), 3)
                                                  for f in chosen}}))
    rng.shuffle(plan)
    return plan


def _send(base: str, kind: str, body: dict[str, Any],
          stop_at: float | None = None) -> tuple[str, float, int]:
    """One request; status 0 for a connection error or timeout, -1 when not sent because
    the run's time is up."""
    if stop_at is not None and time.monotonic() > stop_at:
        return kind, 0.0, -1
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
            raise RuntimeError(f"the server exited with status {proc.returncode}")
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
    t_rep, _ = timed(lambda: fm.report(model, data, "Oud-Crooswijk", OUTCOMES,
                                       n_draws=REPORT_DRAWS), max(3, repeats // 5))
    return {"report": t_rep, "recommend": t_rec, "propagate": t_prop, "profile": t_prof}


def _rss(pid: int) -> int:
    """Resident set size of a process, in bytes (Linux /proc; 0 where unavailable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(requests: int = 1000, concurrency: int = 32, seed: int = 14,
        report_share: float = 0.1, max_seconds: float = 1200.0) -> dict[str, Any]:
    """Start the server, send the requests, stop the server; return the measurements."""
    import threading

    plan = _plan(requests, seed, report_share)
    port = _free_port()
    base = f"http://{HOST}:{port}"
    # the server's log is not kept: a pipe nobody reads would fill up and stall it
    proc = subprocess.Popen([sys.executable, "-m", "factormodel", "serve", "--host", HOST,
                             "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        _wait_ready(base, proc)
        warm = dict(plan)  # one of each kind: loads and caches
        for kind, body in warm.items():
            _send(base, kind, body)
        rss_before = _rss(proc.pid)
        peak = [rss_before]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                peak.append(_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        stop_at = time.monotonic() + max_seconds
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(lambda kb: _send(base, *kb, stop_at=stop_at), plan))
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        rss_after = _rss(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    sent = [r for r in results if r[2] != -1]
    out: dict[str, Any] = {"requests": requests, "concurrency": concurrency,
                           "report_share": report_share, "report_draws": REPORT_DRAWS,
                           "max_seconds": max_seconds, "not_sent": len(results) - len(sent),
                           "wall_s": wall, "throughput_per_s": len(sent) / wall,
                           "rss_mib": {"before": rss_before / 2**20, "after": rss_after / 2**20,
                                       "peak": max(peak) / 2**20},
                           "by_kind": {}}
    for kind in ("all", *KINDS):
        rows = [r for r in sent if kind in ("all", r[0])]
        if not rows:
            continue
        lat = [r[1] for r in rows]
        out["by_kind"][kind] = {
            "n": len(rows), "errors": sum(1 for r in rows if r[2] != 200),
            "statuses": sorted({r[2] for r in rows}),
            "p50_ms": 1000 * _pct(lat, 50), "p95_ms": 1000 * _pct(lat, 95),
            "p99_ms": 1000 * _pct(lat, 99), "max_ms": 1000 * max(lat),
            "mean_ms": 1000 * statistics.fmean(lat)}
    return out


def main(requests: int = 1000, concurrency: int = 32, report_share: float = 0.1,
         max_seconds: float = 1200.0) -> Path:
    from benchmarks._harness import load

    direct = direct_medians()
    load_start = load()
    m = run(requests, concurrency, report_share=report_share, max_seconds=max_seconds)
    load_end = load()
    rows = []
    for kind, s in m["by_kind"].items():
        one = direct.get(kind)
        rows.append({"requests": kind, "n": s["n"], "errors": s["errors"],
                     "p50_ms": s["p50_ms"], "p95_ms": s["p95_ms"], "p99_ms": s["p99_ms"],
                     "max_ms": s["max_ms"],
                     "direct_call_ms": None if one is None else 1000 * one,
                     "p50_over_direct": None if one is None else s["p50_ms"] / (1000 * one)})
    rss = m["rss_mib"]
    notes = [
        f"{m['requests']} requests from {m['concurrency']} concurrent threads to "
        f"`factormodel serve` on {HOST} (one uvicorn worker, a subprocess), a seeded mix of "
        f"`report` ({100 * m['report_share']:.0f}%: the wijkrapport of a random wijk, "
        f"{m['report_draws']} Monte Carlo draws, figures included), `recommend` (a random wijk "
        "of the bundled SYNTHETIC example data, outcomes vsv x2 and schoolsucces) and "
        f"`propagate` (3 random factor deltas) on {MODEL}; one warm-up request of each kind "
        "not counted. Latency is measured by the client, from sending to the last byte. "
        f"Wall time {m['wall_s']:.1f} s, throughput {m['throughput_per_s']:.1f} requests/s; "
        f"{m['not_sent']} requests not sent (time bound {m['max_seconds']:.0f} s). An error "
        "is any answer other than 200, a timeout (120 s) or a broken connection.",
        f"Server memory (resident set): {rss['before']:.0f} MiB after the warm-up, "
        f"{rss['peak']:.0f} MiB at most during the run, {rss['after']:.0f} MiB at the end.",
        f"Machine load (1, 5, 15 min) at the start {load_start}, at the end {load_end} "
        "(2 cores shared with other work).",
        "`direct_call_ms`: median time of the library call behind the route (`fm.report` "
        f"with {m['report_draws']} draws; `fm.recommend` on a profile computed beforehand, as "
        "the server keeps the profiles of named datasets; `fm.propagate` + `to_frame`), "
        "timed in the load generator's process in the same run; `p50_over_direct` = p50 "
        "latency / that time. Computing the profile of all example areas, paid once per "
        f"dataset and options: {1000 * direct['profile']:.0f} ms. With "
        f"{m['concurrency']} requests in flight on this machine's cores, most of a request's "
        "latency is waiting for its turn; run `python benchmarks/serve_load.py` to measure "
        "yours.",
    ]
    md = write("serve_load", "factormodel serve: bounded load test", rows, notes)
    raw = json.loads(md.with_suffix(".json").read_text(encoding="utf-8"))
    raw["run"] = m
    md.with_suffix(".json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    print(md.read_text(encoding="utf-8"))
    return md


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--report-share", type=float, default=0.1)
    parser.add_argument("--max-seconds", type=float, default=1200.0)
    args = parser.parse_args()
    main(args.requests, args.concurrency, args.report_share, args.max_seconds)
