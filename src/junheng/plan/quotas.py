"""High-school quota planner (优质高中招生名额分配到校): split places among junior schools.

A quality (示范性) high school allocates at least half of its places to the
county's junior schools, tilted towards rural and weak schools (mechanisms.md
§7; standards.md §2.6 #14); 晋中 moved to 100 %, and pupils who returned from a
town school to their rural home school by the deadline keep the right there
(榆社: 988 pupils). This module turns that rule into the table a bureau
publishes: whole places per school, by a published apportionment method, with
reproducible tie-breaks.

Formulation. With H = ⌈share × places⌉ places to allocate (``rounding``), and for
every participating junior school part i (a graduating cohort c_i > 0)::

    w_i = c_i × ρ^[i rural] × κ^[i weak]            tilted weight (rural: locale in
                                                    rural_locales, 乡镇 and 乡村 by default)
    l_i = min(m, c_i)  (m without the cohort cap)   minimum places
    u_i = c_i          (∞ without the cohort cap)   most places
    q_i = clamp(b_i + λ w_i, l_i, u_i),  Σ q_i = H  exact (fractional) quota

with b_i = l_i in mode "base" (each school first gets its minimum, the rest is
split by weight) and b_i = 0 in mode "guarantee" (split by weight, schools below
the minimum raised to it); λ is found exactly on the piecewise-linear Σ q_i(λ).
Whole places s_i ∈ [l_i, u_i] with Σ s_i = H by

* largest remainder (最大余额法, Hamilton): ⌊q_i⌋, then one more place to the
  largest remainders; minimises Σ|s_i − q_i| (and the largest |s_i − q_i|);
* Sainte-Laguë (圣拉古法, Webster): seats one by one to the largest w_i / (e_i + ½),
  e_i = s_i − b_i, starting from l_i; minimises Σ e_i²/w_i − (Σe)²/W;
* D'Hondt (洪德法, Jefferson): the same with w_i / (e_i + 1); minimises
  Σ e_i(e_i + 1)/(2 w_i).

Each is exact — greedy is optimal for a separable convex objective over a box
with a fixed sum — so the status is "optimal" with bound = objective. No MIP is
needed (and a MIP solver would break ties arbitrarily: the published rule must
not). Ties (remainders or quotients equal to 9 decimals) go to the larger
cohort, then the smaller school_id.
"""

from __future__ import annotations

import heapq
import math
import time
import tomllib
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from junheng.data.census import Census
from junheng.evaluate import Evaluation, evaluate
from junheng.plan.params import check_types
from junheng.plan.result import PlanResult, evaluation_summary
from junheng.plan.solver import InfeasibleError, SolveOptions, SolveReport
from junheng.standards import load_rules

JUNIOR_TYPES = ("junior", "nine_year", "twelve_year", "complete_middle")
LOCALES = ("urban", "town", "rural")
MIN_MODES = ("base", "guarantee")
ROUNDINGS = ("ceil", "nearest", "floor")
TIE_DECIMALS = 9  # remainders and quotients equal to 9 decimals are ties

METHODS: dict[str, tuple[str, str]] = {
    "largest_remainder": ("最大余额法（哈密尔顿法）", "largest remainder (Hamilton)"),
    "sainte_lague": ("圣拉古法（韦伯斯特除数法）", "Sainte-Laguë (Webster) divisor method"),
    "dhondt": ("洪德法（杰斐逊除数法）", "D'Hondt (Jefferson) divisor method"),
}
CRITERIA: dict[str, tuple[str, str]] = {
    "largest_remainder": ("各校名额与精确份额之差的绝对值之和 Σ|s−q|",
                          "total absolute deviation from the exact quotas, Σ|s − q|"),
    "sainte_lague": ("圣拉古准则 Σe²/w − (Σe)²/W（e 为保底之外的名额）",
                     "Sainte-Laguë criterion Σe²/w − (Σe)²/W (e = places above the base)"),
    "dhondt": ("洪德准则 Σe(e+1)/(2w)", "D'Hondt criterion Σe(e+1)/(2w)"),
}
COHORT_SOURCES = {"classes": ("班级名册九年级人数", "grade-9 class sizes"),
                  "students_junior/3": ("初中在校生数÷3", "junior pupils ÷ 3"),
                  "override": ("参数指定", "given as a parameter")}
STATUS_TEXT = {"included": ("参与分配", "included"),
               "excluded": ("按参数排除", "excluded by the parameters"),
               "private": ("民办学校未参与", "private school, not included"),
               "no_graduates": ("无应届毕业生", "no graduating class"),
               "no_year_data": ("无当年统计数据", "no data for the year")}
TABLE_COLUMNS = {
    "school_id": "学校标识码", "name": "学校名称", "township": "乡镇(街道)",
    "locale": "城乡分类", "rural": "农村学校", "weak": "薄弱学校", "weak_basis": "薄弱认定依据",
    "graduates": "应届毕业生", "cohort_source": "毕业生人数来源", "returned": "回流学生",
    "returned_from": "转出回流学生", "cohort": "计算人数", "weight": "分配权重",
    "minimum": "保底名额", "exact_quota": "精确份额", "places": "分配名额",
    "places_per_100": "每百名毕业生名额", "status": "状态",
}


def _load_defaults() -> dict[str, Any]:
    text = (resources.files("junheng.plan").joinpath("defaults").joinpath("quotas.toml")
            .read_text(encoding="utf-8"))
    return tomllib.loads(text)


DEFAULTS: dict[str, Any] = _load_defaults()


def _bad(name: str, expected: str, value: Any) -> ValueError:
    return ValueError(f"The '{name}' parameter of QuotaParameters must be {expected}. "
                      f"Got {value!r} instead.")


@dataclass(kw_only=True)
class QuotaParameters:
    """Rules of the quota split (名额分配); ``None`` takes the default of
    ``plan/defaults/quotas.toml`` (sources cited there)."""

    total_places: int  # the elite high school's places this year (招生计划), required
    share: float | None = None  # allocated to junior schools, (0, 1]; default 0.5
    rounding: str | None = None  # H = ceil / nearest / floor of share × places; default ceil
    method: str | None = None  # largest_remainder | sainte_lague | dhondt
    rural_tilt: float | None = None  # weight multiplier of rural schools, ≥ 1; default 1.2
    weak_tilt: float | None = None  # weight multiplier of weak schools, ≥ 1; default 1.2
    rural_locales: list[str] | None = None  # counted 农村; default ["town", "rural"]
    min_places: int | None = None  # per school with graduates; default 1
    min_mode: str | None = None  # "base" (保底 first) or "guarantee"; default base
    cap_at_cohort: bool = True  # never more places than the school's cohort
    include_private: bool = True  # private (民办) junior schools take part
    cohorts: dict[str, int] = field(default_factory=dict)  # school_id → graduates
    returned: dict[str, int] = field(default_factory=dict)  # home school → pupils returned
    returned_from: dict[str, int] = field(default_factory=dict)  # school they left → pupils
    excluded: list[str] = field(default_factory=list)  # schools left out
    weak_schools: list[str] | None = None  # None: parts failing the per-school standard

    def __post_init__(self) -> None:
        check_types(self)
        d = DEFAULTS
        defaults = {"share": d["share"]["default"], "rounding": d["share"]["rounding"],
                    "method": d["method"]["default"], "rural_tilt": d["tilt"]["rural"],
                    "weak_tilt": d["tilt"]["weak"],
                    "rural_locales": list(d["tilt"]["rural_locales"]),
                    "min_places": d["minimum"]["places"], "min_mode": d["minimum"]["mode"]}
        for key, value in defaults.items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        if self.total_places < 1:
            raise _bad("total_places", "an int in the range [1, inf)", self.total_places)
        share = float(self.share)  # type: ignore[arg-type]
        if not (math.isfinite(share) and 0 < share <= 1):
            raise _bad("share", "a float in the range (0, 1]", self.share)
        self.share = share
        if self.rounding not in ROUNDINGS:
            raise _bad("rounding", f"one of {list(ROUNDINGS)}", self.rounding)
        if self.method not in METHODS:
            raise _bad("method", f"one of {list(METHODS)}", self.method)
        for key in ("rural_tilt", "weak_tilt"):
            value = float(getattr(self, key))
            if not (math.isfinite(value) and value >= 1):
                raise _bad(key, "a float in the range [1, inf) (a tilt towards, never away)",
                           getattr(self, key))
            setattr(self, key, value)
        if not self.rural_locales or not set(self.rural_locales) <= set(LOCALES):
            raise _bad("rural_locales", f"a non-empty list drawn from {list(LOCALES)}",
                       self.rural_locales)
        if self.min_places < 0:  # type: ignore[operator]
            raise _bad("min_places", "an int in the range [0, inf)", self.min_places)
        if self.min_mode not in MIN_MODES:
            raise _bad("min_mode", f"one of {list(MIN_MODES)}", self.min_mode)
        for key in ("cohorts", "returned", "returned_from"):
            negative = {k: v for k, v in getattr(self, key).items() if v < 0}
            if negative:
                raise _bad(key, "a dict of school_id to counts in [0, inf)", negative)

    @property
    def allocated(self) -> int:
        """H: the places split among junior schools (``share × total_places``, rounded)."""
        exact = float(self.share) * self.total_places  # type: ignore[arg-type]
        if self.rounding == "ceil":
            return math.ceil(exact - 1e-9)
        if self.rounding == "floor":
            return math.floor(exact + 1e-9)
        return math.floor(exact + 0.5)


# --------------------------------------------------------------------- apportionment


@dataclass(frozen=True)
class Apportionment:
    """Whole places, the exact quotas they round, and the method's minimised criterion."""

    places: np.ndarray  # int
    exact: np.ndarray  # q_i
    objective: float
    method: str


def exact_quotas(weights: np.ndarray, total: int, lower: np.ndarray, upper: np.ndarray,
                 base: np.ndarray) -> np.ndarray:
    """q_i = clamp(b_i + λ w_i, l_i, u_i) with Σ q_i = total (精确份额).

    Σ q(λ) is nondecreasing and piecewise linear in λ ≥ 0 with breakpoints where a
    school reaches a bound; a binary search finds the segment, then λ is exact on it.
    Requires Σ l ≤ total ≤ Σ u and w > 0."""
    w = np.asarray(weights, float)
    lo = np.asarray(lower, float)
    hi = np.asarray(upper, float)
    b = np.asarray(base, float)

    def f(lam: float) -> float:
        return float(np.clip(b + lam * w, lo, hi).sum())

    t = np.concatenate([(lo - b) / w, (hi - b) / w])
    bp = np.unique(np.concatenate([[0.0], t[np.isfinite(t) & (t > 0)]]))
    if f(bp[-1]) <= total:
        k = len(bp) - 1
    else:  # largest k with f(bp[k]) ≤ total (f(bp[0]) = Σ l ≤ total)
        a, z = 0, len(bp) - 1
        while z - a > 1:
            mid = (a + z) // 2
            if f(bp[mid]) <= total:
                a = mid
            else:
                z = mid
        k = a
    lam0 = float(bp[k])
    probe = (lam0 + bp[k + 1]) / 2 if k + 1 < len(bp) else lam0 + 1.0
    x = b + probe * w
    free = (x > lo) & (x < hi)
    slope = float(w[free].sum())
    lam = lam0 if slope == 0 else lam0 + (total - f(lam0)) / slope
    return np.clip(b + lam * w, lo, hi)


def tie_ranks(cohorts: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Rank of each school in the tie-break order: larger cohort first, then school_id."""
    order = np.lexsort((np.asarray(ids, dtype=str), -np.asarray(cohorts, float)))
    ranks = np.empty(len(order), int)
    ranks[order] = np.arange(len(order))
    return ranks


def apportion(weights: np.ndarray, total: int, *, lower: np.ndarray | None = None,
              upper: np.ndarray | None = None, min_mode: str = "base",
              method: str = "largest_remainder", ranks: np.ndarray | None = None
              ) -> Apportionment:
    """Split ``total`` whole places by ``weights`` (> 0) within ``lower`` ≤ s ≤ ``upper``.

    ``ranks`` orders ties (0 wins; default: input order). Raises ValueError when the
    bounds cannot hold the total (the planner explains that first, in Chinese)."""
    w = np.asarray(weights, float)
    n = len(w)
    lo = np.zeros(n, int) if lower is None else np.asarray(lower, int)
    hi = np.full(n, np.inf) if upper is None else np.asarray(upper, float)
    rank = np.arange(n) if ranks is None else np.asarray(ranks, int)
    if method not in METHODS or min_mode not in MIN_MODES:
        raise ValueError(f"unknown method {method!r} or min_mode {min_mode!r}")
    if n == 0 or not np.all(np.isfinite(w) & (w > 0)):
        raise ValueError("apportion needs at least one school and positive finite weights")
    if np.any(hi < lo) or lo.sum() > total or hi.sum() < total:
        raise ValueError(f"bounds [{lo.sum()}, {hi.sum()}] cannot hold {total} places")
    base = lo.astype(float) if min_mode == "base" else np.zeros(n)
    q = exact_quotas(w, total, lo, hi, base)
    if method == "largest_remainder":
        s = _largest_remainder(q, total, lo, hi, rank)
        objective = float(np.abs(s - q).sum())
    else:
        s = _divisor(w, total, lo, hi, base, rank, 0.5 if method == "sainte_lague" else 1.0)
        e = s - base
        if method == "sainte_lague":
            objective = max(float((e ** 2 / w).sum() - e.sum() ** 2 / w.sum()), 0.0)
        else:
            objective = float((e * (e + 1) / (2 * w)).sum())
    return Apportionment(s.astype(int), q, objective, method)


def _largest_remainder(q: np.ndarray, total: int, lo: np.ndarray, hi: np.ndarray,
                       rank: np.ndarray) -> np.ndarray:
    s = np.clip(np.floor(q + 1e-9), lo, hi)
    frac = np.round(q - s, TIE_DECIMALS)
    left = int(total - s.sum())
    if left > 0:  # the largest remainders, ties by rank
        cand = np.flatnonzero(s < hi)
        s[cand[np.lexsort((rank[cand], -frac[cand]))][:left]] += 1
    elif left < 0:  # only from rounding noise: take back from the smallest remainders
        cand = np.flatnonzero(s > lo)
        s[cand[np.lexsort((-rank[cand], frac[cand]))][:-left]] -= 1
    return s


def _divisor(w: np.ndarray, total: int, lo: np.ndarray, hi: np.ndarray, base: np.ndarray,
             rank: np.ndarray, offset: float) -> np.ndarray:
    """Highest averages from the lower bounds: the next place to the largest
    w / (e + offset), e = places above the base (signposts e + ½ or e + 1)."""
    s = lo.astype(float).copy()
    heap = [(-round(w[i] / (s[i] - base[i] + offset), TIE_DECIMALS), int(rank[i]), i)
            for i in np.flatnonzero(s < hi)]
    heapq.heapify(heap)
    for _ in range(int(total - s.sum())):
        _, r, i = heapq.heappop(heap)
        s[i] += 1
        if s[i] < hi[i]:
            heapq.heappush(heap, (-round(w[i] / (s[i] - base[i] + offset), TIE_DECIMALS),
                                  r, i))
    return s


# --------------------------------------------------------------------- the county problem


@dataclass
class QuotaProblem:
    """Every junior school part of the year with its cohort, weight and bounds."""

    schools: pd.DataFrame  # one row per junior-stage school; ``status`` says who takes part
    allocated: int
    year: int


def _check_ids(params: QuotaParameters, known: set[str]) -> None:
    for key in ("cohorts", "returned", "returned_from", "excluded", "weak_schools"):
        value = getattr(params, key) or []
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"The '{key}' parameter of QuotaParameters names schools with no "
                             f"junior stage in the census: {unknown}.")


def graduates(census: Census, schools: pd.DataFrame, year: int) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """Graduating cohort (应届毕业生) per school and its source: the grade-9 classes of
    ``year`` where the classes sheet lists the school's junior classes, else
    students_junior / 3 rounded half up."""
    ids = schools["school_id"].astype(str)
    by_students = np.floor(pd.to_numeric(schools["students_junior"], errors="coerce")
                           .fillna(0).to_numpy(float) / 3 + 0.5)
    if census.has("classes"):
        cl = census["classes"]
        cl = cl[(cl["year"] == year).fillna(False) & (cl["stage"] == "junior").fillna(False)]
        listed = ids.isin(set(cl["school_id"].astype(str))).to_numpy()
        g9 = cl[(cl["grade"] == 9).fillna(False)]
        sizes = pd.to_numeric(g9["size"], errors="coerce").fillna(0)
        by_class = sizes.groupby(g9["school_id"].astype(str).to_numpy()).sum().reindex(
            ids).fillna(0).to_numpy(float)
    else:
        listed = np.zeros(len(ids), bool)
        by_class = np.zeros(len(ids))
    grads = np.where(listed, by_class, by_students)
    source = np.where(listed, "classes", "students_junior/3").astype(object)
    return grads, source


def build_problem(census: Census, params: QuotaParameters, year: int,
                  weak: dict[str, bool] | None, weak_basis: str) -> QuotaProblem:
    """Junior school parts, cohorts (with returned pupils), tilts, weights and bounds."""
    schools = census["schools"]
    schools = schools[schools["type"].isin(JUNIOR_TYPES).fillna(False)]
    _check_ids(params, set(schools["school_id"].astype(str)))
    years = census["school_years"]
    rows = years[(years["year"] == year).fillna(False)][["school_id", "students_junior"]]
    frame = schools[["school_id", "name", "township", "type", "ownership", "locale"]].merge(
        rows, on="school_id", how="left", indicator=True)
    frame["school_id"] = frame["school_id"].astype(str)
    has_year = (frame.pop("_merge") == "both").to_numpy()
    grads, source = graduates(census, frame, year)
    override = frame["school_id"].map(params.cohorts)
    given = override.notna().to_numpy()
    grads = np.where(given, override.fillna(0).to_numpy(float), grads)
    source[given] = "override"
    ret_in = frame["school_id"].map(params.returned).fillna(0).to_numpy(float)
    ret_out = frame["school_id"].map(params.returned_from).fillna(0).to_numpy(float)
    urban_home = sorted(frame.loc[(ret_in > 0) & (frame["locale"] == "urban").to_numpy(),
                                  "school_id"])
    if urban_home:
        raise ValueError("The 'returned' parameter of QuotaParameters counts pupils at their "
                         f"rural home school (回流到原学籍所在地农村初中); {urban_home} are "
                         "urban schools.")
    over = sorted(frame.loc[ret_out > grads + ret_in, "school_id"])
    if over:
        raise ValueError("The 'returned_from' parameter of QuotaParameters takes more pupils "
                         f"from {over} than their graduating cohort.")
    if sum(params.returned_from.values()) > sum(params.returned.values()):
        raise ValueError("The 'returned_from' parameter of QuotaParameters must not exceed "
                         f"'returned' in total. Got {sum(params.returned_from.values())} > "
                         f"{sum(params.returned.values())} instead.")
    cohort = grads + ret_in - ret_out
    status = np.full(len(frame), "included", dtype=object)
    status[cohort <= 0] = "no_graduates"
    status[~has_year & ~given] = "no_year_data"
    if not params.include_private:
        status[(frame["ownership"] == "private").fillna(False).to_numpy()] = "private"
    status[frame["school_id"].isin(params.excluded).to_numpy()] = "excluded"
    rural = frame["locale"].isin(params.rural_locales).fillna(False).to_numpy()
    if params.weak_schools is not None:
        is_weak = frame["school_id"].isin(params.weak_schools).to_numpy()
        basis = np.full(len(frame), "override", dtype=object)
    else:
        weak = weak or {}
        is_weak = frame["school_id"].map(weak).fillna(False).astype(bool).to_numpy()
        basis = np.where(frame["school_id"].isin(list(weak)).to_numpy(), weak_basis,
                         "not_evaluated").astype(object)
    tilt = (np.where(rural, params.rural_tilt, 1.0) *  # type: ignore[arg-type]
            np.where(is_weak, params.weak_tilt, 1.0))  # type: ignore[arg-type]
    inc = status == "included"
    minimum = np.full(len(frame), float(params.min_places))  # type: ignore[arg-type]
    if params.cap_at_cohort:
        minimum = np.minimum(minimum, cohort)
    frame = frame.assign(
        rural=rural, weak=is_weak, weak_basis=basis, graduates=grads, cohort_source=source,
        returned=ret_in, returned_from=ret_out, cohort=np.where(inc, cohort, 0.0),
        tilt=tilt, weight=np.where(inc, cohort * tilt, 0.0),
        minimum=np.where(inc, minimum, 0.0),
        upper=np.where(inc, cohort if params.cap_at_cohort else np.inf, 0.0), status=status)
    frame = frame.sort_values(["township", "school_id"], na_position="last").reset_index(
        drop=True)
    return QuotaProblem(frame, params.allocated, year)


def precheck(problem: QuotaProblem, params: QuotaParameters) -> None:
    """Raise InfeasibleError, with the numbers, when no split can keep the rules."""
    t = problem.schools
    inc = t[t["status"] == "included"]
    H = problem.allocated
    if inc.empty:
        counts = t["status"].value_counts().to_dict()
        raise InfeasibleError(
            [f"{problem.year} 年没有可参与名额分配的初中学校（有应届毕业生、未排除的初中学段"
             f"为 0 所；初中学段学校 {len(t)} 所，状态：{counts}）"],
            [f"no junior school can take part in {problem.year} (0 junior school parts with "
             f"a graduating cohort and not excluded; {len(t)} junior schools, status: "
             f"{counts})"])
    reasons, reasons_en = [], []
    need = int(inc["minimum"].sum())
    if need > H:
        reasons.append(
            f"保底名额无法满足：{len(inc)} 所学校各保底 {params.min_places} 个共需 {need} 个，"
            f"超过分配名额 {H} 个（招生计划 {params.total_places} × 分配比例 "
            f"{params.share:.0%}）{need - H} 个；可降低 min_places 或提高分配比例")
        reasons_en.append(
            f"minimums cannot be kept: {len(inc)} schools × {params.min_places} place(s) "
            f"need {need}, {need - H} more than the {H} places allocated "
            f"({params.total_places} × {params.share:.0%}); lower min_places or raise share")
    most = float(inc["upper"].sum())
    if most < H:
        reasons.append(
            f"分配名额 {H} 个多于参与学校应届毕业生总数 {int(most)} 人（每校名额不超过其毕业生数）"
            f"{H - int(most)} 个；可降低分配比例或设 cap_at_cohort=False")
        reasons_en.append(
            f"{H} places allocated exceed the {int(most)} graduates of the schools taking "
            f"part by {H - int(most)} (no school gets more places than graduates); lower "
            f"share or set cap_at_cohort=False")
    if reasons:
        raise InfeasibleError(reasons, reasons_en)


# --------------------------------------------------------------------- the plan


def _weakness(ev: Evaluation) -> dict[str, bool]:
    """Junior parts failing the per-school standard (薄弱学校) in the evaluation."""
    stage = ev.stages.get("junior")
    if stage is None:
        return {}
    return {str(p.school_id): p.passes is False for p in stage.schools}


def _rule_min_share(standard: str) -> float | None:
    for name in (standard, "quality-2017"):
        try:
            checks = load_rules(name).checks
        except (FileNotFoundError, ValueError):  # an unknown standard: quality-2017's rule
            continue
        for check in checks:
            if check.get("key") == "quota_allocation":
                return float(check["min"]["quota_allocation_share"])
    return None


def solve_quotas(census: Census, params: QuotaParameters | None = None, *,
                 options: SolveOptions | None = None, year: int | None = None,
                 evaluate_after: bool = True, standard: str = "quality-2017") -> PlanResult:
    """Split the allocated places of an elite high school among junior schools.

    See the module docstring for the formulation. ``options`` are recorded (the
    methods are exact and take milliseconds); ``standard`` decides which schools
    are weak (their junior part fails its per-school standard) unless
    ``params.weak_schools`` names them. The census does not change, so
    ``before`` and ``after`` are the same evaluation summary."""
    if params is None:
        raise ValueError("solve_quotas needs QuotaParameters(total_places=…): the elite high "
                         "school's places this year (招生计划).")
    options = options or SolveOptions()
    year = year or max(census.years)
    ev = None
    if evaluate_after or params.weak_schools is None:
        ev = evaluate(census, standard, year=year)
    weak = _weakness(ev) if ev is not None else None
    problem = build_problem(census, params, year, weak, standard)
    precheck(problem, params)
    t0 = time.perf_counter()
    t = problem.schools
    inc = (t["status"] == "included").to_numpy()
    sub = t[inc]
    res = apportion(sub["weight"].to_numpy(float), problem.allocated,
                    lower=sub["minimum"].to_numpy(int), upper=sub["upper"].to_numpy(float),
                    min_mode=params.min_mode,  # type: ignore[arg-type]
                    method=params.method,  # type: ignore[arg-type]
                    ranks=tie_ranks(sub["cohort"].to_numpy(float), sub["school_id"].to_numpy()))
    seconds = time.perf_counter() - t0
    places = np.zeros(len(t), int)
    exact = np.zeros(len(t))
    places[inc] = res.places
    exact[inc] = res.exact
    t = t.assign(places=places, exact_quota=exact)
    dev = np.abs(res.places - res.exact)
    method_zh, method_en = METHODS[res.method]
    crit_zh, crit_en = CRITERIA[res.method]
    report = SolveReport("optimal", res.objective, res.objective, 0.0, seconds, method_en,
                         detail={"method_zh": method_zh, "criterion": crit_en,
                                 "criterion_zh": crit_zh,
                                 "max_abs_deviation": round(float(dev.max()), 6),
                                 "sum_abs_deviation": round(float(dev.sum()), 6)})
    parameters = {**asdict(params), "places": problem.allocated,
                  "time_limit": options.time_limit, "mip_gap": options.mip_gap,
                  "seed": options.seed, "year": year, "standard": standard,
                  "defaults_version": DEFAULTS["version"]}
    table = _table(t)
    actions = [_action(row, params) for row in table if row["status"] == "included"]
    extra = {"table": table, "table_columns": TABLE_COLUMNS,
             "summary": _summary(t, problem, params, standard, report)}
    before = after = evaluation_summary(ev) if (evaluate_after and ev is not None) else None
    return PlanResult("quotas", report, parameters, actions, before, after, extra,
                      ev if evaluate_after else None)


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(float(x), 6)


def _table(t: pd.DataFrame) -> list[dict[str, Any]]:
    """The publishable table: one row per junior school, JSON-ready."""
    rows = []
    for r in t.to_dict("records"):
        cohort = float(r["cohort"])
        rows.append({
            "school_id": r["school_id"], "name": r["name"],
            "township": None if pd.isna(r["township"]) else str(r["township"]),
            "locale": None if pd.isna(r["locale"]) else str(r["locale"]),
            "rural": bool(r["rural"]), "weak": bool(r["weak"]),
            "weak_basis": r["weak_basis"], "graduates": _num(r["graduates"]),
            "cohort_source": r["cohort_source"], "returned": _num(r["returned"]),
            "returned_from": _num(r["returned_from"]), "cohort": _num(cohort),
            "weight": round(float(r["weight"]), 6), "minimum": int(r["minimum"]),
            "exact_quota": round(float(r["exact_quota"]), 6), "places": int(r["places"]),
            "places_per_100": round(100 * int(r["places"]) / cohort, 3) if cohort > 0
            else None,
            "status": r["status"], "status_zh": STATUS_TEXT[r["status"]][0]})
    return rows


def _action(row: dict[str, Any], params: QuotaParameters) -> dict[str, Any]:
    src_zh, src_en = COHORT_SOURCES[row["cohort_source"]]
    tilts_zh, tilts_en = [], []
    if row["rural"]:
        tilts_zh.append(f"农村学校系数 {params.rural_tilt}")
        tilts_en.append(f"rural tilt {params.rural_tilt}")
    if row["weak"]:
        tilts_zh.append(f"薄弱学校系数 {params.weak_tilt}")
        tilts_en.append(f"weak-school tilt {params.weak_tilt}")
    ret_zh = ret_en = ""
    if row["returned"] or row["returned_from"]:
        ret_zh = f"，回流转入 {row['returned']} 人、转出 {row['returned_from']} 人"
        ret_en = f", {row['returned']} returned in, {row['returned_from']} left"
    method_zh, method_en = METHODS[params.method]  # type: ignore[index]
    return {
        "type": "quota", "school_id": row["school_id"], "name": row["name"],
        "places": row["places"], "cohort": row["cohort"], "exact_quota": row["exact_quota"],
        "minimum": row["minimum"], "weight": row["weight"],
        "reason": (f"应届毕业生 {row['graduates']} 人（{src_zh}）{ret_zh}，计 {row['cohort']} 人；"
                   f"{'，'.join(tilts_zh) if tilts_zh else '无倾斜系数'}，权重 {row['weight']}；"
                   f"保底 {row['minimum']} 个，精确份额 {row['exact_quota']:.3f}，"
                   f"{method_zh}取整得 {row['places']} 个名额"),
        "reason_en": (f"{row['graduates']} graduates ({src_en}){ret_en}, counted "
                      f"{row['cohort']}; {', '.join(tilts_en) if tilts_en else 'no tilt'}, "
                      f"weight {row['weight']}; minimum {row['minimum']}, exact quota "
                      f"{row['exact_quota']:.3f}, {method_en} gives {row['places']} places"),
    }


def _summary(t: pd.DataFrame, problem: QuotaProblem, params: QuotaParameters, standard: str,
             report: SolveReport) -> dict[str, Any]:
    inc = t[t["status"] == "included"]
    rule_min = _rule_min_share(standard)
    share = problem.allocated / params.total_places

    def per_100(mask: pd.Series) -> float | None:
        c = float(inc.loc[mask, "cohort"].sum())
        return round(100 * float(inc.loc[mask, "places"].sum()) / c, 3) if c > 0 else None

    rural_rate, other_rate = per_100(inc["rural"]), per_100(~inc["rural"])
    return {
        "total_places": params.total_places, "allocated_places": problem.allocated,
        "allocated_share": round(share, 6), "rule_min_share": rule_min,
        "share_meets_rule": None if rule_min is None else bool(share >= rule_min - 1e-12),
        "schools_included": len(inc), "graduates": _num(float(inc["cohort"].sum())),
        "returned": _num(float(t["returned"].sum())),
        "returned_from": _num(float(t["returned_from"].sum())),
        "rural_places_per_100": rural_rate, "other_places_per_100": other_rate,
        "rural_tilt_held": None if rural_rate is None or other_rate is None
        else bool(rural_rate >= other_rate),
        "weak_places_per_100": per_100(inc["weak"]),
        "method": params.method, "method_zh": report.detail["method_zh"],
        "min_mode": params.min_mode,
        "tie_break_zh": "余数（或商）相同（精确到小数点后9位）时，应届毕业生多的学校优先，"
                        "再按学校标识码从小到大",
        "tie_break_en": "equal remainders (or quotients, to 9 decimals) go to the larger "
                        "cohort, then the smaller school_id",
    }
