"""The HiGHS plumbing shared by every planner: the guards around what HiGHS reports."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from junheng.plan import solver
from junheng.plan.solver import SolveOptions, combine_stages, keep_stage_value, solve_mip


def knapsack() -> tuple[Any, ...]:
    """max 5a + 4b + 3c s.t. 2a + 3b + c ≤ 4 (binary): optimum a = c = 1, value 8."""
    c = -np.array([5.0, 4.0, 3.0])
    A = sp.csr_matrix([[2.0, 3.0, 1.0]])
    return (c, A, np.array([-np.inf]), np.array([4.0]), np.zeros(3), np.ones(3),
            np.ones(3, dtype=bool))


class _LyingInfo:
    def __init__(self, info: Any) -> None:
        self._info = info

    def __getattr__(self, name: str) -> Any:
        if name == "objective_function_value":
            return self._info.objective_function_value - 1.0  # a start valued wrongly
        return getattr(self._info, name)


def test_a_misvalued_start_is_solved_again_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = solver._new_highs
    calls = {"n": 0}

    def first_run_lies() -> Any:
        h = real()
        calls["n"] += 1
        if calls["n"] == 1:
            get_info = h.getInfo
            h.getInfo = lambda: _LyingInfo(get_info())  # type: ignore[method-assign]
        return h

    monkeypatch.setattr(solver, "_new_highs", first_run_lies)
    c, A, rl, ru, lb, ub, integer = knapsack()
    start = np.array([0.0, 1.0, 1.0])  # feasible, value 7
    report, x = solve_mip(c, A, rl, ru, lb, ub, integer, SolveOptions(time_limit=10),
                          start=start)
    assert calls["n"] == 2 and report.detail["start_misvalued"]
    assert report.status == "optimal" and report.objective == pytest.approx(-8.0)
    assert x is not None and float(c @ x) == pytest.approx(-8.0)


def test_without_a_start_the_reported_objective_is_taken_as_is() -> None:
    c, A, rl, ru, lb, ub, integer = knapsack()
    report, x = solve_mip(c, A, rl, ru, lb, ub, integer, SolveOptions(time_limit=10))
    assert report.status == "optimal" and "start_misvalued" not in report.detail
    assert x is not None and report.objective == pytest.approx(float(c @ x)) == -8.0


def test_lexicographic_bookkeeping_keeps_the_value_and_the_worst_gap() -> None:
    c, A, rl, ru, lb, ub, integer = knapsack()
    first, x = solve_mip(c, A, rl, ru, lb, ub, integer, SolveOptions(time_limit=10))
    assert x is not None
    A2, rl2, ru2 = keep_stage_value(A, rl, ru, c, float(c @ x))
    # stage 2: fewest items among the value-8 plans -> still a and c
    second, y = solve_mip(np.ones(3), A2, rl2, ru2, lb, ub, integer, SolveOptions(time_limit=10))
    assert y is not None and float(c @ y) == pytest.approx(-8.0) and y.sum() == pytest.approx(2)
    second.gap = 0.02
    both = combine_stages([first, second])
    assert both.objective == first.objective and both.gap == 0.02
    assert both.status == "optimal" and len(both.detail["stages"]) == 2
