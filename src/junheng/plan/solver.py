"""Solver plumbing shared by every planner (求解器): options, HiGHS runs, status, errors.

Models are handed to HiGHS as sparse matrices in one call (no Python loop
over variables), always with a time limit, a relative MIP gap and a seed; the
result states whether it is optimal, or feasible with the proven bound and
the gap.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

Status = Literal["optimal", "feasible", "infeasible", "no_solution"]


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings: ``time_limit`` seconds, relative ``mip_gap``, ``seed``; ``threads``
    1 by default (deterministic: the same seed gives the same plan), 0 or None lets HiGHS
    choose. One thread is the default because HiGHS 1.16 with its own thread choice was seen
    to overrun a 60 s limit by minutes (a rotation model, 2 cores) and to gain little: its
    branch-and-bound is mostly serial."""

    time_limit: float = 60.0
    mip_gap: float = 1e-4
    seed: int = 0
    threads: int | None = 1
    verbose: bool = False

    def __post_init__(self) -> None:
        if not self.time_limit > 0:
            raise ValueError(f"time_limit must be > 0 seconds, got {self.time_limit}")
        if not 0 <= self.mip_gap < 1:
            raise ValueError(f"mip_gap must be in [0, 1), got {self.mip_gap}")


@dataclass
class SolveReport:
    """What the solver says: status, objective, best bound, gap, time."""

    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    nodes: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "objective": self.objective, "bound": self.bound,
                "gap": self.gap, "solve_seconds": round(self.seconds, 3), "solver": self.solver,
                "nodes": self.nodes}


class Rows:
    """Constraint rows gathered block by block, then one sparse matrix (约束行).

    ``add(rows, cols, vals, lo, hi)`` appends ``len(lo)`` rows; ``rows`` counts
    from 0 inside the block, so each family of constraints is written as the
    vectors it is, without tracking offsets by hand.
    """

    def __init__(self) -> None:
        self._r: list[np.ndarray] = []
        self._c: list[np.ndarray] = []
        self._v: list[np.ndarray] = []
        self._lo: list[np.ndarray] = []
        self._hi: list[np.ndarray] = []
        self.count = 0

    def add(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, lo: np.ndarray,
            hi: np.ndarray) -> None:
        self._r.append(np.asarray(rows) + self.count)
        self._c.append(np.asarray(cols))
        self._v.append(np.asarray(vals, dtype=float))
        self._lo.append(np.asarray(lo, dtype=float))
        self._hi.append(np.asarray(hi, dtype=float))
        self.count += len(lo)

    def build(self, n_cols: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """``(A, row_lb, row_ub)`` of every block added so far."""
        if not self._lo:
            return sp.csr_matrix((0, n_cols)), np.zeros(0), np.zeros(0)
        A = sp.csr_matrix((np.concatenate(self._v), (np.concatenate(self._r),
                                                     np.concatenate(self._c))),
                          shape=(self.count, n_cols))
        return A, np.concatenate(self._lo), np.concatenate(self._hi)


class InfeasibleError(ValueError):
    """No plan can keep every rule; ``reasons`` say which rule, where and by how much."""

    def __init__(self, reasons: list[str], reasons_en: list[str] | None = None) -> None:
        self.reasons = reasons
        self.reasons_en = reasons_en or reasons
        super().__init__("; ".join(self.reasons_en))

    def message(self, lang: str = "zh") -> str:
        return ("；" if lang == "zh" else "; ").join(self.reasons_en if lang == "en"
                                                     else self.reasons)


_BANNER_SHOWN = False


def _new_highs() -> Any:
    """A HiGHS instance; the copyright banner HiGHS prints once per process on stdout is
    swallowed so that ``junheng plan … > plan.txt`` stays clean (HiGHS is MIT-licensed,
    credited in the README)."""
    global _BANNER_SHOWN
    import highspy

    if _BANNER_SHOWN:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER_SHOWN = True
    return h


def highs_version() -> str:

    return f"HiGHS {_new_highs().version()}"


def solve_mip(c: np.ndarray, A: sp.spmatrix, row_lb: np.ndarray, row_ub: np.ndarray,
              lb: np.ndarray, ub: np.ndarray, integer: np.ndarray, options: SolveOptions,
              offset: float = 0.0, start: np.ndarray | None = None, *,
              highs_options: dict[str, Any] | None = None
              ) -> tuple[SolveReport, np.ndarray | None]:
    """Minimise ``c·x + offset`` s.t. ``row_lb ≤ A x ≤ row_ub``, ``lb ≤ x ≤ ub``, x_j integer
    where ``integer[j]``. Returns the report and the solution (None when there is none).

    ``highs_options`` are extra HiGHS options (name → value) set after the standard ones,
    e.g. ``{"mip_lp_solver": "ipm"}`` for models whose root LP is very degenerate."""
    import highspy

    A = sp.csc_matrix(A)
    n = len(c)
    h = _new_highs()
    solver = f"HiGHS {h.version()}"
    h.setOptionValue("output_flag", bool(options.verbose))
    h.setOptionValue("time_limit", float(options.time_limit))
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    h.setOptionValue("random_seed", int(options.seed))
    if options.threads is not None:
        h.setOptionValue("threads", int(options.threads))
    for name, value in (highs_options or {}).items():
        if h.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS rejected option {name} = {value!r}")
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_ = np.asarray(lb, dtype=float)
    lp.col_upper_ = np.where(np.isinf(ub), inf, np.asarray(ub, dtype=float))
    lp.row_lower_ = np.where(np.isinf(row_lb), -inf, np.asarray(row_lb, dtype=float))
    lp.row_upper_ = np.where(np.isinf(row_ub), inf, np.asarray(row_ub, dtype=float))
    lp.offset_ = float(offset)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    is_mip = bool(np.any(integer))
    if is_mip:
        lp.integrality_ = [highspy.HighsVarType.kInteger if f else
                           highspy.HighsVarType.kContinuous for f in integer]
    h.passModel(lp)
    if start is not None and is_mip:
        sol = highspy.HighsSolution()
        sol.col_value = list(np.asarray(start, dtype=float))
        sol.value_valid = True
        h.setSolution(sol)
    if options.threads is not None:
        # HiGHS keeps one global thread pool per process; a run asking for another thread
        # count than the pool's fails ("Not Set") unless the pool is rebuilt first.
        highspy.Highs.resetGlobalScheduler(True)
    t0 = time.perf_counter()
    run_status = h.run()
    seconds = time.perf_counter() - t0
    if run_status == highspy.HighsStatus.kError:
        raise RuntimeError(f"HiGHS failed: {h.modelStatusToString(h.getModelStatus())}")
    model_status = h.getModelStatus()
    info = h.getInfo()
    ms = highspy.HighsModelStatus
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if model_status == ms.kInfeasible:
        return SolveReport("infeasible", None, None, None, seconds, solver), None
    if not has_solution:
        return SolveReport("no_solution", None, None, None, seconds, solver,
                           detail={"model_status": h.modelStatusToString(model_status)}), None
    x = np.array(h.getSolution().col_value)
    objective = float(info.objective_function_value)
    true_objective = float(np.asarray(c, dtype=float) @ x) + float(offset)
    if start is not None and is_mip and abs(true_objective - objective) > 1e-6 * max(
            1.0, abs(true_objective)):
        # HiGHS 1.16 can value a MIP start in its presolved space without the cost of the
        # continuous columns presolve removed, then return that start as "optimal" (seen
        # by the groups planner: a start worth 0.62 taken as 0). Never trust such a run:
        # solve again without the start in the time left, and keep the better plan; the
        # first run's status and bound are not used.
        left = options.time_limit - seconds
        retry, x2 = (SolveReport("no_solution", None, None, None, 0.0, solver), None)
        if left > 0.05:
            retry, x2 = solve_mip(c, A, row_lb, row_ub, lb, ub, integer,
                                  dataclasses.replace(options, time_limit=left), offset, None,
                                  highs_options=highs_options)
        retry.seconds += seconds
        retry.detail["start_misvalued"] = True
        if x2 is not None and retry.objective is not None and \
                retry.objective <= true_objective + 1e-9 * max(1.0, abs(true_objective)):
            return retry, x2
        bound = retry.bound if retry.bound is not None and retry.bound <= true_objective \
            else None
        return SolveReport("feasible", true_objective, bound,
                           None if bound is None else _gap(true_objective, bound),
                           retry.seconds, solver, None,
                           detail={**retry.detail, "plan": "the caller's start"}), x
    if is_mip:
        bound = float(info.mip_dual_bound)
        nodes = int(info.mip_node_count)
    else:
        bound, nodes = objective, None
    gap = _gap(objective, bound)
    optimal = model_status == ms.kOptimal
    status: Status = "optimal" if optimal else "feasible"
    return SolveReport(status, objective, bound, gap, seconds, solver, nodes,
                       detail={"model_status": h.modelStatusToString(model_status)}), x


def keep_stage_value(A: sp.spmatrix, row_lb: np.ndarray, row_ub: np.ndarray, c: np.ndarray,
                     value: float, slack: float = 1e-6
                     ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """The rows plus ``c·x ≤ value`` (a relative ``slack`` for the solver's tolerance): how a
    lexicographic stage keeps the best value of the stages before it."""
    A = sp.vstack([A, sp.csr_matrix(c)]).tocsr()
    return (A, np.append(row_lb, -np.inf),
            np.append(row_ub, value + slack * max(1.0, abs(value))))


def combine_stages(reports: list[SolveReport]) -> SolveReport:
    """One report for a lexicographic solve: the first stage's objective and bound, "optimal"
    only when every stage is, the largest stage gap, the total time, every stage in
    ``detail["stages"]``."""
    status: Status = "optimal" if all(r.status == "optimal" for r in reports) else "feasible"
    first = reports[0]
    gaps = [r.gap for r in reports if r.gap is not None]
    return SolveReport(status, first.objective, first.bound, max(gaps) if gaps else None,
                       sum(r.seconds for r in reports), first.solver,
                       detail={"stages": [r.to_dict() for r in reports]})


def _gap(objective: float, bound: float) -> float | None:
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)
