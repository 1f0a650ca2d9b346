#!/usr/bin/env python3
"""Teacher rotation benchmark: the HiGHS planner against a bureau's greedy hand rule.

    python benchmarks/rotation.py [--teachers 1000,3000,6000] [--time-limit 60] [--seed 0]
                                  [--profile plain] [--threads N] [--mip-gap G] [--json OUT]

For every requested teacher count: synthesise a county of ``--profile`` whose roster is as
close as possible to that count (the number of schools K is searched; the actual count is
reported), solve it with :func:`junheng.plan.rotation.solve_rotation` (default
:class:`RotationParameters`, ``--time-limit`` seconds split over the three lexicographic
stages by the planner itself, HiGHS choosing its threads unless ``--threads``), and run a
greedy baseline that does what a bureau does by hand:

* from the same :func:`build_problem` (same eligible teachers, same allowed moves: stage,
  distance, towards rural, strong to weak, over- to under-staffed),
* repeatedly take the strongest school part (mean ratio of the three teacher indicators to
  their standards, recomputed after every move) that can still send someone, send one of its
  eligible backbone teachers (as long as any backbone teacher can still move anywhere; then
  any eligible teacher; most indicator flags first) to the weakest allowed destination part
  (weakest now, whether or not weaker than the sender: requiring that too stalls the
  greedy below the 10 % share on the 3,000 and 6,000-teacher counties),
* keeping the planner's side rules: at most ``max_out_share`` of a part's teachers leave, the
  staffing quota band, core subjects stay covered,
* until ≥ ``min_share`` of the eligible teachers moved and ≥ ``min_backbone_share`` of the
  movers are backbone teachers.

Both after-states are built with :func:`apply_moves` and evaluated by the evaluation engine
(quality-2017). Printed per county: solver stages (status, gap, seconds), school parts failing
any of the three teacher standards (before / planner / greedy, and lifted / newly failing),
the three teacher-indicator coefficients per stage, and the planner's linear proxy of the
coefficient (pupil-weighted mean absolute deviation / mean) next to the true coefficient.

A seed whose county admits no rotation under the default rules (the LP relaxation is
infeasible, or the planner says so) is reported and the next seed is tried.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from junheng.data.census import load_census  # noqa: E402
from junheng.data.io import write_workbook  # noqa: E402
from junheng.data.synth import PROFILES, synthesize  # noqa: E402
from junheng.evaluate import evaluate  # noqa: E402
from junheng.jsonable import jsonable  # noqa: E402
from junheng.plan.rotation import (  # noqa: E402
    TEACHER_INDICATORS,
    RotationParameters,
    RotationProblem,
    apply_moves,
    build_model,
    build_problem,
    precheck,
    problem_subject_counts,
    solve_rotation,
)
from junheng.plan.solver import InfeasibleError, SolveOptions, highs_version, solve_mip  # noqa: E402
from junheng.standards import load_rules  # noqa: E402

STANDARD = "quality-2017"
SHORT = {"above_degree_teachers_per_100": "degree", "backbone_teachers_per_100": "backbone",
         "pe_art_teachers_per_100": "PE/art"}
SCHOOL_LIMITS = (5, 400)  # synthesize()'s accepted school counts


# --------------------------------------------------------------------------- counties


def roster_size(profile: str, seed: int, schools: int) -> int:
    return len(synthesize(profile, seed, schools=schools)["teachers"])


def schools_for(profile: str, seed: int, target: int) -> tuple[int, int]:
    """School count K whose synthetic roster is closest to ``target`` teachers (and its size).

    The roster grows with K but not strictly (every K redraws the county), so: a ratio
    estimate from a pilot county, refined twice, then the best K in a window around it."""
    lo, hi = SCHOOL_LIMITS
    k = min(max(round(target / 50), lo), hi)
    for _ in range(2):
        n = roster_size(profile, seed, k)
        k = min(max(round(k * target / max(n, 1)), lo), hi)
    window = range(max(lo, k - 4), min(hi, k + 4) + 1)
    sizes = {kk: roster_size(profile, seed, kk) for kk in window}
    best = min(sizes, key=lambda kk: (abs(sizes[kk] - target), kk))
    return best, sizes[best]


def lp_feasible(problem: RotationProblem, params: RotationParameters) -> bool:
    """Whether the LP relaxation of the planner's constraints has a solution (fast screen)."""
    model = build_model(problem, params)
    n = model.A.shape[1]
    ub = np.concatenate([np.ones(model.n_m + model.n_g), np.full(model.n_dev, np.inf)])
    report, _ = solve_mip(np.zeros(n), model.A, model.row_lb, model.row_ub, np.zeros(n), ub,
                          np.zeros(n, bool), SolveOptions(time_limit=60))
    return report.status != "infeasible"


# --------------------------------------------------------------------------- greedy


def greedy(problem: RotationProblem, params: RotationParameters) -> tuple[pd.DataFrame, dict]:
    """The bureau's hand rule (module docstring) on the planner's own eligibility and moves."""
    if params.exchanges_only or params.required:
        raise NotImplementedError("the greedy baseline plans the default rules only")
    rules = load_rules(STANDARD)
    parts, tea, pairs, spec = problem.parts, problem.teachers, problem.pairs, problem.rules
    S = len(parts)
    students = parts["students"].to_numpy(float)
    counts = {short: parts[f"n_{short}_teachers"].to_numpy(float).copy()
              for short in TEACHER_INDICATORS.values()}
    per_unit = {}  # strength gained by one teacher of the indicator, per part
    for key, short in TEACHER_INDICATORS.items():
        ind = rules.indicator(key)
        std = parts["stage"].map(ind.standard).to_numpy(float)
        per_unit[short] = ind.scale / students / std / len(TEACHER_INDICATORS)

    def strength() -> np.ndarray:
        return sum(counts[s] * per_unit[s] for s in counts)

    T = parts["n_teachers"].to_numpy(float)
    quota = parts["quota"].to_numpy(float)
    low = np.minimum(T, quota)
    high = np.maximum(T, np.ceil((1 + params.over_quota_tolerance) * quota - 1e-9))
    out_cap = np.floor(params.max_out_share * T + 1e-9)
    now = T.copy()
    out = np.zeros(S)
    # core subjects present stay covered (≥ 1 teacher each), as in the planner
    core: dict[str, np.ndarray] = {}  # subject -> teachers per part, where it is core
    is_core: dict[str, np.ndarray] = {}
    for stage, subjects in params.core_subjects.items():
        for subject in subjects:
            have = problem_subject_counts(problem, stage, subject)
            core[subject] = core.get(subject, np.zeros(S)) + have
            is_core[subject] = is_core.get(subject, np.zeros(S, bool)) | (
                (parts["stage"] == stage).to_numpy() & (have >= 1))
    part_of = tea["part"].to_numpy()
    subject_of = tea["subject"].to_numpy()
    backbone = tea["f_backbone"].to_numpy().astype(bool)
    flags = {short: tea[f"f_{short}"].to_numpy() for short in TEACHER_INDICATORS.values()}
    n_flags = sum(flags.values())
    by_teacher = {t: (grp["d"].to_numpy(), grp["km"].to_numpy())
                  for t, grp in pairs.groupby("t", sort=False)}
    # candidates per part: movable teachers, backbone first, then most indicator flags, then id
    order = np.lexsort((tea["teacher_id"].to_numpy(), -n_flags, ~backbone))
    pool: dict[int, list[int]] = {}
    for t in order:
        if t in by_teacher:
            pool.setdefault(int(part_of[t]), []).append(int(t))
    need = math.ceil(spec["min_share"] * problem.eligible_count - 1e-9)
    moves: list[tuple[int, int, float]] = []
    n_backbone = 0
    phase_backbone = True

    def done() -> bool:
        return len(moves) >= need and n_backbone >= spec["min_backbone_share"] * len(moves) - 1e-9

    while not done():
        st = strength()
        chosen = None
        for s in np.argsort(-st, kind="stable"):
            if out[s] + 1 > out_cap[s] or now[s] - 1 < low[s] or not pool.get(int(s)):
                continue
            for t in pool[int(s)]:
                if phase_backbone and not backbone[t]:
                    continue
                subj = subject_of[t]
                if subj in core and is_core[subj][s] and core[subj][s] - 1 < 1:
                    continue
                d, km = by_teacher[t]
                room = now[d] + 1 <= high[d]
                if not room.any():
                    continue
                d, km = d[room], km[room]
                best = np.lexsort((km, st[d]))[0]
                chosen = (t, int(d[best]), float(km[best]))
                break
            if chosen is not None:
                break
        if chosen is None:
            if phase_backbone:
                phase_backbone = False
                continue
            break  # nothing can move any more: the plan misses the shares
        t, d, km = chosen
        s = int(part_of[t])
        pool[s].remove(t)
        moves.append(chosen)
        out[s] += 1
        now[s] -= 1
        now[d] += 1
        for short, f in flags.items():
            counts[short][s] -= f[t]
            counts[short][d] += f[t]
        subj = subject_of[t]
        if subj in core:  # a part without the subject before gains no coverage duty
            core[subj][s] -= 1
            core[subj][d] += 1
        n_backbone += int(backbone[t])
    t_idx = np.array([m[0] for m in moves], int)
    d_idx = np.array([m[1] for m in moves], int)
    frame = pd.DataFrame({"teacher_id": tea["teacher_id"].to_numpy()[t_idx],
                          "from": parts["school_id"].to_numpy()[part_of[t_idx]],
                          "to": parts["school_id"].to_numpy()[d_idx],
                          "stage": tea["stage"].to_numpy()[t_idx],
                          "km": [m[2] for m in moves], "t": t_idx, "d": d_idx})
    moved = len(moves)
    compliance = {"eligible": problem.eligible_count, "moved": moved, "need": need,
                  "share_moved": moved / problem.eligible_count if problem.eligible_count
                  else None, "backbone_moved": n_backbone,
                  "backbone_share": n_backbone / moved if moved else None,
                  "meets_share": moved >= need,
                  "meets_backbone": moved > 0 and n_backbone >= spec["min_backbone_share"]
                  * moved - 1e-9}
    return frame, compliance


# --------------------------------------------------------------------------- measures


def failing_parts(ev: Any) -> set[tuple[str, str]]:
    """(stage, school) parts missing at least one of the three teacher standards."""
    return {(stage, s.school_id) for stage, st in ev.stages.items() for s in st.schools
            if any(s.meets.get(k) is False for k in TEACHER_INDICATORS)}


def cvs(ev: Any) -> dict[str, dict[str, float | None]]:
    return {stage: {k: st.indicators[k].cv for k in TEACHER_INDICATORS}
            for stage, st in ev.stages.items()}


def proxies(ev: Any) -> dict[str, dict[str, float | None]]:
    """Per stage and indicator: pupil-weighted mean |x − x̄| / x̄ (the planner's proxy, but
    with the stage's own mean as the coefficient has it)."""
    out: dict[str, dict[str, float | None]] = {}
    for stage, st in ev.stages.items():
        out[stage] = {}
        for k in TEACHER_INDICATORS:
            pairs = [(s.values.get(k), s.students) for s in st.schools
                     if s.values.get(k) is not None]
            x = np.array([p[0] for p in pairs], float)
            w = np.array([p[1] for p in pairs], float)
            if not len(x) or w.sum() <= 0:
                out[stage][k] = None
                continue
            mean = float(np.dot(w, x) / w.sum())
            out[stage][k] = (float(np.dot(w, np.abs(x - mean)) / w.sum() / mean)
                             if mean else None)
    return out


def model_view(problem: RotationProblem, t_idx: np.ndarray,
               d_idx: np.ndarray) -> dict[str, float]:
    """What the planner's model sees after the moves (t rows of problem.teachers → d parts):
    parts failing a teacher standard (its counts) and its stage-2 objective (the proxy with
    one county mean over both stages, as build_model writes it)."""
    parts, tea, needs = problem.parts, problem.teachers, problem.needs
    S = len(parts)
    students = parts["students"].to_numpy(float)
    src = tea["part"].to_numpy()[t_idx]
    fail = np.zeros(S, bool)
    proxy = 0.0
    for key, short in TEACHER_INDICATORS.items():
        nd = needs[needs["indicator"] == key]
        f = tea[f"f_{short}"].to_numpy()[t_idx].astype(float)
        have = nd["have"].to_numpy(float) + np.bincount(d_idx, f, S) - np.bincount(src, f, S)
        fail |= have < nd["need"].to_numpy(float)
        x = 100.0 * have / students
        mean = 100.0 * have.sum() / students.sum()
        proxy += float(np.dot(students / students.sum(), np.abs(x - mean)) / mean)
    return {"failing": int(fail.sum()), "proxy_pooled": proxy}


# --------------------------------------------------------------------------- one county


def run_county(target: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    params = RotationParameters()
    skipped = []
    for seed in range(args.seed, args.seed + args.max_seeds):
        k, n = schools_for(args.profile, seed, target)
        tables = synthesize(args.profile, seed, schools=k)
        path = write_workbook(tables, workdir / f"{args.profile}_{target}_{seed}")
        census = load_census(path)
        year = max(census.years)
        t0 = time.perf_counter()
        problem = build_problem(census, params, year)
        build_seconds = time.perf_counter() - t0
        try:
            precheck(problem, params)
        except InfeasibleError as exc:
            skipped.append({"seed": seed, "schools": k, "teachers": n,
                            "why": f"precheck: {exc}"})
            continue
        if not lp_feasible(problem, params):
            skipped.append({"seed": seed, "schools": k, "teachers": n,
                            "why": "LP relaxation infeasible under the default rules"})
            continue
        options = SolveOptions(time_limit=args.time_limit, mip_gap=args.mip_gap,
                               threads=args.threads)
        t0 = time.perf_counter()
        try:
            plan = solve_rotation(census, params, options=options, year=year,
                                  evaluate_after=True, standard=STANDARD)
        except InfeasibleError as exc:
            skipped.append({"seed": seed, "schools": k, "teachers": n,
                            "why": f"planner: {exc}"})
            continue
        plan_wall = time.perf_counter() - t0
        break
    else:
        return {"target": target, "skipped": skipped, "error": "no feasible seed"}
    t0 = time.perf_counter()
    g_moves, g_comp = greedy(problem, params)
    greedy_seconds = time.perf_counter() - t0
    before = evaluate(census, STANDARD, year=year)
    after_p = plan.after_evaluation
    after_g = evaluate(apply_moves(census, g_moves[["teacher_id", "to"]], year), STANDARD,
                       year=year)
    # the planner's moves as (teacher row, part) for the model's own view
    tid = pd.Index(problem.teachers["teacher_id"])
    pid = pd.MultiIndex.from_arrays([problem.parts["school_id"], problem.parts["stage"]])
    p_moves = [a for a in plan.actions if a["type"] == "move"]
    p_t = tid.get_indexer([a["teacher_id"] for a in p_moves])
    p_d = pid.get_indexer(list(zip([a["to"] for a in p_moves], [a["stage"] for a in p_moves],
                                   strict=True)))
    fb, fp, fg = failing_parts(before), failing_parts(after_p), failing_parts(after_g)
    teachers = census["teachers"]
    comp = plan.extra["compliance"]
    rot = {name: ev.government.get("teacher_rotation", {}).get("pass")
           for name, ev in (("before", before), ("planner", after_p), ("greedy", after_g))}
    return {
        "target": target, "profile": args.profile, "seed": seed, "skipped": skipped,
        "time_limit": args.time_limit,
        "schools": k, "teachers": len(teachers),
        "on_post": int(teachers["on_post"].fillna(True).astype(bool).sum()),
        "parts": len(problem.parts), "eligible": problem.eligible_count,
        "movable": len(problem.teachers), "pairs": len(problem.pairs),
        "build_seconds": build_seconds,
        "planner": {
            "status": plan.report.status, "solver_seconds": plan.report.seconds,
            "wall_seconds": plan_wall, "moves": len(p_moves),
            "stages": plan.extra["objective_stages"], "compliance": comp,
            "meets_share": comp["moved"] >= math.ceil(comp["min_share"] * comp["eligible"]
                                                      - 1e-9),
            "meets_backbone": (comp["backbone_share"] or 0) >= comp["min_backbone_share"],
        },
        "greedy": {"seconds": greedy_seconds, "moves": len(g_moves), "compliance": g_comp},
        "failing": {"before": len(fb), "planner": len(fp), "greedy": len(fg)},
        "lifted": {"planner": len(fb - fp), "greedy": len(fb - fg)},
        "newly_failing": {"planner": len(fp - fb), "greedy": len(fg - fb)},
        "model_view": {"before": model_view(problem, np.zeros(0, int), np.zeros(0, int)),
                       "planner": model_view(problem, p_t, p_d),
                       "greedy": model_view(problem, g_moves["t"].to_numpy(),
                                            g_moves["d"].to_numpy())},
        "cv": {"before": cvs(before), "planner": cvs(after_p), "greedy": cvs(after_g)},
        "proxy": {"before": proxies(before), "planner": proxies(after_p),
                  "greedy": proxies(after_g)},
        "rotation_check_pass": rot,
    }


# --------------------------------------------------------------------------- printing


def _f(x: float | None, spec: str = ".4f") -> str:
    return "–" if x is None else format(x, spec)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def table(header: list[str], rows: list[list[Any]]) -> str:
    cells = [header] + [[str(c) for c in r] for r in rows]
    width = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, width, strict=True)) + " |"
            for r in cells]
    line.insert(1, "|" + "|".join("-" * (w + 2) for w in width) + "|")
    return "\n".join(line)


def summary(rows: list[dict[str, Any]]) -> str:
    out = []
    for r in rows:
        if "error" in r:
            out.append([r["target"], "–", "–", "–", "–", "no feasible seed", "–", "–", "–", "–",
                        "–", "–"])
            continue
        p, g = r["planner"], r["greedy"]
        gaps = "/".join("–" if s["gap"] is None else f"{100 * s['gap']:.2g}%"
                        for s in p["stages"])
        out.append([
            r["target"], f"{r['teachers']:,}", f"{r['eligible']:,}",
            f"{r['schools']} ({r['parts']})", r["seed"], p["status"], gaps,
            f"{p['solver_seconds']:.1f}", f"{p['moves']} / {g['moves']}",
            f"{r['failing']['before']} / {r['failing']['planner']} / {r['failing']['greedy']}",
            f"{r['lifted']['planner']} / {r['lifted']['greedy']}",
            f"{r['newly_failing']['planner']} / {r['newly_failing']['greedy']}"])
    return table(["target", "teachers", "eligible", "schools (parts)", "seed", "planner",
                  "gap s1/s2/s3", "solver s", "moves P / G", "failing B / P / G",
                  "lifted P / G", "newly failing P / G"], out)


def detail(r: dict[str, Any]) -> str:
    if "error" in r:
        return f"target {r['target']}: {r['error']}; " + "; ".join(
            f"seed {s['seed']}: {s['why']}" for s in r["skipped"])
    p, g = r["planner"], r["greedy"]
    lines = [f"### {r['target']:,} teachers requested — {r['profile']} seed {r['seed']}, "
             f"{r['schools']} schools: {r['teachers']:,} teachers ({r['on_post']:,} on post), "
             f"{r['parts']} school parts, {r['eligible']:,} eligible, {r['movable']:,} "
             f"plannable, {r['pairs']:,} allowed teacher→part pairs", ""]
    for s in r["skipped"]:
        lines.append(f"* skipped seed {s['seed']} ({s['schools']} schools, {s['teachers']:,} "
                     f"teachers): {s['why']}")
    if r["skipped"]:
        lines.append("")
    names = ("1 fewest failing parts", "2 proxy spread", "3 fewest moves + km")
    limits = (0.4, 0.4, 0.2)  # the planner's split of the time limit
    stage_rows = [[n, f"{max(lim * r['time_limit'], 1.0):.0f}", s["status"],
                   _f(s["objective"], ".6g"), _f(s["bound"], ".6g"), _pct(s["gap"]),
                   f"{s['solve_seconds']:.1f}", "–" if s.get("nodes") is None else s["nodes"]]
                  for n, lim, s in zip(names, limits, p["stages"], strict=False)]
    lines += [table(["planner stage", "limit s", "status", "objective", "bound", "gap",
                     "seconds", "nodes"], stage_rows), ""]
    pc, gc = p["compliance"], g["compliance"]
    mv = r["model_view"]
    rows = [
        ["moves", "–", p["moves"], g["moves"]],
        ["share of eligible moved (≥ 10 %)", "–",
         f"{_pct(pc['share_moved'])} {'ok' if p['meets_share'] else 'MISSED'}",
         f"{_pct(gc['share_moved'])} {'ok' if gc['meets_share'] else 'MISSED'}"],
        ["backbone share of movers (≥ 20 %)", "–",
         f"{_pct(pc['backbone_share'])} {'ok' if p['meets_backbone'] else 'MISSED'}",
         f"{_pct(gc['backbone_share'])} {'ok' if gc['meets_backbone'] else 'MISSED'}"],
        ["rotation check of the evaluation (incl. earlier movers)",
         *[r["rotation_check_pass"][k] for k in ("before", "planner", "greedy")]],
        ["seconds", "–", f"{p['solver_seconds']:.1f} (wall {p['wall_seconds']:.1f})",
         f"{g['seconds']:.2f}"],
        ["parts failing a teacher standard (evaluation)",
         *[r["failing"][k] for k in ("before", "planner", "greedy")]],
        ["  lifted over all three / newly failing", "–",
         f"{r['lifted']['planner']} / {r['newly_failing']['planner']}",
         f"{r['lifted']['greedy']} / {r['newly_failing']['greedy']}"],
        ["parts failing, as the model counts them",
         *[mv[k]["failing"] for k in ("before", "planner", "greedy")]],
        ["model's proxy objective (one mean for both stages)",
         *[_f(mv[k]["proxy_pooled"]) for k in ("before", "planner", "greedy")]],
    ]
    for stage in r["cv"]["before"]:
        for key, short in SHORT.items():
            cv = [r["cv"][k][stage][key] for k in ("before", "planner", "greedy")]
            px = [r["proxy"][k][stage][key] for k in ("before", "planner", "greedy")]
            rows.append([f"{stage} {short}: CV (proxy)",
                         *[f"{_f(c)} ({_f(x)})" for c, x in zip(cv, px, strict=True)]])
    lines += [table(["", "before", "planner", "greedy"], rows), ""]
    for who in ("planner", "greedy"):
        t = tracking(r, who)
        lines.append(f"* proxy vs coefficient, {who}: change in the same direction for "
                     f"{t['agree']}/{t['n']} stage×indicator; relative change CV "
                     f"{t['cv_change']} vs proxy {t['proxy_change']} (summed over the six)")
    return "\n".join(lines)


def tracking(r: dict[str, Any], who: str) -> dict[str, Any]:
    """How the per-stage proxy's changes follow the true coefficient's."""
    agree = n = 0
    cv0 = cv1 = px0 = px1 = 0.0
    for stage in r["cv"]["before"]:
        for key in TEACHER_INDICATORS:
            c0, c1 = r["cv"]["before"][stage][key], r["cv"][who][stage][key]
            p0, p1 = r["proxy"]["before"][stage][key], r["proxy"][who][stage][key]
            if None in (c0, c1, p0, p1):
                continue
            n += 1
            agree += int(np.sign(round(c1 - c0, 9)) == np.sign(round(p1 - p0, 9)))
            cv0, cv1, px0, px1 = cv0 + c0, cv1 + c1, px0 + p0, px1 + p1
    return {"agree": agree, "n": n, "cv_change": _pct(cv1 / cv0 - 1) if cv0 else "–",
            "proxy_change": _pct(px1 / px0 - 1) if px0 else "–"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--teachers", default="1000,3000,6000",
                    help="comma-separated roster sizes to synthesise (default 1000,3000,6000)")
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="seconds for the whole lexicographic solve (default 60)")
    ap.add_argument("--mip-gap", type=float, default=SolveOptions().mip_gap)
    ap.add_argument("--threads", type=int, default=None,
                    help="HiGHS threads (default: HiGHS chooses)")
    ap.add_argument("--seed", type=int, default=0, help="first synthesis seed (default 0)")
    ap.add_argument("--max-seeds", type=int, default=10,
                    help="seeds tried per size when the default rules are infeasible")
    ap.add_argument("--profile", default="plain", choices=PROFILES)
    ap.add_argument("--json", metavar="OUT", help="write the rows as JSON")
    args = ap.parse_args(argv)
    targets = [int(x) for x in args.teachers.split(",") if x.strip()]
    threads = ("HiGHS default (option 0: HiGHS decides)" if args.threads is None
               else str(args.threads))
    source = ROOT / "src" / "junheng" / "plan" / "rotation.py"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    defaults = {f.name: getattr(RotationParameters(), f.name)
                for f in dataclasses.fields(RotationParameters)
                if f.name in ("max_share", "max_out_share", "towards_rural", "strong_to_weak",
                              "over_to_under", "max_km", "over_quota_tolerance")}
    print(f"# Teacher rotation: planner vs greedy — {highs_version()}, threads: {threads}, "
          f"{os.cpu_count()} CPUs, time limit {args.time_limit:g} s, MIP gap {args.mip_gap:g}, "
          f"profile {args.profile}\n\nrotation.py sha256 {digest}…; default parameters: "
          + ", ".join(f"{k}={v}" for k, v in defaults.items()) + "\n", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="junheng-rot-") as tmp:
        for target in targets:
            row = run_county(target, args, Path(tmp))
            rows.append(row)
            print(detail(row) + "\n", flush=True)
    print("## Summary (P = planner, G = greedy, B = before)\n")
    print(summary(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(jsonable(
            {"highs": highs_version(), "threads": args.threads, "cpus": os.cpu_count(),
             "rotation_py_sha256": digest, "defaults": defaults,
             "time_limit": args.time_limit, "mip_gap": args.mip_gap, "rows": rows}),
            indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
