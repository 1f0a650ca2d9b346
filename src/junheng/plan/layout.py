"""School layout planner (学校布局调整): keep, expand, close, build; assign every village.

A mixed-integer model solved by HiGHS. Villages' children are split into
three cohorts — primary grades 1–3, primary grades 4–6, junior grades 7–9 —
because the rules differ by age (mechanisms.md §2: primary schools and
teaching points stay close to home; boarding only from a configurable grade,
only at boarding-capable schools, never for primary pupils in the plains).

Formulation (V village cohorts, J destinations = existing in-scope schools
and candidate sites; A ⊆ V × J the allowed pairs after pruning)::

    min  Σ_{(v,j)∈A} n_v d_vj x_vj + β Σ_{(v,j)∈A, boarding} n_v x_vj + λ · cost
    s.t. Σ_j x_vj = 1                          every cohort of every village assigned once
         x_vj ≤ y_j                            only to open schools
         Σ_v n_v x_vj ≤ K_j y_j + e_j          capacity (design places, plus expansion)
         e_j ≤ ε K_j y_j                       expansion limit (existing schools)
         Σ_v n_v x_vj ≤ S_j                    school size cap (2000; 2500 one-through)
         Σ_v n_v x_vj ≥ m y_j                  optional minimum size of a kept school
         Σ_j y_j ≤ p,  cost ≤ B                optional number of schools, budget
         y_j = 1 (must keep, far teaching points), y_j = 0 (must close)
         x, y ∈ {0, 1}, e ≥ 0

with cost = Σ_sites (F_s y_s + c_s e_s) + c_e Σ_existing e_j. A pair is allowed
when d_vj ≤ the cohort's day-travel limit, or when boarding is allowed for that
cohort at j and d_vj ≤ the boarding limit. The build-before-close schedule is
derived from the solution: build and expand first, move pupils at the start
of a school year, close last (先建后撤), so no child is ever without a place.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from junheng.data.census import Census
from junheng.evaluate import evaluate
from junheng.plan.distances import Pairs, village_distances
from junheng.plan.params import check_types
from junheng.plan.result import PlanResult, evaluation_summary
from junheng.plan.solver import InfeasibleError, Rows, SolveOptions, solve_mip
from junheng.standards import load_rules

COHORTS = ("primary_lower", "primary_upper", "junior")
COHORT_STAGE = {"primary_lower": "primary", "primary_upper": "primary", "junior": "junior"}
COHORT_GRADES = {"primary_lower": (1, 3), "primary_upper": (4, 6), "junior": (7, 9)}
COHORT_ZH = {"primary_lower": "小学1–3年级", "primary_upper": "小学4–6年级", "junior": "初中"}
STAGE_TYPES = {"primary": {"primary", "nine_year", "twelve_year", "teaching_point"},
               "junior": {"junior", "nine_year", "twelve_year", "complete_middle"}}


def _rule_defaults() -> dict[str, Any]:
    """Class and school-size caps from the quality-2017 rule file (not literals here)."""
    rules = load_rules("quality-2017")
    checks = {c["key"]: c for c in rules.checks}
    return {"class_cap": dict(checks["class_size"]["max"]),
            "size_cap": int(checks["school_size"]["max_students"]),
            "size_cap_one_through": int(checks["school_size"]["max_students_one_through"])}


@dataclass
class LayoutParameters:
    """Every rule of the layout model, with the defaults of mechanisms.md §2 and issue #5."""

    max_km: dict[str, float] = field(default_factory=lambda: {
        "primary_lower": 3.0, "primary_upper": 5.0, "junior": 10.0})
    boarding_from_grade: dict[str, int | None] = field(default_factory=lambda: {
        "primary": 4, "junior": 7})
    max_boarding_km: float = 40.0
    primary_boarding_in_plain: bool = False
    boarding_penalty_km: float = 2.0  # a boarder counts as this many extra km
    detour: dict[str, float] = field(default_factory=lambda: {
        "plain": 1.3, "hill": 1.45, "mountain": 1.6, "default": 1.3})
    lower_grade_share: float = 0.5  # share of primary-age children in grades 1–3
    expansion_share: float = 0.5  # an existing school may grow by this share of its places
    expansion_cost_per_place: float = 30_000.0  # yuan
    site_cost_per_place: float = 45_000.0  # yuan, where the sites sheet gives none
    sites_boarding: bool = True  # new schools are built boarding-capable
    site_stages: str = "both"  # a new school teaches primary, junior or both
    cost_weight: float = 1e-4  # pupil-km per yuan: a 30,000-yuan place weighs 3 pupil-km
    max_schools: int | None = None
    min_pupils: int | None = None  # smallest school worth keeping (teaching points exempt)
    budget: float | None = None
    must_keep: list[str] = field(default_factory=list)
    must_close: list[str] = field(default_factory=list)
    keep_far_teaching_points: bool = True
    # Cohorts with no school within the rules today (far villages) either make the plan
    # infeasible (False) or may keep travelling to a school within the boarding radius as a
    # reported exception whose km count ``exception_penalty`` times in the objective (True).
    allow_exceptions: bool = True
    exception_penalty: float = 3.0
    class_cap: dict[str, int] = field(default_factory=dict)
    size_cap: int | None = None
    size_cap_one_through: int | None = None
    projection: str | None = None  # None = children_*, "next" = children_*_next, or a year

    def __post_init__(self) -> None:
        check_types(self)
        defaults = _rule_defaults()
        if not self.class_cap:
            self.class_cap = defaults["class_cap"]
        if self.size_cap is None:
            self.size_cap = defaults["size_cap"]
        if self.size_cap_one_through is None:
            self.size_cap_one_through = defaults["size_cap_one_through"]
        for key, value in self.max_km.items():
            if not value > 0:
                raise ValueError(f"The 'max_km[{key}]' parameter of LayoutParameters must be "
                                 f"> 0. Got {value} instead.")
        if not 0 < self.lower_grade_share < 1:
            raise ValueError("The 'lower_grade_share' parameter of LayoutParameters must be "
                             f"in (0, 1). Got {self.lower_grade_share} instead.")
        if self.max_schools is not None and self.max_schools < 1:
            raise ValueError("The 'max_schools' parameter of LayoutParameters must be an int "
                             f"in [1, inf). Got {self.max_schools} instead.")
        if self.site_stages not in ("primary", "junior", "both"):
            raise ValueError("The 'site_stages' parameter must be 'primary', 'junior' or "
                             f"'both'. Got {self.site_stages!r} instead.")


@dataclass
class LayoutProblem:
    """The data of one layout model: destinations, village cohorts, allowed pairs."""

    dests: pd.DataFrame  # dest_id, kind (school/site), type, stages, capacity, size_cap, …
    cohorts: pd.DataFrame  # village_id, name, township, cohort, stage, pupils, terrain
    pairs: pd.DataFrame  # cohort_idx, dest_idx, km, boarding
    forced_open: set[int]
    forced_closed: set[int]
    baseline: pd.DataFrame  # cohort_idx -> nearest existing school (status quo)


def _children_column(stage: str, projection: str | None) -> str:
    if projection is None:
        return f"children_{stage}"
    return f"children_{stage}_{projection}"


def build_problem(census: Census, params: LayoutParameters, year: int) -> LayoutProblem:
    """Destinations, village cohorts and the allowed (pruned) pairs."""
    schools = census["schools"]
    years = census["school_years"]
    rows = years[years["year"] == year].set_index("school_id")
    in_scope = schools[(schools["ownership"] == "public") & (schools["affiliation"] == "county")
                       & schools["type"].isin(STAGE_TYPES["primary"] | STAGE_TYPES["junior"])
                       & schools["school_id"].isin(rows.index)
                       & schools["lon"].notna() & schools["lat"].notna()]
    dest_records: list[dict[str, Any]] = []
    for rec in in_scope.to_dict("records"):
        y = rows.loc[rec["school_id"]]
        stages = [s for s in ("primary", "junior") if rec["type"] in STAGE_TYPES[s]]
        capacity = y.get("design_capacity")
        if capacity is None or pd.isna(capacity) or capacity <= 0:
            capacity = sum(_num(y.get(f"classes_{s}")) * params.class_cap[s] for s in stages)
        one_through = rec["type"] in ("nine_year", "twelve_year")
        dest_records.append({
            "dest_id": rec["school_id"], "name": rec["name"], "kind": "school",
            "type": rec["type"], "township": rec["township"], "lon": rec["lon"],
            "lat": rec["lat"], "primary": "primary" in stages, "junior": "junior" in stages,
            "boarding": bool(rec.get("boarding")) if pd.notna(rec.get("boarding")) else False,
            "capacity": float(capacity),
            "size_cap": float(params.size_cap_one_through if one_through else params.size_cap),
            "fixed_cost": 0.0, "cost_per_place": params.expansion_cost_per_place,
            "expand_limit": params.expansion_share * float(capacity),
            "enrolled": _num(y.get("students_primary")) + _num(y.get("students_junior")),
        })
    for rec in census["sites"].to_dict("records"):
        dest_records.append({
            "dest_id": rec["site_id"], "name": rec["site_id"], "kind": "site",
            "type": {"both": "nine_year", "primary": "primary", "junior": "junior"}[
                params.site_stages], "township": None, "lon": rec["lon"], "lat": rec["lat"],
            "primary": params.site_stages in ("primary", "both"),
            "junior": params.site_stages in ("junior", "both"),
            "boarding": params.sites_boarding, "capacity": 0.0,
            "size_cap": float(params.size_cap_one_through if params.site_stages == "both"
                              else params.size_cap),
            "fixed_cost": _num(rec.get("fixed_cost")),
            "cost_per_place": _num(rec.get("build_cost_per_place")) or params.site_cost_per_place,
            "expand_limit": float(rec["max_capacity"]), "enrolled": 0.0,
        })
    dests = pd.DataFrame(dest_records)
    if dests.empty:
        raise InfeasibleError(["没有可用的学校或候选校址（需要公办县属学校的经纬度）"],
                              ["no school or site to plan with (public county schools need "
                               "coordinates)"])
    villages = census["villages"]
    villages = villages[villages["lon"].notna() & villages["lat"].notna()].reset_index(drop=True)
    cohort_rows = []
    for rec in villages.to_dict("records"):
        for cohort in COHORTS:
            stage = COHORT_STAGE[cohort]
            col = _children_column(stage, params.projection)
            if col not in villages.columns:
                raise ValueError(f"the villages sheet has no column {col!r} for the projection "
                                 f"{params.projection!r}")
            n = _num(rec.get(col))
            if stage == "primary":
                share = params.lower_grade_share if cohort == "primary_lower" else (
                    1 - params.lower_grade_share)
                n = n * share
            if n <= 0:
                continue
            cohort_rows.append({"village_id": rec["village_id"], "name": rec["name"],
                                "township": rec.get("township"), "cohort": cohort,
                                "stage": stage, "pupils": n,
                                "terrain": rec.get("terrain") or "default",
                                "vrow": len(cohort_rows)})
    cohorts = pd.DataFrame(cohort_rows)
    if cohorts.empty:
        raise InfeasibleError(["村(社区)表中没有适龄儿童数据"],
                              ["the villages sheet holds no school-age children"])
    vtable = villages.set_index("village_id").loc[cohorts["village_id"].unique()].reset_index()
    longest = max(max(params.max_km.values()), params.max_boarding_km)
    pairs = village_distances(
        census, vtable[["village_id", "lon", "lat", "terrain"]],
        dests[["dest_id", "lon", "lat"]], params.detour, longest)
    pair_frame = _allowed_pairs(pairs, vtable, cohorts, dests, params)
    forced_open = {i for i, d in enumerate(dests["dest_id"]) if d in set(params.must_keep)}
    forced_closed = {i for i, d in enumerate(dests["dest_id"]) if d in set(params.must_close)}
    if params.keep_far_teaching_points:
        forced_open |= _far_teaching_points(dests, params) - forced_closed
    baseline = _baseline(pair_frame, cohorts, dests)
    return LayoutProblem(dests, cohorts, pair_frame, forced_open, forced_closed, baseline)


def _allowed_pairs(pairs: Pairs, vtable: pd.DataFrame, cohorts: pd.DataFrame,
                   dests: pd.DataFrame, params: LayoutParameters) -> pd.DataFrame:
    """Expand village-level pairs to cohort-level allowed pairs, vectorised."""
    vpos = pd.Index(vtable["village_id"])
    base = pd.DataFrame({"vi": pairs.village, "dest_idx": pairs.dest, "km": pairs.km})
    cohorts = cohorts.assign(vi=vpos.get_indexer(cohorts["village_id"]))
    merged = cohorts[["vrow", "vi", "cohort", "stage", "terrain"]].merge(base, on="vi")
    offers = np.where(merged["stage"] == "primary",
                      dests["primary"].to_numpy()[merged["dest_idx"]],
                      dests["junior"].to_numpy()[merged["dest_idx"]])
    limit = merged["cohort"].map(params.max_km).to_numpy(float)
    day = merged["km"].to_numpy() <= limit
    min_grade = merged["cohort"].map(lambda c: COHORT_GRADES[c][0]).to_numpy()
    from_grade = merged["stage"].map(
        lambda s: params.boarding_from_grade.get(s) or 99).to_numpy()
    plain_block = (merged["stage"] == "primary").to_numpy() & (
        merged["terrain"] == "plain").to_numpy() & (not params.primary_boarding_in_plain)
    can_board = (dests["boarding"].to_numpy()[merged["dest_idx"]] & (min_grade >= from_grade)
                 & ~plain_block & (merged["km"].to_numpy() <= params.max_boarding_km))
    ok = offers & (day | can_board)
    out = merged.loc[ok, ["vrow", "dest_idx", "km"]].rename(columns={"vrow": "cohort_idx"})
    out["boarding"] = ~day[ok]
    out["exception"] = False
    if params.allow_exceptions:
        stranded = ~merged["vrow"].isin(set(out["cohort_idx"])).to_numpy()
        near = offers & stranded & (merged["km"].to_numpy() <= params.max_boarding_km)
        extra = merged.loc[near, ["vrow", "dest_idx", "km"]].rename(
            columns={"vrow": "cohort_idx"})
        extra["boarding"] = False
        extra["exception"] = True
        out = pd.concat([out, extra], ignore_index=True)
    return out.reset_index(drop=True)


def _far_teaching_points(dests: pd.DataFrame, params: LayoutParameters) -> set[int]:
    """Teaching points whose nearest other primary school or site is beyond the grade 1–3
    limit: they stay open (mechanisms.md §2, 就近入学)."""
    from junheng.plan.distances import great_circle_km

    tp = np.flatnonzero((dests["type"] == "teaching_point").to_numpy())
    others = np.flatnonzero((dests["primary"] & (dests["type"] != "teaching_point")).to_numpy())
    if tp.size == 0:
        return set()
    if others.size == 0:
        return set(tp.tolist())
    km = great_circle_km(dests["lon"].to_numpy(float)[tp], dests["lat"].to_numpy(float)[tp],
                         dests["lon"].to_numpy(float)[others],
                         dests["lat"].to_numpy(float)[others]) * params.detour.get("default", 1.3)
    far = km.min(axis=1) > params.max_km["primary_lower"]
    return set(tp[far].tolist())


def _baseline(pairs: pd.DataFrame, cohorts: pd.DataFrame, dests: pd.DataFrame) -> pd.DataFrame:
    """Status quo: each cohort at its nearest existing school (no capacity), for travel stats."""
    existing = dests["kind"].to_numpy() == "school"
    p = pairs[existing[pairs["dest_idx"].to_numpy()]]
    nearest = p.sort_values("km").groupby("cohort_idx", as_index=False).first()
    return nearest


def _num(value: Any) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)


# ------------------------------------------------------------------ feasibility pre-checks


def precheck(problem: LayoutProblem, params: LayoutParameters) -> None:
    """Raise :class:`InfeasibleError` with numbers when no plan can exist."""
    cohorts, pairs, dests = problem.cohorts, problem.pairs, problem.dests
    reasons, reasons_en = [], []
    covered = set(pairs["cohort_idx"])
    for rec in cohorts[~cohorts["vrow"].isin(covered)].head(10).to_dict("records"):
        limit = params.max_km[rec["cohort"]]
        reasons.append(f"村(社区){rec['name']}（{rec['township'] or ''}）："
                       f"{COHORT_ZH[rec['cohort']]} {rec['pupils']:.0f} 人在 {limit:g} km 内"
                       f"没有学校，且不允许寄宿")
        reasons_en.append(f"village {rec['name']} ({rec['township'] or ''}): "
                          f"{rec['pupils']:.0f} pupils of {rec['cohort']} have no school "
                          f"within {limit:g} km and may not board")
    if reasons:
        raise InfeasibleError(reasons, reasons_en)
    room = np.where(dests["kind"] == "site", dests["expand_limit"],
                    dests["capacity"] + dests["expand_limit"])
    room = np.minimum(room, dests["size_cap"])
    room[list(problem.forced_closed)] = 0.0
    joined = pairs.merge(cohorts[["vrow", "township"]], left_on="cohort_idx", right_on="vrow")
    for township, group in cohorts.groupby(cohorts["township"].fillna("—")):
        demand = float(group["pupils"].sum())
        reach = joined[joined["township"].fillna("—") == township]["dest_idx"].unique()
        capacity = float(room[reach].sum())
        if capacity + 1e-6 < demand:
            km = max(params.max_km.values())
            reasons.append(f"乡镇{township}：{km:g} km（及寄宿范围）内容量 {capacity:,.0f} < "
                           f"需求 {demand:,.0f}")
            reasons_en.append(f"township {township}: capacity within reach {capacity:,.0f} < "
                              f"demand {demand:,.0f}")
    if reasons:
        raise InfeasibleError(reasons, reasons_en)


# ------------------------------------------------------------------ model


@dataclass
class LayoutModel:
    c: np.ndarray
    A: sp.csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integer: np.ndarray
    n_pairs: int
    n_dest: int


def build_model(problem: LayoutProblem, params: LayoutParameters) -> LayoutModel:
    """Sparse matrices of the MIP; columns = [x (pairs) | y (dests) | e (dests)]."""
    pairs, dests, cohorts = problem.pairs, problem.dests, problem.cohorts
    P, J = len(pairs), len(dests)
    ci = pairs["cohort_idx"].to_numpy()
    dj = pairs["dest_idx"].to_numpy()
    pupils = cohorts["pupils"].to_numpy(float)[ci]
    x = np.arange(P)
    y = P + np.arange(J)
    e = P + J + np.arange(J)
    is_site = (dests["kind"] == "site").to_numpy()
    capacity = dests["capacity"].to_numpy(float)
    limit = dests["expand_limit"].to_numpy(float)
    cost_fixed = dests["fixed_cost"].to_numpy(float)
    cost_place = dests["cost_per_place"].to_numpy(float)

    c = np.zeros(P + 2 * J)
    km_weight = np.where(pairs["exception"].to_numpy(), params.exception_penalty, 1.0)
    c[x] = pupils * pairs["km"].to_numpy() * km_weight + params.boarding_penalty_km * pupils * \
        pairs["boarding"].to_numpy()
    c[y] = params.cost_weight * cost_fixed
    c[e] = params.cost_weight * cost_place

    rows = Rows()
    add = rows.add
    n_cohorts = len(cohorts)
    # Σ_j x_vj = 1
    add(ci, x, np.ones(P), np.ones(n_cohorts), np.ones(n_cohorts))
    # x_vj − y_j ≤ 0
    add(np.concatenate([x, x]), np.concatenate([x, y[dj]]),
        np.concatenate([np.ones(P), -np.ones(P)]), np.full(P, -np.inf), np.zeros(P))
    # Σ n x − K y − e ≤ 0
    jr = np.arange(J)
    add(np.concatenate([dj, jr, jr]), np.concatenate([x, y, e]),
        np.concatenate([pupils, -capacity, -np.ones(J)]), np.full(J, -np.inf), np.zeros(J))
    # e − limit·y ≤ 0
    add(np.concatenate([jr, jr]), np.concatenate([e, y]),
        np.concatenate([np.ones(J), -limit]), np.full(J, -np.inf), np.zeros(J))
    # size cap
    add(dj, x, pupils, np.full(J, -np.inf), dests["size_cap"].to_numpy(float))
    if params.min_pupils:
        exempt = (dests["type"] == "teaching_point").to_numpy() | is_site
        m = np.where(exempt, 0.0, float(params.min_pupils))
        add(np.concatenate([dj, jr]), np.concatenate([x, y]), np.concatenate([pupils, -m]),
            np.zeros(J), np.full(J, np.inf))
    if params.max_schools is not None:
        add(np.zeros(J, int), y, np.ones(J), np.array([-np.inf]),
            np.array([float(params.max_schools)]))
    if params.budget is not None:
        add(np.zeros(2 * J, int), np.concatenate([y, e]),
            np.concatenate([cost_fixed, cost_place]), np.array([-np.inf]),
            np.array([float(params.budget)]))
    A, row_lb, row_ub = rows.build(P + 2 * J)
    lb = np.zeros(P + 2 * J)
    ub = np.concatenate([np.ones(P), np.ones(J), limit])
    forced_open = np.zeros(J, bool)
    forced_open[list(problem.forced_open)] = True
    forced_closed = np.zeros(J, bool)
    forced_closed[list(problem.forced_closed)] = True
    lb[y[forced_open]] = 1.0
    ub[y[forced_closed]] = 0.0
    integer = np.concatenate([np.ones(P + J, bool), np.zeros(J, bool)])
    return LayoutModel(c, A, row_lb, row_ub, lb, ub, integer, P, J)


def explain_infeasible(problem: LayoutProblem, model: LayoutModel, params: LayoutParameters,
                       options: SolveOptions) -> InfeasibleError:
    """Say which rule cannot be met, where and by how much.

    Solves the elastic model — the same constraints, but a cohort may stay
    unplaced at a cost — minimising the unplaced pupils. The townships of the
    unplaced cohorts, their demand and the places within reach give the numbers.
    """
    cohorts, pairs, dests = problem.cohorts, problem.pairs, problem.dests
    n_cohorts = len(cohorts)
    A = sp.hstack([model.A, sp.vstack([sp.identity(n_cohorts, format="csr"),
                                       sp.csr_matrix((model.A.shape[0] - n_cohorts,
                                                      n_cohorts))])]).tocsr()
    pupils = cohorts["pupils"].to_numpy(float)
    c = np.concatenate([np.zeros(model.A.shape[1]), pupils])
    report, sol = solve_mip(
        c, A, model.row_lb, model.row_ub, np.concatenate([model.lb, np.zeros(n_cohorts)]),
        np.concatenate([model.ub, np.ones(n_cohorts)]),
        np.concatenate([model.integer, np.zeros(n_cohorts, bool)]), options)
    if sol is None or report.status == "infeasible":
        return InfeasibleError(
            ["在学校数、预算等约束下无可行方案；请放宽 max_schools、budget 或 min_pupils"],
            ["no plan meets the number-of-schools and budget limits together; relax "
             "max_schools, budget or min_pupils"])
    unplaced = sol[model.A.shape[1]:] * pupils
    if unplaced.sum() < 0.5:
        return InfeasibleError(
            ["在学校数、预算、最小规模等约束下无可行方案；请放宽 max_schools、budget 或 "
             "min_pupils"],
            ["no plan meets the number-of-schools, budget and minimum-size limits together; "
             "relax max_schools, budget or min_pupils"])
    room = np.where(dests["kind"] == "site", dests["expand_limit"],
                    dests["capacity"] + dests["expand_limit"])
    room = np.minimum(room, dests["size_cap"]).to_numpy(float)
    short = cohorts.assign(unplaced=unplaced)
    short = short[short["unplaced"] > 0.5]
    reasons, reasons_en = [], []
    for township, group in short.groupby(short["township"].fillna("—")):
        idx = group["vrow"].to_numpy()
        reach = set(pairs[pairs["cohort_idx"].isin(idx)]["dest_idx"].unique())
        # the cohorts that can go nowhere else: their demand must fit into these places
        outside = pairs[~pairs["dest_idx"].isin(reach)]["cohort_idx"].unique()
        users = pairs[pairs["dest_idx"].isin(reach)]["cohort_idx"].unique()
        captive = np.setdiff1d(users, outside)
        demand = float(cohorts.loc[cohorts["vrow"].isin(captive), "pupils"].sum())
        reach = np.fromiter(reach, int)
        capacity = float(room[reach].sum())
        limits = "/".join(f"{params.max_km[k]:g}" for k in COHORTS)
        names = "、".join(dests["name"].to_numpy()[reach][:4])
        reasons.append(f"乡镇{township}：{limits} km（小学低/高年级/初中）及寄宿范围内只能就读于"
                       f"{names}等 {len(reach)} 所学校，可用学位 {capacity:,.0f} < 只能在此就读的"
                       f"需求 {demand:,.0f}，{group['unplaced'].sum():,.0f} 人无法安排"
                       f"（可提高扩建比例 expansion_share 或增加候选校址）")
        reasons_en.append(f"township {township}: within {limits} km (and boarding range) these "
                          f"pupils can only attend {len(reach)} schools ({names}); places "
                          f"{capacity:,.0f} < demand that has no other choice {demand:,.0f}; "
                          f"{group['unplaced'].sum():,.0f} pupils cannot be placed (raise "
                          f"expansion_share or add sites)")
    return InfeasibleError(reasons, reasons_en)


# ------------------------------------------------------------------ solve and report


def _travel_stats(km: np.ndarray, pupils: np.ndarray, boarding: np.ndarray) -> dict[str, Any]:
    if pupils.sum() <= 0:
        return {"mean_km": None, "p95_km": None, "max_km": None, "pupils_boarding": 0}
    order = np.argsort(km)
    cum = np.cumsum(pupils[order]) / pupils.sum()
    p95 = float(km[order][np.searchsorted(cum, 0.95)])
    return {"mean_km": round(float(np.dot(km, pupils) / pupils.sum()), 3),
            "p95_km": round(p95, 3), "max_km": round(float(km.max()), 3),
            "pupils_boarding": round(float(pupils[boarding].sum()), 1)}


def travel_statistics(assign: pd.DataFrame) -> dict[str, Any]:
    """Per stage and overall: pupil-weighted mean, 95th percentile, max km, boarders."""
    out = {}
    for stage, group in [("all", assign), *assign.groupby("stage")]:
        out[stage] = _travel_stats(group["km"].to_numpy(float), group["pupils"].to_numpy(float),
                                   group["boarding"].to_numpy(bool))
    return out


def solve_layout(census: Census, params: LayoutParameters | None = None, *,
                 options: SolveOptions | None = None, year: int | None = None,
                 evaluate_after: bool = True, standard: str = "quality-2017") -> PlanResult:
    """Plan the school layout of a county; see the module docstring for the model."""
    params = params or LayoutParameters()
    options = options or SolveOptions()
    year = year or max(census.years)
    problem = build_problem(census, params, year)
    precheck(problem, params)
    model = build_model(problem, params)
    report, sol = solve_mip(model.c, model.A, model.row_lb, model.row_ub, model.lb, model.ub,
                            model.integer, options)
    if report.status == "infeasible":
        raise explain_infeasible(problem, model, params, options)
    parameters = {**asdict(params), "time_limit": options.time_limit,
                  "mip_gap": options.mip_gap, "seed": options.seed, "year": year}
    if sol is None:
        return PlanResult("layout", report, parameters, [], extra={"note": "no solution"})
    return _result(census, problem, model, report, sol, parameters, year, evaluate_after,
                   standard)


def _result(census: Census, problem: LayoutProblem, model: LayoutModel, report: Any,
            sol: np.ndarray, parameters: dict[str, Any], year: int, evaluate_after: bool,
            standard: str) -> PlanResult:
    pairs, dests, cohorts = problem.pairs, problem.dests, problem.cohorts
    P, J = model.n_pairs, model.n_dest
    chosen = pairs[sol[:P] > 0.5].copy()
    is_open = sol[P:P + J] > 0.5
    expand = sol[P + J:]
    chosen = chosen.merge(cohorts[["vrow", "village_id", "cohort", "stage", "pupils"]],
                          left_on="cohort_idx", right_on="vrow")
    chosen["dest_id"] = dests["dest_id"].to_numpy()[chosen["dest_idx"]]
    load = chosen.groupby("dest_idx")["pupils"].sum().reindex(range(J), fill_value=0.0)
    actions: list[dict[str, Any]] = []
    for j, rec in enumerate(dests.to_dict("records")):
        key = "school_id" if rec["kind"] == "school" else "site_id"
        if rec["kind"] == "site":
            if is_open[j]:
                actions.append({"type": "build", key: rec["dest_id"], "phase": 1,
                                "places": math.ceil(expand[j] - 1e-6),
                                "pupils": round(float(load[j]), 1),
                                "cost": round(rec["fixed_cost"] + rec["cost_per_place"] *
                                              expand[j], 2)})
            continue
        if not is_open[j]:
            actions.append({"type": "close", key: rec["dest_id"], "phase": 3,
                            "enrolled_before": rec["enrolled"]})
        elif expand[j] > 0.5:
            actions.append({"type": "expand", key: rec["dest_id"], "phase": 1,
                            "places": math.ceil(expand[j] - 1e-6),
                            "pupils": round(float(load[j]), 1),
                            "cost": round(rec["cost_per_place"] * expand[j], 2)})
        else:
            actions.append({"type": "keep", key: rec["dest_id"],
                            "pupils": round(float(load[j]), 1)})
    for rec in chosen.sort_values(["village_id", "cohort"]).to_dict("records"):
        lo, hi = COHORT_GRADES[rec["cohort"]]
        dest_key = "school_id" if dests["kind"].iloc[rec["dest_idx"]] == "school" else "site_id"
        actions.append({"type": "assign", "village_id": rec["village_id"], "stage": rec["stage"],
                        "grades": f"{lo}-{hi}", dest_key: rec["dest_id"],
                        "km": round(float(rec["km"]), 3), "pupils": round(float(rec["pupils"]), 1),
                        "boarding": bool(rec["boarding"]), "beyond_limit": bool(rec["exception"]),
                        "phase": 2})
    base = problem.baseline.merge(cohorts[["vrow", "stage", "pupils"]], left_on="cohort_idx",
                                  right_on="vrow")
    extra = {
        "travel": {"before": travel_statistics(base), "after": travel_statistics(chosen)},
        "schedule": [
            {"phase": 1, "what": "build and expand (先建)", "actions": sum(
                a["type"] in ("build", "expand") for a in actions)},
            {"phase": 2, "what": "move pupils at the start of the school year", "actions": sum(
                a["type"] == "assign" for a in actions)},
            {"phase": 3, "what": "close (后撤); reuse closed sites, e.g. as kindergartens",
             "actions": sum(a["type"] == "close" for a in actions)},
        ],
        "counts": {k: sum(a["type"] == k for a in actions)
                   for k in ("keep", "expand", "close", "build")},
        "exceptions": {
            "pupils": round(float(chosen.loc[chosen["exception"], "pupils"].sum()), 1),
            "villages": sorted(set(chosen.loc[chosen["exception"], "village_id"])),
            "note": "no school within the travel limit, and boarding not allowed for their "
                    "grades: they keep travelling beyond the limit (a new school or teaching "
                    "point nearby would remove the exception)"},
    }
    extra["map"] = plan_map(census, dests, cohorts, base, chosen, actions)
    before = after = None
    after_ev = None
    if evaluate_after:
        before_ev = evaluate(census, standard, year=year)
        before = evaluation_summary(before_ev)
        after_census = apply_layout(census, problem, chosen, is_open, expand, year)
        after_ev = evaluate(after_census, standard, year=year)
        after = evaluation_summary(after_ev)
    return PlanResult("layout", report, parameters, actions, before, after, extra, after_ev)


def plan_map(census: Census, dests: pd.DataFrame, cohorts: pd.DataFrame,
             before: pd.DataFrame | None, after: pd.DataFrame,
             actions: list[dict[str, Any]], before_label: str = "status_quo"
             ) -> dict[str, Any]:
    """Where things are, for the before/after map of the report (布局示意图).

    ``schools``: every destination with its coordinates and its fate in the plan
    (keep / expand / close / build; ``existing`` says whether it is open today);
    ``villages``: coordinates and pupils; ``links``: village → school per stage,
    ``before`` and ``after`` (the plan); ``before`` names what the first is:
    ``status_quo`` (each village at its nearest existing school) or ``nearest``
    (the catchment planner's nearest-school zoning, places ignored).
    Kept in plan.json so that any front end can redraw it.
    """
    fate = {a.get("school_id", a.get("site_id")): a["type"] for a in actions
            if a["type"] in ("keep", "expand", "close", "build")}
    schools = [{"id": r["dest_id"], "type": r.get("type"),
                "existing": r.get("kind", "school") == "school",
                "lon": round(float(r["lon"]), 6), "lat": round(float(r["lat"]), 6),
                "fate": fate.get(r["dest_id"], "keep" if r.get("kind", "school") == "school"
                                 else "unused")}
               for r in dests.to_dict("records")]
    villages_tab = census["villages"].set_index("village_id")
    pupils = cohorts.groupby("village_id")["pupils"].sum()
    villages = [{"id": vid, "lon": round(float(villages_tab.at[vid, "lon"]), 6),
                 "lat": round(float(villages_tab.at[vid, "lat"]), 6),
                 "pupils": round(float(n), 1)} for vid, n in pupils.items()]
    ids = dests["dest_id"].to_numpy()

    def links(frame: pd.DataFrame | None) -> list[list[Any]]:
        if frame is None or frame.empty:
            return []
        f = frame.merge(cohorts[["vrow", "village_id", "stage"]], left_on="cohort_idx",
                        right_on="vrow", suffixes=("_x", "")) if "village_id" not in frame \
            else frame
        g = f.assign(dest=ids[f["dest_idx"].to_numpy()]).groupby(
            ["village_id", "stage", "dest"], as_index=False)["pupils"].sum()
        return [[r.village_id, r.stage, r.dest, round(float(r.pupils), 1)]
                for r in g.itertuples()]

    return {"schools": schools, "villages": villages, "before": before_label,
            "links": {"before": links(before), "after": links(after)},
            "link_fields": ["village_id", "stage", "school_id", "pupils"]}


# ------------------------------------------------------------------ the county after the plan

FACILITIES = ("teaching_aux_area", "sports_area", "equipment_value", "multimedia_classrooms",
              "computers", "books")
TEACHER_COLS = ("teachers", "above_degree_teachers", "mid_title_teachers", "backbone_teachers",
                "pe_art_teachers")


def apply_layout(census: Census, problem: LayoutProblem, chosen: pd.DataFrame,
                 is_open: np.ndarray, expand: np.ndarray, year: int) -> Census:
    """The census of ``year`` as it would be after the plan, for the after-evaluation.

    Changes only what the plan changes (stated in the plan report): every village
    cohort that changes school moves its pupils from its status-quo school (the
    nearest existing one) to its new school, and brings that school's teachers per
    pupil with it; a closed school's remaining pupils and teachers go with the
    majority of its villages; kept schools keep their facilities; expansions and
    new schools are built to the quality-2017 per-pupil standards.
    """
    rules = load_rules("quality-2017")
    std = {ind.numerator: (ind.standard, ind.scale) for ind in rules.indicators
           if not ind.per_stage_column}
    years = census["school_years"]
    cur = years[years["year"] == year].copy()
    dests = problem.dests
    ids = dests["dest_id"].to_numpy()
    base = problem.baseline[["cohort_idx", "dest_idx"]].rename(columns={"dest_idx": "old"})
    moves = chosen[["cohort_idx", "dest_idx", "stage", "pupils"]].merge(base, on="cohort_idx",
                                                                         how="left")
    moves = moves[moves["old"].notna() & (moves["old"] != moves["dest_idx"])]
    rows = {sid: rec for sid, rec in cur.set_index("school_id").to_dict("index").items()}
    for sid in ids[(dests["kind"] == "site").to_numpy() & is_open]:
        rows[sid] = {c: 0.0 for c in cur.columns if c not in ("school_id",)}
    cols = [f"students_{s}" for s in ("primary", "junior")] + [
        f"{t}_{s}" for t in TEACHER_COLS for s in ("primary", "junior")]
    for rec in rows.values():
        for col in cols:
            rec[col] = _num(rec.get(col))

    def move(src: str, dst: str, stage: str, pupils: float) -> None:
        a, b = rows[src], rows[dst]
        have = a[f"students_{stage}"]
        share = min(1.0, pupils / have) if have > 0 else 0.0
        for t in TEACHER_COLS:
            moved = a[f"{t}_{stage}"] * share
            a[f"{t}_{stage}"] -= moved
            b[f"{t}_{stage}"] += moved
        n = min(pupils, have)
        a[f"students_{stage}"] -= n
        b[f"students_{stage}"] += n

    for rec in moves.to_dict("records"):
        src, dst = ids[int(rec["old"])], ids[int(rec["dest_idx"])]
        if src in rows and dst in rows:
            move(src, dst, rec["stage"], float(rec["pupils"]))
    for j in np.flatnonzero(~is_open & (dests["kind"] == "school").to_numpy()):
        src = ids[j]
        out = moves[moves["old"] == j]
        for stage in ("primary", "junior"):
            dest_by_pupils = out[out["stage"] == stage].groupby("dest_idx")["pupils"].sum()
            if rows[src][f"students_{stage}"] > 0 and not dest_by_pupils.empty:
                move(src, ids[int(dest_by_pupils.idxmax())], stage,
                     rows[src][f"students_{stage}"])
        rows.pop(src)
    schools = census["schools"].copy()
    new_rows = []
    for j, rec in enumerate(dests.to_dict("records")):
        did = rec["dest_id"]
        if did not in rows:
            continue
        row = dict(rows[did])
        row["school_id"] = did
        row["year"] = year
        if rec["kind"] == "site":
            schools = pd.concat([schools, pd.DataFrame([{
                "school_id": did, "name": f"新建学校 {did}", "county_code": census.county_code,
                "county_name": census.county_name, "township": None, "type": rec["type"],
                "ownership": "public", "affiliation": "county", "locale": "town",
                "lon": rec["lon"], "lat": rec["lat"], "boarding": rec["boarding"]}])],
                ignore_index=True)
        total = row["students_primary"] + row["students_junior"]
        for stage in ("primary", "junior"):
            row[f"classes_{stage}"] = math.ceil(row[f"students_{stage}"] / 45 - 1e-9)
        added = float(expand[j])
        if added > 0 and total > 0:
            mix = {s: row[f"students_{s}"] / total for s in ("primary", "junior")}
            for col, (standard, scale) in std.items():
                per_pupil = sum(standard.get(s, 0.0) * w for s, w in mix.items())
                row[col] = _num(row.get(col)) + per_pupil * added / scale
        new_rows.append(row)
    after_years = pd.DataFrame(new_rows)
    for col in cur.columns:
        if col not in after_years:
            after_years[col] = np.nan
    after_years = after_years[cur.columns]
    tables = dict(census.tables)
    numeric = [c for c in after_years.columns if c not in ("school_id", "year", "_row")]
    tables["school_years"] = after_years.astype({c: "Float64" for c in numeric})
    tables["schools"] = schools
    tables["teachers"] = census["teachers"].iloc[0:0]  # counts above already follow pupils
    tables["classes"] = census["classes"].iloc[0:0]
    return Census(tables, None, None)
