"""Bounded load test of ``factormodel serve`` on this machine (127.0.0.1 only).

Run:  python benchmarks/serve_load.py [--requests 1000] [--concurrency 32]
                                      [--report-share 0.1] [--report-repeats 0.5]
                                      [--server WORKERS[:WAITING] ...]
                                      [--max-seconds 1200]

For each server configuration (default: 1 worker and 2 workers, 1 report waiting per
worker) starts ``python -m factormodel serve --workers W --reports-waiting N`` on a
free port of 127.0.0.1 in a subprocess, sends a fixed number of requests from a fixed number of
threads, then stops the server. The mix is seeded: a share of the requests are
``report`` (the wijkrapport, with its figures and Monte Carlo), of which
``--report-repeats`` repeat an earlier report request exactly and the rest are
distinct (each a new wijk and goal weighting, never asked for before: the server
must render it); the others are ``recommend`` for a random wijk of the bundled
SYNTHETIC example data and ``propagate`` of random deltas on rotterdam-jeugd, half
each. The run is bounded in count (``--requests``) and in time (``--max-seconds``:
requests not yet sent by then are not sent and are counted as not sent).

Answers are counted as: **ok** (200); **busy** (503 with a ``Retry-After`` header:
the server's render queue was full and it said so at once; the client does not
retry); **errors** (anything else: another status, a 503 without ``Retry-After``,
a timeout of 120 s or a broken connection). "0 errors" means no error of that
kind; busy answers are reported beside them with their own latency. Latency
percentiles are over the ok answers of a kind (busy answers separately).

Writes the counts, p50/p95/p99 latency per kind, throughput and the server's
memory (resident set size of the server and its worker processes together:
before, at the end and the largest seen, sampled every 0.2 s) to
benchmarks/results/serve_load.{md,json}, with the machine and its load. In the
same run it times the library calls the routes make, in this process (wall time,
and the CPU time of one report), so the table can state the HTTP service's cost
as a ratio to the bare computation and the CPU floor of the distinct reports.
``tests/test_serve_load.py`` runs it at a small size.
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


#: Goal weightings a distinct report request is given (with the wijk, they make it new).
_WEIGHTINGS = ({"vsv": 2.0, "schoolsucces": 1.0}, {"vsv": 1.0}, {"schoolsucces": 1.0},
               {"vsv": 1.0, "schoolsucces": 2.0})


def _plan(n: int, seed: int, report_share: float = 0.0,
          report_repeats: float = 0.5) -> list[tuple[str, dict[str, Any]]]:
    """The requests, in order: ``report_share`` of them reports (``report_repeats`` of
    those an exact repeat of another report request of the plan, the rest each distinct),
    the rest half recommend, half propagate, shuffled (seeded)."""
    rng = random.Random(seed)
    model = fm.load_model(MODEL)
    data = fm.load_example_data("rotterdam")
    wijken = sorted(set(data.loc[data["level"] == "wijk", "area"]))
    factors = list(model.factors)
    plan: list[tuple[str, dict[str, Any]]] = []
    reports = round(report_share * n)
    repeats = round(report_repeats * reports)
    keys = [(w, k) for k in range(len(_WEIGHTINGS)) for w in wijken]
    if reports - repeats > len(keys):
        raise ValueError(f"at most {len(keys)} distinct report requests; "
                         f"asked for {reports - repeats}")
    distinct = [{"area": w, "outcomes": _WEIGHTINGS[k], "n_draws": REPORT_DRAWS}
                for w, k in rng.sample(keys, reports - repeats)]
    plan += [("report", body) for body in distinct]
    plan += [("report", dict(rng.choice(distinct))) for _ in range(repeats if distinct else 0)]
    for i in range(len(plan), n):
        if i % 2 == 0:
            plan.append(("recommend", {"area": rng.choice(wijken), "outcomes": OUTCOMES}))
        else:
            chosen = rng.sample(factors, 3)
            plan.append(("propagate", {"deltas": {f: round(rng.uniform(-1, 1), 3)
                                                  for f in chosen}}))
    rng.shuffle(plan)
    return plan


def _send(base: str, kind: str, body: dict[str, Any],
          stop_at: float | None = None) -> tuple[str, float, int, bool]:
    """One request: kind, seconds, status and whether a ``Retry-After`` header came with
    it; status 0 for a connection error or timeout, -1 when not sent because the run's
    time is up."""
    if stop_at is not None and time.monotonic() > stop_at:
        return kind, 0.0, -1, False
    req = urllib.request.Request(f"{base}/api/v1/models/{MODEL}/{kind}",
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    retry = False
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        retry = exc.headers.get("Retry-After") is not None
        exc.read()
    except OSError:
        status = 0  # connection error or timeout
    return kind, time.perf_counter() - start, status, retry


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
    the first request for a dataset pays it once). ``report_cpu`` is the CPU time
    of one report (median), the cost a render queue cannot share out.
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
    cpu = []
    for area in ("Tarwewijk", "Bloemhof", "Rubroek"):
        start = time.process_time()
        fm.report(model, data, area, OUTCOMES, n_draws=REPORT_DRAWS)
        cpu.append(time.process_time() - start)
    return {"report": t_rep, "recommend": t_rec, "propagate": t_prop, "profile": t_prof,
            "report_cpu": statistics.median(cpu)}


def _rss(pid: int) -> int:
    """Resident set size of a process and all its descendants (the server's worker
    processes), in bytes (Linux /proc; 0 where unavailable)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _rss(int(child))
    except OSError:
        pass
    return total


def _stats(rows: list[tuple[str, float, int, bool]]) -> dict[str, Any]:
    lat = [r[1] for r in rows]
    if not lat:
        return {"n": 0}
    return {"n": len(rows), "p50_ms": 1000 * _pct(lat, 50), "p95_ms": 1000 * _pct(lat, 95),
            "p99_ms": 1000 * _pct(lat, 99), "max_ms": 1000 * max(lat),
            "mean_ms": 1000 * statistics.fmean(lat)}


def run(requests: int = 1000, concurrency: int = 32, seed: int = 14,
        report_share: float = 0.1, max_seconds: float = 1200.0, report_repeats: float = 0.5,
        workers: int = 1, reports_waiting: int = 1) -> dict[str, Any]:
    """Start the server, send the requests, stop the server; return the measurements."""
    import threading

    plan = _plan(requests, seed, report_share, report_repeats)
    port = _free_port()
    base = f"http://{HOST}:{port}"
    # the server's log is not kept: a pipe nobody reads would fill up and stall it
    proc = subprocess.Popen([sys.executable, "-m", "factormodel", "serve", "--host", HOST,
                             "--port", str(port), "--workers", str(workers),
                             "--reports-waiting", str(reports_waiting)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(base, proc)
        # warm-up, not counted: a recommend and a propagate per worker (loads and caches)
        # and one report of a wijk and weighting the plan never asks for
        warm = [(k, b) for k, b in plan if k != "report"]
        warm = [next(w for w in warm if w[0] == k) for k in ("recommend", "propagate")]
        asked = {(b["area"], json.dumps(b["outcomes"])) for k, b in plan if k == "report"}
        spare = next((w, o) for o in _WEIGHTINGS for w in fm.load_example_data("rotterdam")
                     .query("level == 'wijk'")["area"].unique()
                     if (w, json.dumps(o)) not in asked)
        for _ in range(workers):
            for kind, body in warm:
                _send(base, kind, body)
        for _ in range(workers):
            _send(base, "report", {"area": spare[0], "outcomes": spare[1],
                                   "n_draws": REPORT_DRAWS})
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
    report_bodies = [json.dumps(b, sort_keys=True) for k, b in plan if k == "report"]
    out: dict[str, Any] = {"requests": requests, "concurrency": concurrency,
                           "report_share": report_share, "report_draws": REPORT_DRAWS,
                           "report_requests": len(report_bodies),
                           "distinct_reports": len(set(report_bodies)),
                           "workers": workers, "reports_waiting": reports_waiting,
                           "max_seconds": max_seconds, "not_sent": len(results) - len(sent),
                           "wall_s": wall, "throughput_per_s": len(sent) / wall,
                           "rss_mib": {"before": rss_before / 2**20, "after": rss_after / 2**20,
                                       "peak": max(peak) / 2**20},
                           "by_kind": {}}
    for kind in ("all", *KINDS):
        rows = [r for r in sent if kind in ("all", r[0])]
        if not rows:
            continue
        ok = [r for r in rows if r[2] == 200]
        busy = [r for r in rows if r[2] == 503 and r[3]]
        out["by_kind"][kind] = {
            **_stats(ok), "n": len(rows), "ok": len(ok), "busy": len(busy),
            "errors": len(rows) - len(ok) - len(busy),
            "statuses": sorted({r[2] for r in rows}),
            "busy_p95_ms": _stats(busy).get("p95_ms"),
            "ok_per_s": len(ok) / wall}
    return out


#: Server configurations measured by default: (worker processes, reports waiting per worker).
CONFIGS = ((1, 1), (2, 1))


def main(requests: int = 1000, concurrency: int = 32, report_share: float = 0.1,
         max_seconds: float = 1200.0, report_repeats: float = 0.5,
         configs: tuple[tuple[int, int], ...] = CONFIGS) -> Path:
    import os

    from benchmarks._harness import load

    direct = direct_medians()
    cores = os.cpu_count() or 1
    rows, runs, loads = [], [], []
    for workers, waiting in configs:
        load_start = load()
        m = run(requests, concurrency, report_share=report_share, max_seconds=max_seconds,
                report_repeats=report_repeats, workers=workers, reports_waiting=waiting)
        loads.append((load_start, load()))
        runs.append(m)
        for kind, s in m["by_kind"].items():
            one = direct.get(kind)
            rows.append({
                "server": f"{workers} worker(s), {waiting} waiting", "requests": kind,
                "n": s["n"], "ok": s["ok"], "busy": s["busy"], "errors": s["errors"],
                "p50_ms": s.get("p50_ms"), "p95_ms": s.get("p95_ms"),
                "p99_ms": s.get("p99_ms"), "busy_p95_ms": s["busy_p95_ms"],
                "ok_per_s": s["ok_per_s"],
                "direct_call_ms": None if one is None else 1000 * one,
                "p50_over_direct": None if one is None or s.get("p50_ms") is None
                else s["p50_ms"] / (1000 * one),
                "peak_rss_mib": m["rss_mib"]["peak"] if kind == "all" else None})
    first = runs[0]
    distinct, asked = first["distinct_reports"], first["report_requests"]
    floor = distinct * direct["report_cpu"] / cores
    notes = [
        f"{first['requests']} requests from {first['concurrency']} concurrent threads (a "
        f"closed loop: each sends its next request when the answer came) to `factormodel "
        f"serve` on {HOST} (a subprocess; `--workers` processes, `--reports-waiting` reports "
        "allowed to wait per worker while one is rendered), a seeded mix of "
        f"`report` ({100 * first['report_share']:.0f}%: {asked} wijkrapporten, "
        f"{first['report_draws']} Monte Carlo draws, figures included; {distinct} distinct "
        f"requests -- a wijk and goal weighting asked for once -- and {asked - distinct} exact "
        "repeats of one of them, shuffled into the run), `recommend` (a random wijk of the "
        "bundled SYNTHETIC example data, outcomes vsv x2 and schoolsucces) and `propagate` "
        f"(3 random factor deltas) on {MODEL}; warm-up requests not counted (a recommend, a "
        "propagate and a report the run never asks for, per worker). Latency is measured by "
        "the client, from sending to the last byte; p50/p95/p99 over the ok (200) answers.",
        "**ok**: 200. **busy**: 503 with `Retry-After` -- the worker's render queue (one "
        "report rendered, the given number waiting) was full and the server said so at once "
        "(`busy_p95_ms`); the client does not retry. **errors**: anything else (another "
        "status, a 503 without `Retry-After`, a timeout of 120 s, a broken connection). "
        "`ok_per_s`: ok answers per second of the run's wall time. `peak_rss_mib`: the "
        "resident memory of the server and its worker processes together, the largest "
        "sampled (every 0.2 s) during the run.",
        *[f"Run {i + 1} ({r['workers']} worker(s), {r['reports_waiting']} waiting): wall "
          f"{r['wall_s']:.1f} s, {r['throughput_per_s']:.1f} requests/s, {r['not_sent']} not "
          f"sent (bound {r['max_seconds']:.0f} s); server memory {r['rss_mib']['before']:.0f} "
          f"MiB after the warm-up, {r['rss_mib']['peak']:.0f} MiB at most, "
          f"{r['rss_mib']['after']:.0f} MiB at the end; machine load (1, 5, 15 min) "
          f"{a} at the start, {b} at the end ({cores} cores shared with other work)."
          for i, (r, (a, b)) in enumerate(zip(runs, loads, strict=True))],
        f"CPU floor of the reports: one report takes {direct['report_cpu']:.2f} s of CPU "
        f"(`fm.report`, {first['report_draws']} draws, in this process), so rendering the "
        f"{distinct} distinct reports takes at least {distinct} x {direct['report_cpu']:.2f} "
        f"s / {cores} cores = {floor:.1f} s of the machine whatever the server does. With "
        f"{first['concurrency']} clients in a closed loop and no bound, the reports in flight "
        "share the CPU and each waits for the others (issue 27: p95 32 s); the render queue "
        "keeps an accepted report's wait to the reports ahead of it and answers the rest busy "
        "at once.",
        "`direct_call_ms`: median time of the library call behind the route (`fm.report` "
        f"with {first['report_draws']} draws; `fm.recommend` on a profile computed "
        "beforehand, as the server keeps the profiles of named datasets; `fm.propagate` + "
        "`to_frame`), timed in the load generator's process in the same run; "
        "`p50_over_direct` = p50 latency / that time. Computing the profile of all example "
        f"areas, paid once per dataset and options: {1000 * direct['profile']:.0f} ms.",
    ]
    md = write("serve_load", "factormodel serve: bounded load test", rows, notes,
               start_load=loads[0][0])
    raw = json.loads(md.with_suffix(".json").read_text(encoding="utf-8"))
    raw["runs"] = runs
    raw["direct_s"] = direct
    raw["report_cpu_floor_s"] = floor
    md.with_suffix(".json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    print(md.read_text(encoding="utf-8"))
    return md


def _config(text: str) -> tuple[int, int]:
    workers, _, waiting = text.partition(":")
    return int(workers), int(waiting or 1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--report-share", type=float, default=0.1)
    parser.add_argument("--report-repeats", type=float, default=0.5)
    parser.add_argument("--server", type=_config, action="append", metavar="WORKERS[:WAITING]",
                        help="a server configuration to measure (repeatable; default: 1:1 "
                             "and 2:1)")
    parser.add_argument("--max-seconds", type=float, default=1200.0)
    args = parser.parse_args()
    main(args.requests, args.concurrency, args.report_share, args.max_seconds,
         args.report_repeats, tuple(args.server or CONFIGS))
