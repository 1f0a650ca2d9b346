#!/usr/bin/env python3
"""Budget planner benchmark: province-sized synthetic counties, the HiGHS plan against a hand rule.

    python benchmarks/budget.py [--schools 100,400] [--time-limit 60] [--budget-per-school Y]
                                [--seed 0] [--profile plain] [--threads N] [--mip-gap G]
                                [--json OUT]

For every requested school count: synthesise a county of ``--profile`` with that many schools
(:func:`junheng.data.synth.synthesize`, written to a workbook and loaded through validation as
a bureau would), give it a budget of ``--budget-per-school`` yuan per school (default 50,000:
20 million yuan for 400 schools), and solve it with :func:`junheng.plan.budget.solve_budget`
(default :class:`BudgetParameters`: unit costs and limits of ``plan/defaults/budget.toml``,
``--time-limit`` seconds shared by the plan, the full-compliance cost and the marginal run).
The after-state is evaluated by the evaluation engine (quality-2017).

Baseline, what a bureau does by hand: repeatedly take the school part that costs least to
bring up to the per-school rule given what is already bought (cheapest way: which facility to
leave at 85 %, integer rooms rounded up, same limits), buy it if the money left allows, stop
when no remaining part is affordable.

Printed per county: school parts, parts passing before / after (plan, checked by the engine)
/ baseline, solver status and largest stage gap, seconds (the plan's solver stages; total
wall time with the compliance and marginal runs and both evaluations), the cost to full
compliance and how many parts cannot pass at any cost, the parts one more million buys, and
the sum of the facility coefficients of both stages (before / plan / baseline; the baseline
leaves unspent what buys no further part).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from junheng.data.census import load_census  # noqa: E402
from junheng.data.io import write_workbook  # noqa: E402
from junheng.data.synth import PROFILES, synthesize  # noqa: E402
from junheng.evaluate import evaluate  # noqa: E402
from junheng.jsonable import jsonable  # noqa: E402
from junheng.plan.budget import (  # noqa: E402
    BudgetParameters,
    BudgetProblem,
    apply_investments,
    build_problem,
    predicted,
    solve_budget,
)
from junheng.plan.result import evaluation_summary  # noqa: E402
from junheng.plan.solver import SolveOptions, highs_version  # noqa: E402

STANDARD = "quality-2017"
FACILITY = ("teaching_aux_area", "sports_area", "equipment_value", "multimedia_classrooms",
            "computers", "books")


def greedy(problem: BudgetProblem, budget: float) -> tuple[int, float, np.ndarray]:
    """Cheapest-part-first hand rule; returns (parts passing, money spent, quantities)."""
    pr = problem
    S, n_items = pr.ub.shape
    q = np.zeros((S, n_items))
    left = budget
    rule = pr.rule
    assert rule is not None
    floor = float(rule["remainder_share"])
    allowed = len(pr.indicators) - int(rule["min_met"])
    school = pr.parts["school"].to_numpy()
    share = pr.parts["share"].to_numpy(float)
    buyable = np.flatnonzero(pr.item_of >= 0)
    fixed = np.flatnonzero(pr.item_of < 0)
    while True:
        _, passes = predicted(pr, q)
        best: tuple[float, int, np.ndarray] | None = None
        for p in np.flatnonzero(pr.passable & (passes != True)):  # noqa: E712
            ratio = pr.value[p, fixed] / pr.standard[p, fixed]
            teacher_fail = int((ratio < 1.0).sum())
            options = [None] if teacher_fail <= allowed else []
            if teacher_fail + 1 <= allowed:
                options += list(buyable)
            for leave in options:
                extra = np.zeros(n_items)
                ok = True
                for k in buyable:
                    i = pr.item_of[k]
                    target = pr.need[p, k] * (floor if k == leave else 1.0)
                    target += 1e-5 + 1e-9 * target
                    want = (target - pr.amount[p, k]) / share[p]
                    more = max(want - q[school[p], i], 0.0)
                    gran = pr.granularity[i]
                    more = math.ceil(more / gran - 1e-9) * gran if more > 0 else 0.0
                    if q[school[p], i] + more > pr.ub[school[p], i] + 1e-9:
                        ok = False
                        break
                    extra[i] = max(extra[i], more)
                if not ok:
                    continue
                cost = float(extra @ pr.unit_cost)
                if cost <= left and (best is None or cost < best[0]):
                    best = (cost, p, extra)
        if best is None:
            break
        cost, p, extra = best
        q[school[p]] += extra
        left -= cost
    _, passes = predicted(pr, q)
    return int(sum(1 for v in passes if v is True)), budget - left, q


def facility_cv(stages: dict[str, Any]) -> float:
    """Sum of the facility coefficients of both stages (the ones money can move)."""
    return float(sum(v for st in stages.values() for k, v in st["cv"].items()
                     if k.split("_per")[0] in FACILITY and v is not None))


def run_county(schools: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    tables = synthesize(args.profile, args.seed, schools=schools)
    census = load_census(write_workbook(tables, workdir / f"{args.profile}_{schools}.xlsx"))
    budget = args.budget_per_school * schools
    params = BudgetParameters(budget=budget)
    options = SolveOptions(time_limit=args.time_limit, mip_gap=args.mip_gap,
                           threads=args.threads)
    t0 = time.perf_counter()
    plan = solve_budget(census, params, options=options, standard=STANDARD)
    wall = time.perf_counter() - t0
    year = max(census.years)
    problem = build_problem(census, params, year, STANDARD)
    t0 = time.perf_counter()
    g_pass, g_spent, g_q = greedy(problem, budget - plan.extra["budget"]["rounding_reserve"])
    g_seconds = time.perf_counter() - t0
    g_after = evaluation_summary(evaluate(apply_investments(census, problem, g_q), STANDARD,
                                          year=year))
    passing, comp = plan.extra["passing"], plan.extra["full_compliance"]
    marg = plan.extra["marginal"]
    return {
        "schools": schools, "parts": passing["parts"], "budget": budget,
        "before": passing["before_engine"], "after": passing["after_engine"],
        "after_model": passing["after_model"], "greedy": g_pass,
        "greedy_spent": round(g_spent, 2), "greedy_seconds": round(g_seconds, 2),
        "spent": plan.extra["budget"]["spent"], "status": plan.status, "gap": plan.report.gap,
        "seconds": round(plan.report.seconds, 2), "wall_seconds": round(wall, 2),
        "compliance_cost": comp.get("cost"), "compliance_status": comp.get("status"),
        "passable": comp["passable"], "cannot_pass": comp["cannot_pass"],
        "marginal_parts_per_million": marg.get("parts_gained_per_million"),
        "stages": plan.extra["objective_stages"],
        "cv_before": plan.before["stages"], "cv_after": plan.after["stages"],
        "facility_cv_before": facility_cv(plan.before["stages"]),
        "facility_cv_after": facility_cv(plan.after["stages"]),
        "facility_cv_greedy": facility_cv(g_after["stages"]),
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = (f"{'schools':>7} {'parts':>5} {'budget 万元':>10} {'before':>6} {'after':>5} "
            f"{'greedy':>6} {'status':>8} {'gap':>8} {'solve s':>7} {'wall s':>6} "
            f"{'full compliance 万元':>19} {'cannot':>6} {'+parts/百万':>10} "
            f"{'ΣCV before/plan/greedy':>22}")
    lines = [head]
    for r in rows:
        gap = "-" if r["gap"] is None else f"{r['gap']:.1e}"
        cost = "-" if r["compliance_cost"] is None else f"{r['compliance_cost'] / 1e4:,.1f}"
        marg = r["marginal_parts_per_million"]
        lines.append(
            f"{r['schools']:>7} {r['parts']:>5} {r['budget'] / 1e4:>10,.0f} {r['before']:>6} "
            f"{r['after']:>5} {r['greedy']:>6} {r['status']:>8} {gap:>8} {r['seconds']:>7.2f} "
            f"{r['wall_seconds']:>6.1f} {cost:>19} {r['cannot_pass']:>6} "
            f"{'-' if marg is None else f'{marg:g}':>10} "
            f"{r['facility_cv_before']:>8.3f}/{r['facility_cv_after']:.3f}/"
            f"{r['facility_cv_greedy']:.3f}")
    return "\n".join(lines)


def cv_lines(row: dict[str, Any]) -> str:
    out = []
    for stage, st in row["cv_after"].items():
        before = row["cv_before"][stage]["cv"]
        moved = [f"{k.split('_per')[0]} {before[k]:.3f}→{v:.3f}" for k, v in st["cv"].items()
                 if v is not None and before[k] is not None and abs(v - before[k]) > 5e-4]
        out.append(f"  {stage}: " + ("; ".join(moved) if moved else "no coefficient moved"))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--schools", default="100,400", help="comma-separated school counts")
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="seconds for each county's plan (default 60)")
    ap.add_argument("--budget-per-school", type=float, default=50_000.0,
                    help="yuan of budget per school (default 50,000)")
    ap.add_argument("--mip-gap", type=float, default=SolveOptions().mip_gap)
    ap.add_argument("--threads", type=int, default=None,
                    help="HiGHS threads (default: HiGHS chooses)")
    ap.add_argument("--seed", type=int, default=0, help="synthesis seed (default 0)")
    ap.add_argument("--profile", default="plain", choices=PROFILES)
    ap.add_argument("--json", metavar="OUT", help="write the rows as JSON")
    args = ap.parse_args(argv)
    counts = [int(x) for x in args.schools.split(",") if x.strip()]
    threads = args.threads or "HiGHS default"
    print(f"# Budget planner — {highs_version()}, threads: {threads}, cpus: {os.cpu_count()}, "
          f"profile {args.profile}, seed {args.seed}, time limit {args.time_limit:g} s\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in counts:
            row = run_county(n, args, Path(tmp))
            rows.append(row)
            print(f"{n} schools: coefficients moved by the plan\n{cv_lines(row)}", flush=True)
    print()
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(jsonable(rows), ensure_ascii=False, indent=2),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
