"""The benchmark scripts run (on small sizes) and their cases agree with their baselines.
Timings are not asserted here: they live in benchmarks/results/."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}",
                                                  ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cases_agree_with_baselines():
    bench = _load("propagation")
    assert bench.batch_propagation(rows=50, inputs=10)["max_abs_diff"] < 1e-12
    single = bench.fcm_single(n=15)
    assert single["max_abs_diff"] < 1e-12 and "steps" in single["case"]
    assert bench.fcm_sweep(n=12)["max_abs_diff"] < 1e-12
    row, _build = bench.large_sparse(n=400, targets=3)  # the build's time is reported only
    assert row["max_abs_diff"] < 1e-12 and row["peak_memory_MB"] < row["dense_nxn_MB"] * 10


def test_uncertainty_benchmark_case_agrees():
    row = _load("uncertainty").monte_carlo(n_draws=200, loop_draws=20)
    assert row["max_abs_diff"] < 1e-5 and row["divergent_draws"] == 0


def test_peer_total_effects_agree():
    rows = _load("peers").total_effects_rows()
    assert len(rows) == 2
    assert all(r["max_abs_diff"] < 1e-12 for r in rows)
    assert {r["peer"] for r in rows} == {"networkx: enumerate every path",
                                          "numpy dense inverse"}


def test_peer_fcm_rows_match_fcmpy_or_say_why_skipped():
    rows, skipped = _load("peers").fcm_rows()
    if skipped:
        assert not rows and skipped[0].startswith("FCMpy: not importable")
        pytest.skip(skipped[0])
    assert len(rows) == 6
    assert all(r["max_abs_diff"] < 1e-10 and r["note"] == "same number of steps" for r in rows)


def test_peer_sem_rows_match_semopy_and_pgmpy_or_say_why_skipped():
    rows, skipped = _load("peers").sem_rows(rows=50)
    assert len(rows) + len(skipped) == 2
    assert all(s.split(":")[0] in {"semopy", "pgmpy"} for s in skipped)
    assert all(r["max_abs_diff"] < 1e-10 for r in rows)
    if not rows:
        pytest.skip("; ".join(skipped))


def test_large_model_cases_agree():
    bench = _load("large_models")
    assert bench.check_share(150, repeats=1)["max_abs_diff"] < 1e-12
    row = bench.divergence(n=300, repeats=1)
    assert row["max_abs_diff"] < 1e-6 and "loop named" in row["note"]
    assert bench.slow_series(n=300, repeats=1)["max_abs_diff"] < 1e-8
    assert bench.lazy_attribution(n=300, given=40, repeats=1)["max_abs_diff"] < 1e-12
    assert bench.all_columns(n=300, repeats=1)["max_abs_diff"] < 1e-10


def test_national_cases_agree():
    rows = _load("national").cases(n_areas=300, repeats=1, sample=5)
    assert len(rows) == 7
    assert rows[0]["max_abs_diff"] < 1e-12  # profile against the plain pandas profile
    raw = [r for r in rows if r["case"].startswith("fm.profile of ")]
    assert len(raw) == 3  # raw long, categorical, wide: the same deltas as the normalised
    assert all(r["max_abs_diff"] < 1e-12 for r in raw)
    assert rows[-1]["max_abs_diff"] == 0  # explanation texts against the per-area ones
    assert "SYNTHETIC" in rows[0]["case"]


def test_harness_pins_threads_and_reports_spread():
    harness = _load("_harness")
    assert all("1 thread)" in pool for pool in harness.blas())
    t, value = harness.timed(lambda: 42, repeats=3)
    assert value == 42 and t.n == 3 and t.min <= float(t) <= t.max
    assert harness._fmt(t).count("[") == 1  # median [min-max]
    info = harness.machine()
    assert {"numpy", "scipy", "pandas", "blas", "load average"} <= set(info)


def test_startup_benchmark_runs():
    times = _load("startup").measure(repeats=1)
    assert set(times) >= {"numpy + pandas (baseline)", "import factormodel",
                          "CLI: propagate one wijk", "CLI: recommend --budget one wijk"}
    assert all(len(v) == 1 and v[0] > 0 for v in times.values())


def test_serve_load_benchmark_runs_small_and_bounded():
    pytest.importorskip("fastapi", reason="the serve extra is not installed: "
                                          "pip install 'factormodel[serve]'")
    m = _load("serve_load").run(requests=12, concurrency=3, report_share=0.0)
    assert m["by_kind"]["all"]["n"] == 12 and m["by_kind"]["all"]["errors"] == 0
    assert m["by_kind"]["recommend"]["n"] == m["by_kind"]["propagate"]["n"] == 6
    assert m["by_kind"]["all"]["p50_ms"] <= m["by_kind"]["all"]["p99_ms"]


def test_calibration_benchmark_agrees_with_the_finite_difference_fit():
    row = _load("calibration").calibration_row(repeats=1)
    assert row["max_abs_diff"] < 1e-3 and row["informed_edges"] > 0
