"""Teacher rotation planner (教师交流轮岗): who moves where this year.

A mixed-integer model over the roster, solved by HiGHS in three lexicographic
stages (mechanisms.md §4; standards.md §2.6 #11):

1. fewest school parts failing a teacher standard of quality-2017 (higher
   degree, backbone, PE/art teachers per 100 pupils);
2. then the smallest spread of the three teacher indicators: the pupil-weighted
   mean absolute deviation from the county mean, divided by that mean — a
   linear proxy of the difference coefficient (the county mean does not move:
   moves stay inside the county, so the proxy's centre is fixed);
3. then the fewest moves and the least travel.

Each stage is solved with the previous stages' best values as constraints.

Variables m_td ∈ {0, 1} for teacher t moving to school part d, only for
eligible teachers (≥ 6 years at the school, not within 5 years of retirement,
on post — numbers from the rule file's rotation check) and allowed directions::

    Σ_d m_td ≤ 1                       (= 1 for teachers required to move)
    ⌈10 % × eligible⌉ ≤ Σ m ≤ ⌊max_share × eligible⌋   share moved
    Σ_backbone m ≥ 20 % × Σ m          backbone share of the movers
    out_s ≤ ⌊max_out_share × T_s⌋       a school keeps most of its staff
    T_s − out_s + in_s ≥ min(T_s, Q_s)  staffing quota (编制) kept where it was met
    T_s − out_s + in_s ≤ max(T_s, ⌈(1 + over) Q_s⌉)
    core subjects present stay covered (≥ 1 teacher each)
    in_s = out_s for every school (optional 1-for-1 exchanges)
    A_sk + in_sk − out_sk + n_sk g_s ≥ n_sk   g_s = 1 if part s misses standard k
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from junheng.data.census import Census
from junheng.data.validate import ABOVE_DEGREE, BACKBONE_COUNTY_UP, PE_ART, roster_aggregates
from junheng.evaluate import evaluate
from junheng.evaluate.government import rotation_eligible
from junheng.evaluate.parts import school_parts
from junheng.plan.distances import great_circle_km
from junheng.plan.params import check_types
from junheng.plan.result import PlanResult, evaluation_summary
from junheng.plan.solver import (
    InfeasibleError,
    Rows,
    SolveOptions,
    SolveReport,
    combine_stages,
    keep_stage_value,
    solve_mip,
)
from junheng.standards import load_rules

TEACHER_INDICATORS = {"above_degree_teachers_per_100": "above_degree",
                      "backbone_teachers_per_100": "backbone",
                      "pe_art_teachers_per_100": "pe_art"}
LOCALE_RANK = {"urban": 2, "town": 1, "rural": 0}


@dataclass
class RotationParameters:
    """Rules of the rotation, defaults from mechanisms.md §4 and the rule file."""

    min_share: float | None = None  # of eligible teachers; None: the rule file's (10 %)
    # Most a county moves in a year, as a share of eligible teachers: the lexicographic
    # objective would otherwise move many teachers for small gains in the coefficients.
    max_share: float | None = 0.2
    min_backbone_share: float | None = None  # of movers; None: the rule file's (20 %)
    min_years_at_school: int | None = None  # None: the rule file's (6)
    years_before_retirement: int | None = None  # None: the rule file's (5)
    towards_rural: bool = True  # urban → town → rural, never back
    # Hard filters, off by default: measured per 100 pupils, small rural schools look
    # "strong" and well staffed, so together with towards_rural they leave too few moves;
    # the objective already sends teachers where the standards are missed.
    strong_to_weak: bool = False  # to schools no stronger in teacher indicators
    over_to_under: bool = False  # to schools no better staffed against their quota
    max_out_share: float = 0.2  # at most this share of a school's teachers leave
    over_quota_tolerance: float = 0.1  # a school may end 10 % above its quota
    core_subjects: dict[str, list[str]] = field(default_factory=lambda: {
        "primary": ["chinese", "math"], "junior": ["chinese", "math", "english"]})
    max_km: float = 60.0
    exchanges_only: bool = False  # 1-for-1: every school receives as many as it sends
    pinned: list[str] = field(default_factory=list)  # teachers who may not move
    required: list[str] = field(default_factory=list)  # teachers who must move
    travel_weight: float = 0.001  # moves per km in the last stage

    def __post_init__(self) -> None:
        check_types(self)
        if not 0 <= self.max_out_share <= 1:
            raise ValueError("The 'max_out_share' parameter of RotationParameters must be in "
                             f"[0, 1]. Got {self.max_out_share} instead.")


@dataclass
class RotationProblem:
    parts: pd.DataFrame  # school part: school_id, stage, students, locale, lon, lat, counts
    teachers: pd.DataFrame  # eligible movers: teacher_id, part index, flags
    pairs: pd.DataFrame  # candidate moves: t (teacher row), d (part index), km
    eligible_count: int
    needs: pd.DataFrame  # part × indicator: current count, needed count
    rules: dict[str, Any]  # the rotation check of the rule file, with overrides
    subject_counts: dict[str, pd.Series]  # subject -> on-post teachers per (school, stage)


def _flags(teachers: pd.DataFrame) -> pd.DataFrame:
    above = np.where(teachers["stage"] == "primary",
                     teachers["degree"].isin(ABOVE_DEGREE["primary"]),
                     teachers["degree"].isin(ABOVE_DEGREE["junior"]))
    return teachers.assign(
        f_above_degree=above.astype(int),
        f_backbone=teachers["backbone"].isin(BACKBONE_COUNTY_UP).astype(int),
        f_pe_art=teachers["subject"].isin(PE_ART).astype(int))


def build_problem(census: Census, params: RotationParameters, year: int) -> RotationProblem:
    """School parts, eligible teachers and allowed moves (vectorised)."""
    if not census.has("teachers"):
        raise InfeasibleError(["没有教师名册（teachers 工作表），无法规划交流轮岗"],
                              ["no teacher roster (sheet 'teachers'): nothing to rotate"])
    rules = load_rules("quality-2017")
    spec = dict(next(c for c in rules.checks if c["key"] == "teacher_rotation"))
    for key in ("min_share", "min_backbone_share", "min_years_at_school",
                "years_before_retirement"):
        if getattr(params, key) is not None:
            spec[key] = getattr(params, key)
    parts, _ = school_parts(census, rules, year)
    parts = parts.reset_index(drop=True)
    norms = rules.raw["staffing"]["pupils_per_post"]
    agg = roster_aggregates(census["teachers"])
    for count in ("teachers", "above_degree_teachers", "backbone_teachers", "pe_art_teachers"):
        idx = pd.MultiIndex.from_arrays([parts["school_id"], parts["stage"]])
        parts[f"n_{count}"] = agg[count].reindex(idx).fillna(0).to_numpy()
    parts["quota"] = np.ceil(parts["students"] / parts["stage"].map(norms) - 1e-9)
    key = pd.MultiIndex.from_arrays([parts["school_id"], parts["stage"]])
    roster = _flags(census["teachers"])
    roster = roster[roster["on_post"].fillna(True).astype(bool)].reset_index(drop=True)
    roster["part"] = key.get_indexer(pd.MultiIndex.from_arrays([roster["school_id"],
                                                                roster["stage"]]))
    roster = roster[roster["part"] >= 0].reset_index(drop=True)
    eligible = rotation_eligible(roster, year, spec).to_numpy() | roster["teacher_id"].isin(
        params.required).to_numpy()
    eligible &= ~roster["teacher_id"].isin(params.pinned).to_numpy()
    # a teacher who rotated this year already has moved: plan the others
    movers = roster[eligible & ~(roster["last_rotation_year"] == year).fillna(False)
                    .to_numpy()].reset_index(drop=True)
    # strength = mean ratio of the three teacher indicators to their standards
    strength = np.zeros(len(parts))
    for ind_key, short in TEACHER_INDICATORS.items():
        ind = rules.indicator(ind_key)
        std = parts["stage"].map(ind.standard).to_numpy(float)
        value = parts[f"n_{short}_teachers"].to_numpy(float) / parts["students"].to_numpy(
            float) * ind.scale
        strength += value / std / len(TEACHER_INDICATORS)
    parts["strength"] = strength
    parts["staffing"] = parts["n_teachers"] / parts["quota"].clip(lower=1)
    lon = parts["lon"].to_numpy(float)
    lat = parts["lat"].to_numpy(float)
    km = great_circle_km(lon, lat, lon, lat) * 1.3
    km = np.where(np.isnan(km), np.inf, km)
    t_idx, d_idx = np.meshgrid(np.arange(len(movers)), np.arange(len(parts)), indexing="ij")
    t_idx, d_idx = t_idx.ravel(), d_idx.ravel()
    src = movers["part"].to_numpy()[t_idx]
    ok = (d_idx != src) & (parts["stage"].to_numpy()[d_idx] == movers["stage"].to_numpy()[
        t_idx]) & (km[src, d_idx] <= params.max_km)
    if params.towards_rural:
        rank = parts["locale"].map(LOCALE_RANK).fillna(1).to_numpy()
        ok &= rank[d_idx] <= rank[src]
    if params.strong_to_weak:
        ok &= strength[d_idx] <= strength[src] + 1e-9
    if params.over_to_under:
        staffing = parts["staffing"].to_numpy(float)
        ok &= staffing[d_idx] <= staffing[src] + 1e-9
    pairs = pd.DataFrame({"t": t_idx[ok], "d": d_idx[ok], "km": km[src[ok], d_idx[ok]]})
    needs = []
    for ind_key, short in TEACHER_INDICATORS.items():
        ind = rules.indicator(ind_key)
        std = parts["stage"].map(ind.standard).to_numpy(float)
        need = np.ceil(std * parts["students"].to_numpy(float) / ind.scale - 1e-9)
        needs.append(pd.DataFrame({"part": np.arange(len(parts)), "indicator": ind_key,
                                   "flag": short, "have": parts[f"n_{short}_teachers"],
                                   "need": need}))
    subject_counts = {subject: grp.groupby(["school_id", "stage"]).size()
                      for subject, grp in roster.groupby("subject")}
    return RotationProblem(parts, movers, pairs, int(eligible.sum()), pd.concat(
        needs, ignore_index=True), spec, subject_counts)


def precheck(problem: RotationProblem, params: RotationParameters) -> None:
    spec = problem.rules
    need = math.ceil(spec["min_share"] * problem.eligible_count - 1e-9)
    movable = problem.pairs["t"].nunique()
    backbone = int(problem.teachers.loc[problem.pairs["t"].unique(), "f_backbone"].sum()) \
        if len(problem.pairs) else 0
    reasons, reasons_en = [], []
    if movable < need:
        reasons.append(f"可交流教师 {movable} 人 < 需要交流 {need} 人（符合条件 "
                       f"{problem.eligible_count} 人的 {spec['min_share']:.0%}）；"
                       f"可放宽方向或距离限制")
        reasons_en.append(f"{movable} teachers can move < {need} required "
                          f"({spec['min_share']:.0%} of {problem.eligible_count} eligible); "
                          f"relax directions or distance")
    need_bb = math.ceil(spec["min_backbone_share"] * need - 1e-9)
    if backbone < need_bb:
        reasons.append(f"可交流骨干教师 {backbone} 人 < 需要 {need_bb} 人")
        reasons_en.append(f"{backbone} backbone teachers can move < {need_bb} required")
    if reasons:
        raise InfeasibleError(reasons, reasons_en)


@dataclass
class _Model:
    A: sp.csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    n_m: int
    n_g: int
    n_dev: int
    c_fail: np.ndarray
    c_dev: np.ndarray
    c_moves: np.ndarray


def build_model(problem: RotationProblem, params: RotationParameters,
                shares: bool = True) -> _Model:
    """Columns: [m (pairs) | g (parts) | dev (parts × indicators)]; ``shares=False`` drops
    the minimum-share rows (used to explain infeasibility)."""
    parts, tea, pairs, needs = problem.parts, problem.teachers, problem.pairs, problem.needs
    M, S = len(pairs), len(parts)
    K = len(TEACHER_INDICATORS)
    t = pairs["t"].to_numpy()
    d = pairs["d"].to_numpy()
    src = tea["part"].to_numpy()[t]
    m = np.arange(M)
    g = M + np.arange(S)
    dev = M + S + np.arange(S * K)
    rows = Rows()
    add = rows.add

    n_t = len(tea)
    required = tea["teacher_id"].isin(params.required).to_numpy()
    add(t, m, np.ones(M), np.where(required, 1.0, 0.0), np.ones(n_t))
    spec = problem.rules
    need = math.ceil(spec["min_share"] * problem.eligible_count - 1e-9)
    bb = tea["f_backbone"].to_numpy()[t].astype(float)
    most = (math.floor(params.max_share * problem.eligible_count + 1e-9)
            if params.max_share is not None else np.inf)
    if shares:
        add(np.zeros(M, int), m, np.ones(M), np.array([float(need)]), np.array([float(most)]))
        add(np.zeros(M, int), m, bb - spec["min_backbone_share"], np.zeros(1),
            np.array([np.inf]))
    T = parts["n_teachers"].to_numpy(float)
    out_cap = np.floor(params.max_out_share * T + 1e-9)
    add(src, m, np.ones(M), np.full(S, -np.inf), out_cap)
    quota = parts["quota"].to_numpy(float)
    lo = np.minimum(T, quota) - T
    hi = np.maximum(T, np.ceil((1 + params.over_quota_tolerance) * quota - 1e-9)) - T
    # in − out ∈ [lo, hi]
    add(np.concatenate([d, src]), np.concatenate([m, m]),
        np.concatenate([np.ones(M), -np.ones(M)]), lo, hi)
    if params.exchanges_only:
        add(np.concatenate([d, src]), np.concatenate([m, m]),
            np.concatenate([np.ones(M), -np.ones(M)]), np.zeros(S), np.zeros(S))
    # core subjects present stay covered
    roster_subject = tea["subject"].to_numpy()[t]
    for stage, subjects in params.core_subjects.items():
        for subject in subjects:
            sel = roster_subject == subject
            if not sel.any():
                continue
            have = problem_subject_counts(problem, stage, subject)
            rows_parts = np.flatnonzero((parts["stage"] == stage).to_numpy() & (have >= 1))
            if rows_parts.size == 0:
                continue
            pos = -np.ones(S, int)
            pos[rows_parts] = np.arange(rows_parts.size)
            leaving = sel & (pos[src] >= 0)
            arriving = sel & (pos[d] >= 0)
            add(np.concatenate([pos[src[leaving]], pos[d[arriving]]]),
                np.concatenate([m[leaving], m[arriving]]),
                np.concatenate([-np.ones(leaving.sum()), np.ones(arriving.sum())]),
                1.0 - have[rows_parts], np.full(rows_parts.size, np.inf))
    # standards: have + in − out + need·g ≥ need, per part and indicator
    flags = {short: tea[f"f_{short}"].to_numpy()[t].astype(float) for short in
             TEACHER_INDICATORS.values()}
    students = parts["students"].to_numpy(float)
    c_dev = np.zeros(S * K)
    for k, (ind_key, short) in enumerate(TEACHER_INDICATORS.items()):
        nd = needs[needs["indicator"] == ind_key]
        have = nd["have"].to_numpy(float)
        needed = nd["need"].to_numpy(float)
        f = flags[short]
        sel = f > 0
        add(np.concatenate([d[sel], src[sel], np.arange(S)]),
            np.concatenate([m[sel], m[sel], g]),
            np.concatenate([np.ones(sel.sum()), -np.ones(sel.sum()), needed]),
            needed - have, np.full(S, np.inf))
        # dev ≥ |x − x̄| with x = 100 (have + in − out) / P; x̄ is the part's own stage mean
        scale = 100.0 / students
        stage_of = parts["stage"].to_numpy()
        mean = np.zeros(S)
        pupils_stage = np.zeros(S)
        for st_ in np.unique(stage_of):
            on = stage_of == st_
            mean[on] = 100.0 * have[on].sum() / students[on].sum()
            pupils_stage[on] = students[on].sum()
        x0 = scale * have
        for sign in (1.0, -1.0):
            add(np.concatenate([d[sel], src[sel], np.arange(S)]),
                np.concatenate([m[sel], m[sel], dev[k * S:(k + 1) * S]]),
                np.concatenate([-sign * scale[d[sel]], sign * scale[src[sel]], np.ones(S)]),
                sign * (x0 - mean), np.full(S, np.inf))
        c_dev[k * S:(k + 1) * S] = students / pupils_stage / np.maximum(mean, 1e-9)
    A, row_lb, row_ub = rows.build(M + S + S * K)
    c_fail = np.concatenate([np.zeros(M), np.ones(S), np.zeros(S * K)])
    c_devv = np.concatenate([np.zeros(M + S), c_dev])
    c_moves = np.concatenate([1.0 + params.travel_weight * pairs["km"].to_numpy(),
                              np.zeros(S + S * K)])
    return _Model(A, row_lb, row_ub, M, S, S * K, c_fail, c_devv,
                  c_moves)


def problem_subject_counts(problem: RotationProblem, stage: str, subject: str) -> np.ndarray:
    """Teachers of ``subject`` per school part (whole roster, not only movers)."""
    parts = problem.parts
    key = pd.MultiIndex.from_arrays([parts["school_id"], parts["stage"]])
    series = problem.subject_counts.get(subject)
    if series is None:
        return np.zeros(len(parts))
    return series.reindex(key).fillna(0).to_numpy(float) * (parts["stage"] == stage).to_numpy()


def _lexicographic(model: _Model, options: SolveOptions) -> tuple[SolveReport, np.ndarray,
                                                                    list[SolveReport]]:
    n = model.A.shape[1]
    lb = np.zeros(n)
    ub = np.concatenate([np.ones(model.n_m + model.n_g), np.full(model.n_dev, np.inf)])
    integer = np.concatenate([np.ones(model.n_m + model.n_g, bool), np.zeros(model.n_dev,
                                                                             bool)])
    A, row_lb, row_ub = model.A, model.row_lb, model.row_ub
    reports: list[SolveReport] = []
    x = None
    # stage 1 may use 40 % of the time; what a stage leaves unused passes on to the next
    shares = (0.4, 2 / 3, 1.0)
    for stage, (c, share) in enumerate(zip((model.c_fail, model.c_dev, model.c_moves), shares,
                                           strict=True)):
        left = options.time_limit - sum(r.seconds for r in reports)
        opts = SolveOptions(time_limit=max(left * share, 1.0),
                            mip_gap=options.mip_gap, seed=options.seed, threads=options.threads)
        report, sol = solve_mip(c, A, row_lb, row_ub, lb, ub, integer, opts, start=x)
        reports.append(report)
        if sol is None:
            if stage == 0:
                return report, None, reports  # type: ignore[return-value]
            break
        x = sol
        # keep this stage's value for the next stages (a little slack for the tolerance)
        value = float(c @ sol)
        A, row_lb, row_ub = keep_stage_value(A, row_lb, row_ub, c, value)
    return combine_stages(reports), x, reports


def solve_rotation(census: Census, params: RotationParameters | None = None, *,
                   options: SolveOptions | None = None, year: int | None = None,
                   evaluate_after: bool = True, standard: str = "quality-2017") -> PlanResult:
    """Plan this year's teacher rotation; see the module docstring."""
    params = params or RotationParameters()
    options = options or SolveOptions()
    year = year or max(census.years)
    problem = build_problem(census, params, year)
    precheck(problem, params)
    model = build_model(problem, params)
    report, sol, _ = _lexicographic(model, options)
    parameters = {**asdict(params), **{k: v for k, v in problem.rules.items()
                                        if k not in (
                                            "name_zh", "name_en", "source", "method", "part")},
                  "time_limit": options.time_limit, "mip_gap": options.mip_gap,
                  "seed": options.seed, "year": year}
    if report.status == "infeasible":
        raise explain_infeasible(problem, params, options)
    if sol is None:
        return PlanResult("rotation", report, parameters, [], extra={"note": "no solution"})
    return _result(census, problem, model, report, sol, parameters, year, evaluate_after,
                   standard)


def explain_infeasible(problem: RotationProblem, params: RotationParameters,
                       options: SolveOptions) -> InfeasibleError:
    """The most teachers (and backbone teachers) that can move under the other rules."""
    model = build_model(problem, params, shares=False)
    n = model.A.shape[1]
    integer = np.concatenate([np.ones(model.n_m + model.n_g, bool), np.zeros(model.n_dev,
                                                                             bool)])
    ub = np.concatenate([np.ones(model.n_m + model.n_g), np.full(model.n_dev, np.inf)])
    bb = np.concatenate([problem.teachers["f_backbone"].to_numpy()[problem.pairs["t"]],
                         np.zeros(n - model.n_m)]).astype(float)
    quick = SolveOptions(time_limit=max(options.time_limit / 4, 1.0), mip_gap=0.0,
                         seed=options.seed, threads=options.threads)
    most = []
    for weights in (-np.concatenate([np.ones(model.n_m), np.zeros(n - model.n_m)]), -bb):
        report, _ = solve_mip(weights, model.A, model.row_lb, model.row_ub, np.zeros(n), ub,
                              integer, quick)
        most.append(math.floor(-report.bound + 1e-6) if report.bound is not None else 0)
    spec = problem.rules
    need = math.ceil(spec["min_share"] * problem.eligible_count - 1e-9)
    need_bb = math.ceil(spec["min_backbone_share"] * need - 1e-9)
    return InfeasibleError(
        [f"在方向、距离、编制（每校流出不超过 {params.max_out_share:.0%}）与学科覆盖限制下，"
         f"最多可交流 {most[0]} 人（需要 {need} 人，即符合条件 {problem.eligible_count} 人的 "
         f"{spec['min_share']:.0%}），其中骨干教师最多 {most[1]} 人（需要 {need_bb} 人）；"
         f"可放宽交流方向（towards_rural、strong_to_weak、over_to_under）、max_km 或 "
         f"max_out_share"],
        [f"under the directions, distance, quotas (at most {params.max_out_share:.0%} leave a "
         f"school) and subject coverage, at most {most[0]} teachers can move ({need} needed: "
         f"{spec['min_share']:.0%} of {problem.eligible_count} eligible), at most {most[1]} of "
         f"them backbone ({need_bb} needed); relax the directions (towards_rural, "
         f"strong_to_weak, over_to_under), max_km or max_out_share"])


def apply_moves(census: Census, moves: pd.DataFrame, year: int) -> Census:
    """The census after the moves: roster updated, teacher counts of ``year`` re-derived."""
    roster = census["teachers"].copy()
    idx = roster.set_index("teacher_id").index
    pos = idx.get_indexer(moves["teacher_id"])
    roster.loc[roster.index[pos], "school_id"] = moves["to"].to_numpy()
    roster.loc[roster.index[pos], "last_rotation_year"] = year
    roster.loc[roster.index[pos], "years_at_school"] = 0
    agg = roster_aggregates(roster)  # the census counts every roster row (data-format.md)
    years = census["school_years"].copy()
    cur = years["year"] == year
    for stage in ("primary", "junior"):
        key = pd.MultiIndex.from_arrays([years.loc[cur, "school_id"], [stage] * int(cur.sum())])
        for count in ("teachers", "above_degree_teachers", "mid_title_teachers",
                      "backbone_teachers", "pe_art_teachers"):
            years.loc[cur, f"{count}_{stage}"] = agg[count].reindex(key).fillna(0).to_numpy()
    tables = dict(census.tables)
    tables["teachers"] = roster
    tables["school_years"] = years
    return Census(tables, census.source, None)


def _result(census: Census, problem: RotationProblem, model: _Model, report: SolveReport,
            sol: np.ndarray, parameters: dict[str, Any], year: int, evaluate_after: bool,
            standard: str) -> PlanResult:
    pairs, tea, parts = problem.pairs, problem.teachers, problem.parts
    chosen = pairs[sol[:model.n_m] > 0.5]
    t = chosen["t"].to_numpy()
    d = chosen["d"].to_numpy()
    src = tea["part"].to_numpy()[t]
    needs = problem.needs.pivot(index="part", columns="flag", values="need")
    haves = problem.needs.pivot(index="part", columns="flag", values="have")
    moves = pd.DataFrame({"teacher_id": tea["teacher_id"].to_numpy()[t],
                          "from": parts["school_id"].to_numpy()[src],
                          "to": parts["school_id"].to_numpy()[d],
                          "stage": tea["stage"].to_numpy()[t],
                          "subject": tea["subject"].to_numpy()[t],
                          "backbone": tea["backbone"].to_numpy()[t],
                          "km": chosen["km"].to_numpy()})
    actions = []
    for i, rec in enumerate(moves.to_dict("records")):
        reasons = [short for short in TEACHER_INDICATORS.values()
                   if tea[f"f_{short}"].to_numpy()[t[i]]
                   and haves.loc[d[i], short] < needs.loc[d[i], short]]
        actions.append({"type": "move", "teacher_id": rec["teacher_id"], "from": rec["from"],
                        "to": rec["to"], "stage": rec["stage"], "subject": rec["subject"],
                        "backbone": rec["backbone"], "km": round(float(rec["km"]), 2),
                        "reason": ",".join(reasons) if reasons else "quota_share"})
    moved = len(moves)
    spec = problem.rules
    out_share = (pd.Series(src).value_counts() / parts["n_teachers"].to_numpy()[
        pd.Series(src).value_counts().index]).max() if moved else 0.0
    compliance = {
        "eligible": problem.eligible_count, "moved": moved,
        "share_moved": round(moved / problem.eligible_count, 4) if problem.eligible_count
        else None, "min_share": spec["min_share"],
        "backbone_moved": int(tea["f_backbone"].to_numpy()[t].sum()),
        "backbone_share": round(float(tea["f_backbone"].to_numpy()[t].mean()), 4) if moved
        else None, "min_backbone_share": spec["min_backbone_share"],
        "max_school_outflow_share": round(float(out_share), 4),
        "max_out_share": parameters["max_out_share"],
    }
    extra: dict[str, Any] = {"compliance": compliance, "objective_stages": report.detail.get(
        "stages", [])}
    before = after = None
    after_ev = None
    if evaluate_after:
        before_ev = evaluate(census, standard, year=year)
        after_ev = evaluate(apply_moves(census, moves, year), standard, year=year)
        before, after = evaluation_summary(before_ev), evaluation_summary(after_ev)
        extra["teacher_standard_failures"] = {
            "before": _teacher_failures(before_ev), "after": _teacher_failures(after_ev)}
    return PlanResult("rotation", report, parameters, actions, before, after, extra, after_ev)


def _teacher_failures(ev: Any) -> int:
    """School parts missing at least one teacher standard (stage 1 of the objective)."""
    return sum(1 for st in ev.stages.values() for s in st.schools
               if any(s.meets.get(k) is False for k in TEACHER_INDICATORS))
