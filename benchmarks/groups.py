#!/usr/bin/env python3
"""Grouping planner benchmark: alliances, zones and education groups on synthetic counties.

    python benchmarks/groups.py [--schools 100,400] [--kinds alliance,zone,group]
                                [--time-limit 60] [--mip-gap G] [--threads N] [--seed 0]
                                [--profile plain] [--json OUT]

For every requested school count K: synthesise a county of ``--profile`` with K schools
(:func:`junheng.data.synth.synthesize` accepts up to 400, the size of the largest counties;
a province is ~100 such counties, each planned on its own), write it as a workbook and load
it through validation (the time for that is not counted), then for every kind run
:func:`junheng.plan.groups.solve_groups` with the kind's default parameters from
``plan/defaults/groups.toml`` and ``--time-limit`` seconds for the whole plan (all cycles;
every stage inside a cycle shares its cycle's time).

Printed per run: eligible schools, groups formed (first cycle), coverage, the objective
(Σ over cycles of Σ_groups |Σ(strength − county mean)| + km_weight × core–member km), the
proven bound and gap, the status, the formulation that gave the bound (``columns``: every
allowed group enumerated, column generation + reduced-cost fixing; ``compact``: member–core
assignment model), the range of the groups' mean strength, and the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from junheng.data.census import load_census  # noqa: E402
from junheng.data.io import write_workbook  # noqa: E402
from junheng.data.synth import PROFILES, synthesize  # noqa: E402
from junheng.jsonable import jsonable  # noqa: E402
from junheng.plan.groups import KINDS, GroupParameters, solve_groups  # noqa: E402
from junheng.plan.solver import InfeasibleError, SolveOptions, highs_version  # noqa: E402

COLUMNS = ("schools", "kind", "eligible", "groups", "coverage", "objective", "bound", "gap%",
           "status", "bound by", "mean range", "seconds")


def run(census: Any, schools: int, kind: str, args: argparse.Namespace) -> dict[str, Any]:
    options = SolveOptions(time_limit=args.time_limit, mip_gap=args.mip_gap, seed=args.seed,
                           threads=args.threads)
    t0 = time.perf_counter()
    try:
        plan = solve_groups(census, GroupParameters(kind=kind), options=options,
                            evaluate_after=False)
    except InfeasibleError as exc:
        return {"schools": schools, "kind": kind, "status": "infeasible",
                "reason": exc.message("en"), "seconds": round(time.perf_counter() - t0, 1)}
    seconds = time.perf_counter() - t0
    cov = plan.extra["coverage"]
    spread = plan.extra["strength_spread"]
    forms = sorted({s.get("formulation") or "?" for s in spread})
    return {
        "schools": schools, "kind": kind, "eligible": cov["eligible"],
        "groups": spread[0]["groups"] if spread else 0, "coverage": cov["share"],
        "objective": plan.report.objective, "bound": plan.report.bound,
        "gap": plan.report.gap, "status": plan.status,
        "bound_by": ",".join(forms) or "?",
        "mean_range": max((s["range"] or 0.0) for s in spread) if spread else None,
        "cycles": len(spread), "per_cycle": spread,
        "solve_details": plan.extra.get("solve_details", {}),
        "seconds": round(seconds, 1)}


def fmt(row: dict[str, Any]) -> str:
    if row["status"] == "infeasible":
        return (f"{row['schools']:>7} {row['kind']:>8}  infeasible ({row['reason'][:120]})")
    gap = "—" if row["gap"] is None else f"{100 * row['gap']:.2f}"
    bound = "—" if row["bound"] is None else f"{row['bound']:.4f}"
    return (f"{row['schools']:>7} {row['kind']:>8} {row['eligible']:>8} {row['groups']:>6} "
            f"{row['coverage']:>8.1%} {row['objective']:>10.4f} {bound:>10} {gap:>6} "
            f"{row['status']:>9} {row['bound_by']:>9} {row['mean_range']:>10.3f} "
            f"{row['seconds']:>7.1f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schools", default="100,400",
                    help="comma-separated school counts (default 100,400; at most 400)")
    ap.add_argument("--kinds", default=",".join(KINDS), help="alliance,group,zone")
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="seconds per plan, all cycles together (default 60)")
    ap.add_argument("--mip-gap", type=float, default=SolveOptions().mip_gap)
    ap.add_argument("--threads", type=int, default=None,
                    help="HiGHS threads (default: HiGHS chooses)")
    ap.add_argument("--seed", type=int, default=0, help="synthesis and solver seed")
    ap.add_argument("--profile", default="plain", choices=PROFILES)
    ap.add_argument("--json", metavar="OUT", help="write the rows as JSON")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.schools.split(",") if x.strip()]
    kinds = [k for k in args.kinds.split(",") if k.strip()]
    threads = "HiGHS decides" if args.threads is None else str(args.threads)
    print(f"# Grouping planner — {highs_version()}, threads: {threads}, {os.cpu_count()} CPUs, "
          f"time limit {args.time_limit:g} s per plan, MIP gap {args.mip_gap:g}, profile "
          f"{args.profile}, seed {args.seed}\n", flush=True)
    print(f"{'schools':>7} {'kind':>8} {'eligible':>8} {'groups':>6} {'coverage':>8} "
          f"{'objective':>10} {'bound':>10} {'gap%':>6} {'status':>9} {'bound by':>9} "
          f"{'mean range':>10} {'seconds':>7}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="junheng-groups-") as tmp:
        for n in sizes:
            path = Path(tmp) / f"county-{n}.xlsx"
            write_workbook(synthesize(args.profile, args.seed, schools=n), path)
            census = load_census(path)
            for kind in kinds:
                row = run(census, n, kind, args)
                rows.append(row)
                print(fmt(row), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(jsonable(
            {"highs": highs_version(), "threads": args.threads, "cpus": os.cpu_count(),
             "time_limit": args.time_limit, "mip_gap": args.mip_gap, "seed": args.seed,
             "profile": args.profile, "rows": rows}), indent=2, ensure_ascii=False),
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
