"""core.milp (HiGHS through highspy) against scipy.optimize.milp and brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from factormodel.core import milp as core_milp


def _instance(seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 6)), int(rng.integers(1, 4))
    c = -rng.uniform(0.1, 2.0, n)
    A = rng.uniform(0.0, 3.0, (m, n)) * (rng.random((m, n)) < 0.8)
    hi = rng.uniform(1.0, 8.0, m)
    lo = np.full(m, -np.inf)
    upper = rng.integers(1, 4, n).astype(float)
    integer = rng.random(n) < 0.7
    return c, A, lo, hi, np.zeros(n), upper, integer


@pytest.mark.parametrize("seed", range(25))
def test_the_optimum_equals_scipy_milp(seed):
    c, A, lo, hi, lower, upper, integer = _instance(seed)
    ours = core_milp.solve(c, A, lo, hi, lower, upper, integer)
    ref = milp(c, integrality=integer.astype(int), bounds=Bounds(lower, upper),
               constraints=LinearConstraint(A, lo, hi))
    assert ours.status == "optimal" and ref.success
    assert c @ ours.x == pytest.approx(ref.fun, abs=1e-7)
    assert np.all(A @ ours.x <= hi + 1e-7)
    assert np.allclose(ours.x[integer], np.round(ours.x[integer]))


@pytest.mark.parametrize("seed", range(10))
def test_an_all_integer_optimum_equals_brute_force(seed):
    c, A, lo, hi, lower, upper, _ = _instance(100 + seed)
    integer = np.ones(len(c), dtype=bool)
    best = min(c @ np.array(x) for x in itertools.product(*[range(int(u) + 1) for u in upper])
               if np.all(A @ np.array(x) <= hi))
    assert c @ core_milp.solve(c, A, lo, hi, lower, upper, integer).x == pytest.approx(best)


def test_an_infeasible_programme_is_said_so_and_gives_no_point():
    # x1 + x2 >= 3 with both at most 1
    r = core_milp.solve(np.ones(2), np.ones((1, 2)), np.array([3.0]), np.array([np.inf]),
                        np.zeros(2), np.ones(2), np.ones(2, dtype=bool))
    assert r.status == "infeasible" and r.x is None and "nfeasible" in r.message


def test_equality_and_two_sided_rows():
    # maximise x + y with x - y = 0 and 1 <= x + 2y <= 4.5, integers: x = y = 1
    r = core_milp.solve(-np.ones(2), np.array([[1.0, -1.0], [1.0, 2.0]]),
                        np.array([0.0, 1.0]), np.array([0.0, 4.5]), np.zeros(2),
                        np.full(2, 10.0), np.ones(2, dtype=bool))
    assert r.status == "optimal" and r.x.tolist() == [1.0, 1.0]
