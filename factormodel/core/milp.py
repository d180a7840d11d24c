"""Exact mixed-integer linear programmes, solved by HiGHS through its own Python binding.

One responsibility: ``minimise c·x`` subject to ``lo <= A x <= hi``, ``lower <= x <= upper``
and integrality, answered as the optimum, "infeasible", or a stop with HiGHS's reason.
The budgeted portfolio (:func:`factormodel.analysis.portfolio.optimize_portfolio`) is its
user.

Why ``highspy`` and not ``scipy.optimize.milp``: both call the same HiGHS solver, but
importing ``scipy.optimize`` costs 0.2-0.35 s, which made a cold ``factormodel recommend
--budget`` 2.85 times the numpy + pandas floor for an 8 ms solve (issue 27, item 13);
``highspy`` loads in about 7 ms. The binding's high-level ``highspy.Highs()`` writes HiGHS's
banner to standard output when it is created, before any option can be set
(ERGO-Code/HiGHS#2749), which would corrupt the command line's JSON; the binding's core
class ``highspy._Highs`` (exported by the package, without the callbacks that print) is
used with ``output_flag`` off before anything else. ``tests/test_portfolio.py`` checks the
optimum against brute force and against ``scipy.optimize.milp``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MilpResult", "solve"]


@dataclass(frozen=True)
class MilpResult:
    """The answer of :func:`solve`.

    Attributes
    ----------
    status : str
        ``"optimal"``, ``"infeasible"`` or ``"stopped"`` (a HiGHS limit or another model
        status; ``message`` says which).
    x : numpy.ndarray or None
        The optimal point (``None`` unless ``status == "optimal"``).
    message : str
        HiGHS's model status in words.
    """

    status: str
    x: np.ndarray | None
    message: str


def solve(c: np.ndarray, A: np.ndarray, lo: np.ndarray, hi: np.ndarray,
          lower: np.ndarray, upper: np.ndarray, integer: np.ndarray) -> MilpResult:
    """Minimise ``c·x`` subject to ``lo <= A x <= hi`` and ``lower <= x <= upper``, with
    ``x[j]`` integer where ``integer[j]`` is true.

    Parameters
    ----------
    c : numpy.ndarray
        Objective coefficients, shape ``(n,)``.
    A : numpy.ndarray
        Constraint matrix, shape ``(m, n)`` (dense; the portfolio's problems are small).
    lo, hi : numpy.ndarray
        Row bounds, shape ``(m,)``; ``-inf`` / ``inf`` for a one-sided row.
    lower, upper : numpy.ndarray
        Variable bounds, shape ``(n,)``.
    integer : numpy.ndarray
        Booleans, shape ``(n,)``: which variables are integers.

    Returns
    -------
    MilpResult

    Examples
    --------
    Two items of value 1 and 3 and weight 1 and 2 in a knapsack of 3.5, at most 3 of each:

    >>> import numpy as np
    >>> r = solve(np.array([-1.0, -3.0]), np.array([[1.0, 2.0]]), np.array([-np.inf]),
    ...           np.array([3.5]), np.zeros(2), np.full(2, 3.0), np.array([True, True]))
    >>> r.status, r.x.round().tolist()
    ('optimal', [1.0, 1.0])
    >>> solve(np.array([1.0]), np.array([[1.0]]), np.array([2.0]), np.array([np.inf]),
    ...       np.zeros(1), np.ones(1), np.array([True])).status
    'infeasible'
    """
    import highspy

    inf = highspy.kHighsInf
    A = np.asarray(A, dtype=float).reshape(len(lo), len(c))
    # the core class: no banner on stdout (see the module docstring); not in the stubs
    h = highspy._Highs()  # type: ignore[attr-defined]
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(c), len(lo)
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.clip(np.asarray(lo, dtype=float), -inf, inf)
    lp.row_upper_ = np.clip(np.asarray(hi, dtype=float), -inf, inf)
    rows, cols = np.nonzero(A)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(lo)))])
    lp.a_matrix_.index_ = cols.astype(np.int32)
    lp.a_matrix_.value_ = A[rows, cols]
    kind = highspy.HighsVarType
    lp.integrality_ = [kind.kInteger if i else kind.kContinuous for i in np.asarray(integer)]
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    message = h.modelStatusToString(status)
    if status == highspy.HighsModelStatus.kOptimal:
        return MilpResult("optimal", np.array(h.getSolution().col_value, dtype=float), message)
    if status in (highspy.HighsModelStatus.kInfeasible,
                  highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return MilpResult("infeasible", None, message)
    return MilpResult("stopped", None, message)
