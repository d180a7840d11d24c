"""The benchmark script runs (on small sizes) and its cases agree with their baselines.
Timings are not asserted here: they live in benchmarks/results/."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_propagation",
                                                  ROOT / "benchmarks" / "propagation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cases_agree_with_baselines(bench):
    assert bench.batch_propagation(rows=50, inputs=10)["max_abs_diff"] < 1e-12
    single = bench.fcm_single(n=15)
    assert single["max_abs_diff"] < 1e-12 and "steps" in single["case"]
    assert bench.fcm_sweep(n=12)["max_abs_diff"] < 1e-12
    row, build = bench.large_sparse(n=400, targets=3)
    assert row["max_abs_diff"] < 1e-12 and row["peak_memory_MB"] < row["dense_nxn_MB"] * 10
    assert build["factormodel_s"] > 0


def test_uncertainty_benchmark_case_agrees():
    spec = importlib.util.spec_from_file_location("bench_uncertainty",
                                                  ROOT / "benchmarks" / "uncertainty.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    row = module.monte_carlo(n_draws=200, loop_draws=20)
    assert row["max_abs_diff"] < 1e-5 and row["divergent_draws"] == 0
