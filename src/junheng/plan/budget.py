"""Budget planner (经费预算规划, 雪中送炭): where this year's capital money goes.

Given unit costs (per m² of teaching space, per m² of sports ground, per yuan of
equipment, per multimedia room, per computer, per book) and a budget, choose the
investments per school that bring the most school parts (学校学段) up to the
per-school rule of the standard, then lower the difference coefficients most,
the weakest schools first (mechanisms.md §6: "雪中送炭，不搞锦上添花"), then
spend the least. Which items count is read from the rule file: the numerators of
its facility indicators that the defaults file ``plan/defaults/budget.toml``
prices (quality-2017: teaching space, sports space, equipment, multimedia rooms;
basic-2012 also computers and books). Teacher indicators cannot be bought: they
stay as they are.

Model (S schools, I items, parts p of school s(p) with split share σ_p
(parts.py, 1 : 1.1 : 1.32), indicators k, the item i(k) that raises k, current
amount A_pk and standard amount N_pk = standard_k × pupils_p / scale_k)::

    q_si ≥ 0          quantity bought (integer for rooms, computers, books;
                      continuous m² and yuan, rounded up afterwards)
    q_si ≤ u_si       per-school limits: land for sports grounds, building share,
                      multimedia rooms per class, max_items overrides
    Σ c_i q_si ≤ B − r                      budget (r: reserve for the rounding)
    A_pk + σ_p q_s(p)i(k) ≥ N_pk y_pk        y_pk = 1: part p meets standard k
    A_pk + σ_p q_s(p)i(k) ≥ 0.85 N_pk z_p    a passing part has every indicator ≥ 85 %
    Σ_k y_pk + (standards met already) ≥ 6 z_p      "≥ 6 of 7" (numbers from the rule file)
    σ_p q · scale_k / (P_p x̄_k) + Σ_j d_pkj ≥ 1 − x_pk / x̄_k,   0 ≤ d_pkj ≤ 1/J

solved lexicographically on HiGHS: (1) max Σ z_p, the parts passing; (2) min
Σ w_p (2j + 1)/J d_pkj, a piecewise-linear convex proxy of the pupil-weighted
squared shortfall below the county mean x̄_k (w_p = pupils_p / pupils of the
stage) — the lower half of the variance behind the coefficient, whose marginal
value per yuan grows with the shortfall, so the weakest come first; (3) min
cost, a tidy-up with the pass/meet decisions of (2) fixed and a relative gap of at
least 0.1 % (see ``_lexicographic``). Each stage keeps the previous stages' best
values.

The result's ``objective``/``bound`` are stage (1)'s, in parts passing (stage (2)'s
proxy when no part can pass or the standard has no per-school rule); ``gap`` is the
largest stage gap.

Also reported: the cost to bring every part that can pass up to the rule (a
MIP without the budget; the parts that cannot, and why: teacher standards or
limits), and the marginal value of the budget (stages 1–2 re-solved at
budget + step: parts gained and coefficients moved per extra million).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from junheng.data.census import Census
from junheng.evaluate import Evaluation, evaluate
from junheng.evaluate.metrics import weighted_cv
from junheng.evaluate.parts import school_parts
from junheng.evaluate.resource import indicator_values
from junheng.evaluate.texts import stage_name
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
from junheng.standards.loader import Rules

MILLION = 1_000_000.0
POLISH_GAP = 1e-3  # relative gap of the least-cost stage (a tidy-up, see _lexicographic)


@cache
def budget_defaults() -> dict[str, Any]:
    """The versioned defaults file ``plan/defaults/budget.toml`` (unit costs, limits, budget)."""
    text = resources.files("junheng.plan").joinpath("defaults", "budget.toml").read_text(
        encoding="utf-8")
    return tomllib.loads(text)


def _class_cap() -> dict[str, int]:
    """Class-size caps of quality-2017 (to estimate a missing class count)."""
    checks = {c["key"]: c for c in load_rules("quality-2017").checks}
    return {k: int(v) for k, v in checks["class_size"]["max"].items()}


def _bad(name: str, rule: str, value: Any) -> ValueError:
    return ValueError(f"The '{name}' parameter of BudgetParameters must be {rule}. "
                      f"Got {value!r} instead.")


@dataclass
class BudgetParameters:
    """Rules of the budget plan; ``None`` takes the value of ``plan/defaults/budget.toml``."""

    budget: float | None = None  # yuan; default file: 10,000,000 (an assumption, set yours)
    unit_costs: dict[str, float] = field(default_factory=dict)  # item -> yuan per unit
    items: list[str] | None = None  # items that may be bought; None: all the standard uses
    max_building_area_added: dict[str, float] = field(default_factory=dict)  # school -> m²
    building_share: float | None = None  # default limit: share of current teaching area
    max_sports_area_added: dict[str, float] = field(default_factory=dict)  # school -> m² (land)
    sports_share: dict[str, float] = field(default_factory=dict)  # locale -> share of current
    multimedia_per_class: float | None = None  # most multimedia rooms per class after
    max_items: dict[str, dict[str, float]] = field(default_factory=dict)  # item -> school -> qty
    exclude_schools: list[str] = field(default_factory=list)  # schools that get nothing
    marginal: bool = True  # re-solve at budget + marginal_step
    marginal_step: float | None = None  # yuan; default file: 1,000,000
    compliance: bool = True  # cost to bring every part that can pass up to the rule
    proxy_segments: int = 4  # pieces of the convex shortfall proxy (stage 2)

    def __post_init__(self) -> None:
        check_types(self)
        cfg = budget_defaults()
        known = cfg["items"]
        if self.budget is None:
            self.budget = float(cfg["budget"]["default"])
        if self.marginal_step is None:
            self.marginal_step = float(cfg["budget"]["marginal_step"])
        if self.building_share is None:
            self.building_share = float(cfg["limits"]["building_share"])
        self.sports_share = {**cfg["limits"]["sports_share"], **self.sports_share}
        if self.multimedia_per_class is None:
            self.multimedia_per_class = float(cfg["limits"]["multimedia_per_class"])
        self.unit_costs = {**{k: float(v["unit_cost"]) for k, v in known.items()},
                           **{k: float(v) for k, v in self.unit_costs.items()}}
        if not (math.isfinite(self.budget) and self.budget >= 0):
            raise _bad("budget", "a finite number of yuan >= 0", self.budget)
        if not (math.isfinite(self.marginal_step) and self.marginal_step > 0):
            raise _bad("marginal_step", "a number of yuan > 0", self.marginal_step)
        for name in ("unit_costs", "max_items"):
            unknown = sorted(set(getattr(self, name)) - set(known))
            if unknown:
                raise _bad(name, f"keyed by items among {sorted(known)}", unknown)
        if self.items is not None and set(self.items) - set(known):
            raise _bad("items", f"a list of items among {sorted(known)}", self.items)
        for item, cost in self.unit_costs.items():
            if not (math.isfinite(cost) and cost > 0):
                raise _bad(f"unit_costs[{item}]", "a number of yuan > 0", cost)
        if not 0 <= self.building_share:
            raise _bad("building_share", "a share >= 0", self.building_share)
        if any(not v >= 0 for v in self.sports_share.values()):
            raise _bad("sports_share", "shares >= 0 by locale", self.sports_share)
        if not self.multimedia_per_class >= 0:
            raise _bad("multimedia_per_class", "a number >= 0", self.multimedia_per_class)
        for name in ("max_building_area_added", "max_sports_area_added"):
            if any(not v >= 0 for v in getattr(self, name).values()):
                raise _bad(name, "quantities >= 0 by school", getattr(self, name))
        for item, limits in self.max_items.items():
            if any(not v >= 0 for v in limits.values()):
                raise _bad(f"max_items[{item}]", "quantities >= 0 by school", limits)
        if self.proxy_segments < 1:
            raise _bad("proxy_segments", "an int in the range [1, inf)", self.proxy_segments)


# --------------------------------------------------------------------------- the problem


@dataclass
class BudgetProblem:
    """Schools that can receive money, their parts, items, limits and indicator amounts."""

    rules: Rules
    year: int
    schools: pd.DataFrame  # school_id, name, locale, current item amounts, classes
    parts: pd.DataFrame  # school_id, name, stage, students, share, school (row in schools)
    items: list[str]
    unit_cost: np.ndarray  # (I,)
    integer: np.ndarray  # (I,) bool
    granularity: np.ndarray  # (I,)
    ub: np.ndarray  # (S, I) most that may be bought; inf = no limit
    indicators: list[Any]  # rules.indicators
    item_of: np.ndarray  # (K,) item index raising indicator k, −1 when it cannot be bought
    value: np.ndarray  # (P, K) current indicator value (NaN unknown)
    amount: np.ndarray  # (P, K) current amount behind the value (value × pupils / scale)
    standard: np.ndarray  # (P, K) per-school standard (NaN when the stage has none)
    need: np.ndarray  # (P, K) standard amount
    mean: np.ndarray  # (P, K) county mean of the part's stage (the proxy's centre)
    weight: np.ndarray  # (P,) pupils / pupils of the stage
    rule: dict[str, Any] | None  # min_met, remainder_share
    assessable: np.ndarray  # (P,) the per-school rule applies and every value is known
    passes_before: np.ndarray  # (P,) object: True / False / None
    passable: np.ndarray  # (P,) bool: can pass with unlimited money under the limits
    blockers: list[tuple[list[str], list[str]]]  # (zh, en) reasons per part


def _margin(n: np.ndarray | float) -> np.ndarray | float:
    """Slack above a standard amount so that HiGHS' tolerances never leave a part at 99.99999 %."""
    return 1e-5 + 1e-9 * np.abs(n)


def build_problem(census: Census, params: BudgetParameters, year: int,
                  standard: str = "quality-2017") -> BudgetProblem:
    """School parts in scope, their indicator amounts and standards, items and limits."""
    rules = load_rules(standard)
    cfg = budget_defaults()["items"]
    parts, _ = school_parts(census, rules, year)
    if parts.empty:
        raise InfeasibleError([f"{year} 年没有纳入评估范围的学校，无处投入经费"],
                              [f"no school in the evaluation's scope in {year}: nowhere to "
                               f"invest"])
    parts = parts.reset_index(drop=True)
    wanted = params.items if params.items is not None else list(cfg)
    items = [ind.numerator for ind in rules.indicators
             if not ind.per_stage_column and ind.numerator in wanted]
    items = list(dict.fromkeys(items))
    if not items:
        raise InfeasibleError(
            [f"标准 {rules.id} 的指标中没有可用经费购置的项目（可选：{', '.join(wanted)}）"],
            [f"no indicator of standard {rules.id} can be raised by buying one of "
             f"{', '.join(wanted)}"])
    known_ids = set(census["schools"]["school_id"])
    for name in ("max_building_area_added", "max_sports_area_added", "exclude_schools"):
        unknown = sorted(set(getattr(params, name)) - known_ids)
        if unknown:
            raise _bad(name, "keyed by school_id of the schools sheet", unknown)
    for item, limits in params.max_items.items():
        unknown = sorted(set(limits) - known_ids)
        if unknown:
            raise _bad(f"max_items[{item}]", "keyed by school_id of the schools sheet", unknown)

    # one row per school with at least one part in scope
    sids = list(dict.fromkeys(parts["school_id"]))
    years = census["school_years"]
    rows = years[years["year"] == year].drop_duplicates("school_id").set_index("school_id")
    rows = rows.reindex(sids)
    info = census["schools"].drop_duplicates("school_id").set_index("school_id").reindex(sids)
    schools = pd.DataFrame({"school_id": sids, "name": info["name"].to_numpy(),
                            "locale": info["locale"].astype(object).to_numpy()})
    for item in items:
        schools[item] = _floats(rows[item]) if item in rows else np.nan
    cap = _class_cap()
    classes = np.zeros(len(sids))
    for stage in ("primary", "junior", "senior"):
        pupils = _floats(rows.get(f"students_{stage}", pd.Series(index=rows.index,
                                                                 dtype=float)))
        given = _floats(rows[f"classes_{stage}"]) if f"classes_{stage}" in rows else \
            np.full(len(sids), np.nan)
        estimate = np.ceil(np.nan_to_num(pupils) / cap.get(stage, cap["junior"]) - 1e-9)
        classes += np.where(np.isnan(given), estimate, given)
    schools["classes"] = classes
    school_of = pd.Index(sids).get_indexer(parts["school_id"])
    parts["school"] = school_of

    # limits
    S = len(sids)
    ub = np.full((S, len(items)), np.inf)
    for i, item in enumerate(items):
        current = schools[item].to_numpy(float)
        if item == "teaching_aux_area":
            default = params.building_share * current
            override = params.max_building_area_added
        elif item == "sports_area":
            share = schools["locale"].map(params.sports_share).astype(float).to_numpy()
            default = np.nan_to_num(share, nan=0.0) * current
            override = params.max_sports_area_added
        elif item == "multimedia_classrooms":
            default = np.maximum(np.floor(params.multimedia_per_class * classes + 1e-9)
                                 - current, 0.0)
            override = {}
        else:
            default = np.full(S, np.inf)
            override = {}
        override = {**override, **params.max_items.get(item, {})}
        given = np.array([override.get(s, np.nan) for s in sids], float)
        col = np.where(np.isnan(given), default, given)
        col[np.isnan(current)] = 0.0  # an unknown amount cannot be topped up
        gran = float(cfg[item]["granularity"])
        col = np.floor(col / gran + 1e-9) * gran  # rounding up never passes the limit
        ub[:, i] = col
    ub[np.isin(sids, params.exclude_schools), :] = 0.0

    # indicators
    inds = list(rules.indicators)
    P, K = len(parts), len(inds)
    students = parts["students"].to_numpy(float)
    stages = parts["stage"].to_numpy()
    value = np.full((P, K), np.nan)
    standard_ = np.full((P, K), np.nan)
    mean = np.full((P, K), np.nan)
    item_of = np.full(K, -1)
    for k, ind in enumerate(inds):
        value[:, k] = indicator_values(parts, ind).to_numpy(float)
        standard_[:, k] = pd.Series(stages).map(ind.standard).to_numpy(float)
        if not ind.per_stage_column and ind.numerator in items:
            item_of[k] = items.index(ind.numerator)
        for st in np.unique(stages):
            on = (stages == st) & ~np.isnan(value[:, k])
            if on.any():
                mean[stages == st, k] = weighted_cv(value[on, k], students[on]).mean
    scale = np.array([ind.scale for ind in inds])
    amount = value * students[:, None] / scale
    need = standard_ * students[:, None] / scale
    weight = students / pd.Series(students).groupby(stages).transform("sum").to_numpy()

    rule = rules.school_rule
    has_std = ~np.isnan(standard_).any(axis=1)
    assessable = has_std & ~np.isnan(value).any(axis=1) & (rule is not None)
    passes_before = np.full(P, None, dtype=object)
    passable = np.zeros(P, bool)
    blockers: list[tuple[list[str], list[str]]] = [([], []) for _ in range(P)]
    if rule is not None:
        floor = float(rule["remainder_share"])
        allowed = K - int(rule["min_met"])
        ratio = value / standard_
        met = ratio >= 1.0
        passes_before = np.where(assessable, ((~met).sum(1) <= allowed) &
                                 np.all(met | (ratio >= floor), axis=1), None)
        # best reachable amount with unlimited money under the limits
        best = amount.copy()
        buy = item_of >= 0
        share = parts["share"].to_numpy(float)
        extra = share[:, None] * ub[school_of][:, item_of[buy]]
        best[:, buy] = amount[:, buy] + extra
        can_meet = best >= need + _margin(need)
        can_meet |= met
        can_floor = (best >= floor * need + _margin(floor * need)) | (ratio >= floor)
        passable = assessable & ((~can_meet).sum(1) <= allowed) & can_floor.all(1)
        for p in np.flatnonzero(assessable & ~passable):
            blockers[p] = _why_not(p, parts, inds, items, item_of, value, standard_, best,
                                   students, can_meet, can_floor, floor, allowed, ub, cfg)
        for p in np.flatnonzero(has_std & ~assessable):
            blockers[p] = (["部分指标数据缺失，无法评估该学段"],
                           ["some indicator data are missing: the part cannot be assessed"])
    return BudgetProblem(
        rules=rules, year=year, schools=schools, parts=parts, items=items,
        unit_cost=np.array([params.unit_costs[i] for i in items], float),
        integer=np.array([bool(cfg[i]["integer"]) for i in items]),
        granularity=np.array([float(cfg[i]["granularity"]) for i in items]),
        ub=ub, indicators=inds, item_of=item_of, value=value, amount=amount,
        standard=standard_, need=need, mean=mean, weight=weight, rule=rule,
        assessable=assessable, passes_before=passes_before, passable=passable,
        blockers=blockers)


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype("Float64").to_numpy(
        dtype=float, na_value=np.nan)


def _why_not(p: int, parts: pd.DataFrame, inds: list[Any], items: list[str],
             item_of: np.ndarray, value: np.ndarray, standard: np.ndarray, best: np.ndarray,
             students: np.ndarray, can_meet: np.ndarray, can_floor: np.ndarray, floor: float,
             allowed: int, ub: np.ndarray, cfg: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Which standards a part cannot reach even with unlimited money, and why."""
    zh: list[str] = []
    en: list[str] = []
    school = int(parts.at[p, "school"])
    for k in np.flatnonzero(~can_meet[p]):
        ind = inds[k]
        reach = best[p, k] / students[p] * ind.scale
        if item_of[k] < 0:
            why_zh, why_en = "教师指标，不能用经费购置", "a teacher indicator: money cannot buy it"
        else:
            item = items[item_of[k]]
            limit = ub[school, item_of[k]]
            unit = cfg[item]["unit"]
            why_zh = f"受学校限额约束，{cfg[item]['name_zh']}最多增加 {limit:,.2f} {unit}"
            why_en = f"the school's limit allows at most {limit:,.2f} {unit} more " \
                     f"{cfg[item]['name_en']}"
        level = "低于85%底线" if not can_floor[p, k] else "不能达标"
        zh.append(f"{ind.name_zh} 现为 {value[p, k]:.2f}，最多可达 {reach:.2f}，标准 "
                  f"{standard[p, k]:g}（{level}；{why_zh}）")
        en.append(f"{ind.name_en} is {value[p, k]:.2f}, at most {reach:.2f} reachable, "
                  f"standard {standard[p, k]:g} ("
                  f"{'below the 85 % floor' if not can_floor[p, k] else 'not met'}; {why_en})")
    if can_floor[p].all():
        missing = int((~can_meet[p]).sum())
        zh.append(f"共 {missing} 项不能达标，规则只允许 {allowed} 项未达标")
        en.append(f"{missing} standards cannot be met; the rule allows {allowed}")
    return zh, en


# --------------------------------------------------------------------------- the model


@dataclass
class _Model:
    A: sp.csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integer: np.ndarray
    n_q: int
    z_parts: np.ndarray  # part index of each z column
    y_pairs: np.ndarray  # (n, 2) part, indicator of each y column
    d_pairs: np.ndarray  # (n, 2) part, indicator of each proxy segment column
    c_pass: np.ndarray
    c_proxy: np.ndarray
    c_cost: np.ndarray
    budget_row: int | None
    reserve: float
    segments: int


def build_model(problem: BudgetProblem, params: BudgetParameters, *, budget: float | None,
                proxy: bool = True, force_pass: bool = False) -> _Model:
    """Columns [q (schools × items) | z (passable parts) | y (part × standard) | d (proxy)].

    ``budget=None`` drops the budget row; ``force_pass`` fixes every passable part to pass
    (the full-compliance model); ``proxy=False`` drops the coefficient proxy."""
    pr = problem
    S, n_items = pr.ub.shape
    P, K = pr.value.shape
    school = pr.parts["school"].to_numpy()
    share = pr.parts["share"].to_numpy(float)
    n_q = S * n_items
    zp = np.flatnonzero(pr.passable)
    z_col = -np.ones(P, int)
    z_col[zp] = n_q + np.arange(zp.size)
    buy = pr.item_of >= 0
    with np.errstate(invalid="ignore"):
        met_now = pr.value >= pr.standard
    if pr.rule is not None:
        floor = float(pr.rule["remainder_share"])
        min_met = int(pr.rule["min_met"])
        reach = pr.amount.copy()
        reach[:, buy] += share[:, None] * pr.ub[school][:, pr.item_of[buy]]
        with np.errstate(invalid="ignore"):
            ypair = (pr.passable[:, None] & buy[None, :] & ~met_now
                     & (reach >= pr.need + _margin(pr.need)))
            low = pr.passable[:, None] & buy[None, :] & (pr.value < floor * pr.standard)
    else:
        floor, min_met = 0.0, 0
        ypair = np.zeros((P, K), bool)
        low = np.zeros((P, K), bool)
    yp, yk = np.nonzero(ypair)
    n_y = yp.size
    y0 = n_q + zp.size
    if proxy:
        with np.errstate(invalid="ignore", divide="ignore"):
            short = 1.0 - pr.value / pr.mean
        dmask = buy[None, :] & (pr.mean > 0) & (short > 1e-12) & ~np.isnan(short)
    else:
        dmask = np.zeros((P, K), bool)
    dp, dk = np.nonzero(dmask)
    J = params.proxy_segments
    d0 = y0 + n_y
    n_d = dp.size * J
    n = d0 + n_d

    rows = Rows()
    cont = ~pr.integer
    # rounding every continuous quantity up by one granule can cost at most this much
    can_buy = pr.ub > 0
    reserve = float((can_buy[:, cont] * (pr.unit_cost * pr.granularity)[cont]).sum()) + 1.0
    reserve += 1e-9 * (budget or 0.0)
    cost = np.tile(pr.unit_cost, S)
    budget_row = None
    if budget is not None:
        budget_row = rows.count
        rows.add(np.zeros(n_q, int), np.arange(n_q), cost, np.array([-np.inf]),
                 np.array([max(budget - reserve, 0.0)]))
    q_of = school * n_items  # + item index
    if n_y:
        # A + σ q ≥ (N + margin) y
        need = pr.need[yp, yk] + _margin(pr.need[yp, yk])
        rows.add(np.concatenate([np.arange(n_y), np.arange(n_y)]),
                 np.concatenate([q_of[yp] + pr.item_of[yk], y0 + np.arange(n_y)]),
                 np.concatenate([share[yp], -need]), -pr.amount[yp, yk], np.full(n_y, np.inf))
    lp_, lk_ = np.nonzero(low)
    if lp_.size:
        # A + σ q ≥ (0.85 N + margin) z
        fneed = floor * pr.need[lp_, lk_]
        fneed = fneed + _margin(fneed)
        m = lp_.size
        rows.add(np.concatenate([np.arange(m), np.arange(m)]),
                 np.concatenate([q_of[lp_] + pr.item_of[lk_], z_col[lp_]]),
                 np.concatenate([share[lp_], -fneed]), -pr.amount[lp_, lk_], np.full(m, np.inf))
    if zp.size:
        # Σ_k y_pk − min_met z_p ≥ − (standards met already)
        pos = -np.ones(P, int)
        pos[zp] = np.arange(zp.size)
        met_const = met_now[zp].sum(1).astype(float)
        rows.add(np.concatenate([pos[yp], np.arange(zp.size)]),
                 np.concatenate([y0 + np.arange(n_y), z_col[zp]]),
                 np.concatenate([np.ones(n_y), np.full(zp.size, -float(min_met))]),
                 -met_const, np.full(zp.size, np.inf))
    c_proxy = np.zeros(n)
    if dp.size:
        m = dp.size
        scale = np.array([ind.scale for ind in pr.indicators])
        coef = share[dp] * scale[dk] / (pr.parts["students"].to_numpy(float)[dp] *
                                        pr.mean[dp, dk])
        seg = d0 + np.arange(m * J).reshape(m, J)
        rows.add(np.concatenate([np.arange(m), np.repeat(np.arange(m), J)]),
                 np.concatenate([q_of[dp] + pr.item_of[dk], seg.ravel()]),
                 np.concatenate([coef, np.ones(m * J)]), 1.0 - pr.value[dp, dk] / pr.mean[dp, dk],
                 np.full(m, np.inf))
        slopes = (2 * np.arange(J) + 1) / J
        c_proxy[seg.ravel()] = (pr.weight[dp][:, None] * slopes[None, :]).ravel()
    A, row_lb, row_ub = rows.build(n)
    lb = np.zeros(n)
    ub = np.concatenate([pr.ub.ravel(), np.ones(zp.size + n_y), np.full(n_d, 1.0 / J)])
    if force_pass:
        lb[n_q:n_q + zp.size] = 1.0
    integer = np.concatenate([np.tile(pr.integer, S), np.ones(zp.size + n_y, bool),
                              np.zeros(n_d, bool)])
    c_pass = np.zeros(n)
    c_pass[n_q:n_q + zp.size] = -1.0
    c_cost = np.concatenate([cost, np.zeros(n - n_q)])
    return _Model(A, row_lb, row_ub, lb, ub, integer, n_q, zp,
                  np.column_stack([yp, yk]), np.column_stack([dp, dk]), c_pass, c_proxy,
                  c_cost, budget_row, reserve, J)


def _lexicographic(model: _Model, objectives: list[np.ndarray], options: SolveOptions,
                   start: np.ndarray | None = None, *, polish: bool = False
                   ) -> tuple[SolveReport, np.ndarray | None, list[SolveReport]]:
    """Solve the objectives in order, each with the previous best values kept as rows.

    ``polish``: the last objective (least cost) only tidies up the plan of the previous
    stages — their pass/meet decisions are fixed and its relative gap is at least
    ``POLISH_GAP``. When the budget binds it can save next to nothing (a few hundred yuan of
    20 million on 400 schools) yet proving that takes HiGHS tens of seconds; when money is
    plentiful it removes purchases that help neither rule nor coefficient, which is fast."""
    A, row_lb, row_ub = model.A, model.row_lb, model.row_ub
    lb, ub = model.lb, model.ub
    reports: list[SolveReport] = []
    x = start
    n = len(objectives)
    for stage, c in enumerate(objectives):
        left = options.time_limit - sum(r.seconds for r in reports)
        share = 1.0 / (n - stage) if stage < n - 1 else 1.0
        gap = options.mip_gap
        if polish and stage == n - 1 and stage > 0 and x is not None:
            binary = slice(model.n_q, model.n_q + model.z_parts.size + len(model.y_pairs))
            lb, ub = lb.copy(), ub.copy()
            lb[binary] = ub[binary] = np.round(x[binary])
            gap = max(gap, POLISH_GAP)
        opts = SolveOptions(time_limit=max(left * share, 1.0), mip_gap=gap,
                            seed=options.seed, threads=options.threads,
                            verbose=options.verbose)
        report, sol = solve_mip(c, A, row_lb, row_ub, lb, ub, model.integer, opts, start=x)
        reports.append(report)
        if sol is None:
            if stage == 0:
                return report, None, reports
            break
        x = sol
        value = float(c @ sol)
        A, row_lb, row_ub = keep_stage_value(A, row_lb, row_ub, c, value)
    return combine_stages(reports), x, reports


def _quantities(problem: BudgetProblem, model: _Model, sol: np.ndarray) -> np.ndarray:
    """(S, I) quantities: integers rounded, continuous ones rounded up to their granule."""
    q = sol[:model.n_q].reshape(problem.ub.shape).copy()
    q[q < 1e-7] = 0.0
    gran = problem.granularity[None, :]
    up = np.ceil(q / gran - 1e-6) * gran
    q = np.where(problem.integer[None, :], np.round(q), up)
    return np.minimum(q, np.where(np.isinf(problem.ub), np.inf, problem.ub + 0.0))


def predicted(problem: BudgetProblem, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indicator values and per-school-rule pass of every part after buying ``q`` (S, I).

    The same arithmetic as the evaluation engine, on the model's own arrays."""
    pr = problem
    school = pr.parts["school"].to_numpy()
    share = pr.parts["share"].to_numpy(float)
    amount = pr.amount.copy()
    buy = pr.item_of >= 0
    amount[:, buy] += share[:, None] * q[school][:, pr.item_of[buy]]
    scale = np.array([ind.scale for ind in pr.indicators])
    value = amount / pr.parts["students"].to_numpy(float)[:, None] * scale
    passes = np.full(len(share), None, dtype=object)
    if pr.rule is not None:
        K = value.shape[1]
        ratio = value / pr.standard
        met = ratio >= 1.0
        ok = ((~met).sum(1) <= K - int(pr.rule["min_met"])) & np.all(
            met | (ratio >= float(pr.rule["remainder_share"])), axis=1)
        passes = np.where(pr.assessable, ok, None)
    return value, passes


def apply_investments(census: Census, problem: BudgetProblem, q: np.ndarray) -> Census:
    """The census after the purchases: quantities added to the year's school_years rows."""
    years = census["school_years"].copy()
    cur = (years["year"] == problem.year).to_numpy()
    pos = pd.Index(problem.schools["school_id"]).get_indexer(years["school_id"])
    on = cur & (pos >= 0)
    for i, item in enumerate(problem.items):
        add = np.zeros(len(years))
        add[on] = q[pos[on], i]
        if not np.any(add):
            continue
        old = years[item]
        if problem.integer[i] and pd.api.types.is_integer_dtype(old.dtype):
            years[item] = old + pd.array(np.round(add).astype("int64"), dtype=old.dtype)
        else:
            years[item] = old.astype("Float64") + add
    tables = dict(census.tables)
    tables["school_years"] = years
    return Census(tables, census.source, None)


# --------------------------------------------------------------------------- solving


def solve_budget(census: Census, params: BudgetParameters | None = None, *,
                 options: SolveOptions | None = None, year: int | None = None,
                 evaluate_after: bool = True, standard: str = "quality-2017") -> PlanResult:
    """Plan this year's capital spending; see the module docstring for the model."""
    params = params or BudgetParameters()
    options = options or SolveOptions()
    year = year or max(census.years)
    if year not in census.years:
        raise ValueError(f"year {year} is not in the census (years: {census.years})")
    problem = build_problem(census, params, year, standard)
    budget = float(params.budget)  # type: ignore[arg-type]
    model = build_model(problem, params, budget=budget)
    objectives = _objectives(problem, model)
    # the main plan may use 60 % of the time; the compliance and marginal runs share the rest
    main_opts = _share(options, 0.6 if (params.compliance or params.marginal) else 1.0)
    report, sol, reports = _lexicographic(model, objectives, main_opts, polish=True)
    parameters = {**asdict(params), "items_used": problem.items, "standard": standard,
                  "time_limit": options.time_limit, "mip_gap": options.mip_gap,
                  "seed": options.seed, "year": year}
    if sol is None:
        raise InfeasibleError(
            [f"求解器在 {options.time_limit:g} 秒内没有找到方案（{report.status}），"
             f"可延长时间限制"],
            [f"the solver found no plan within {options.time_limit:g} s ({report.status}); "
             f"allow more time"])
    if problem.passable.any():
        report.objective = -report.objective if report.objective is not None else None
        report.bound = -report.bound if report.bound is not None else None
    q = _quantities(problem, model, sol)
    spent_left = options.time_limit - report.seconds
    extra: dict[str, Any] = {}
    z_pred = sol[model.n_q:model.n_q + model.z_parts.size] > 0.5
    compliance = None
    if params.compliance:
        opts = _share(options, 0.4 if params.marginal else 1.0, spent_left)
        compliance = _compliance(problem, params, opts)
        spent_left -= compliance.pop("_seconds")
    extra["cannot_pass"] = _cannot_pass(problem)
    marginal_q = None
    if params.marginal:
        opts = _share(options, 1.0, spent_left)
        marginal, marginal_q = _marginal(problem, params, model, sol, opts)
        extra["marginal"] = marginal
    extra = {**_tables(problem, params, q, z_pred, model), **extra}
    if compliance is not None:
        extra["full_compliance"] = compliance
    extra["objective_stages"] = [r.to_dict() for r in reports]
    actions = _actions(problem, q)
    before = after = None
    after_ev = None
    if evaluate_after:
        before_ev = evaluate(census, standard, year=year)
        after_ev = evaluate(apply_investments(census, problem, q), standard, year=year)
        before, after = evaluation_summary(before_ev), evaluation_summary(after_ev)
        if problem.rule is not None:
            extra["passing"]["after_engine"] = _passing(after_ev)
            extra["passing"]["before_engine"] = _passing(before_ev)
        if marginal_q is not None:
            more_ev = evaluate(apply_investments(census, problem, marginal_q), standard,
                               year=year)
            extra["marginal"].update(_cv_change(after_ev, more_ev, params.marginal_step))
            if problem.rule is None:
                extra["marginal"]["parts_passing_engine"] = None
    return PlanResult("budget", report, parameters, actions, before, after, extra, after_ev)


def _objectives(problem: BudgetProblem, model: _Model) -> list[np.ndarray]:
    out = []
    if problem.passable.any():
        out.append(model.c_pass)
    if np.any(model.c_proxy):
        out.append(model.c_proxy)
    out.append(model.c_cost)
    return out


def _share(options: SolveOptions, share: float, left: float | None = None) -> SolveOptions:
    total = options.time_limit if left is None else left
    return SolveOptions(time_limit=max(total * share, 1.0), mip_gap=options.mip_gap,
                        seed=options.seed, threads=options.threads, verbose=options.verbose)


def _passing(ev: Evaluation) -> int:
    return sum(1 for st in ev.stages.values() for s in st.schools if s.passes is True)


def _compliance(problem: BudgetProblem, params: BudgetParameters,
                options: SolveOptions) -> dict[str, Any]:
    """Least cost to bring every part that can pass up to the rule; who cannot, and why."""
    pr = problem
    out: dict[str, Any] = {"parts": len(pr.parts), "passable": int(pr.passable.sum()),
                           "cannot_pass": len(_cannot_pass(pr)), "_seconds": 0.0}
    if pr.rule is None:
        out.update(cost=None, status="not_applicable",
                   note="the standard has no per-school rule")
        return out
    model = build_model(pr, params, budget=None, proxy=False, force_pass=True)
    report, sol = solve_mip(model.c_cost, model.A, model.row_lb, model.row_ub, model.lb,
                            model.ub, model.integer, options)
    out["_seconds"] = report.seconds
    out.update(status=report.status, gap=report.gap,
               bound_cost=None if report.bound is None else round(report.bound, 2))
    if sol is None:
        out["cost"] = None
        return out
    q = _quantities(pr, model, sol)
    _, passes = predicted(pr, q)
    cost = q * pr.unit_cost[None, :]
    out.update(cost=round(float(cost.sum()), 2),
               cost_by_item={item: round(float(cost[:, i].sum()), 2)
                             for i, item in enumerate(pr.items)},
               quantity_by_item={item: round(float(q[:, i].sum()), 2)
                                 for i, item in enumerate(pr.items)},
               parts_passing=int(sum(1 for v in passes if v is True)),
               budget_share=None if not params.budget else
               round(float(cost.sum()) / float(params.budget), 4))
    return out


def _cannot_pass(problem: BudgetProblem) -> list[dict[str, Any]]:
    """School parts no money can bring up to the rule, with the reasons (zh and en)."""
    pr = problem
    return [{"school_id": pr.parts.at[p, "school_id"], "name": pr.parts.at[p, "name"],
             "stage": pr.parts.at[p, "stage"], "reason": "; ".join(pr.blockers[p][1]),
             "reason_zh": "；".join(pr.blockers[p][0])}
            for p in np.flatnonzero(~pr.passable) if pr.blockers[p][0]]


def _marginal(problem: BudgetProblem, params: BudgetParameters, model: _Model,
              sol: np.ndarray, options: SolveOptions) -> tuple[dict[str, Any], np.ndarray]:
    """Stages 1–2 re-solved at budget + step: what one more step of money buys."""
    step = float(params.marginal_step)  # type: ignore[arg-type]
    bigger = build_model(problem, params, budget=float(params.budget) + step)  # type: ignore
    objectives = _objectives(problem, bigger)[:-1] or [bigger.c_cost]
    report, sol2, reports = _lexicographic(bigger, objectives, options, start=sol)
    if sol2 is None:
        return {"step": step, "status": report.status}, _quantities(problem, model, sol)
    q0 = _quantities(problem, model, sol)
    q1 = _quantities(problem, bigger, sol2)
    _, p0 = predicted(problem, q0)
    _, p1 = predicted(problem, q1)
    n0 = int(sum(1 for v in p0 if v is True))
    n1 = int(sum(1 for v in p1 if v is True))
    proxy0 = float(model.c_proxy @ sol)
    proxy1 = float(bigger.c_proxy @ sol2)
    per = MILLION / step
    rule = problem.rule is not None
    return {"step": step, "budget": float(params.budget) + step,  # type: ignore[operator]
            "status": report.status, "gap": report.gap,
            "parts_passing": n1 if rule else None, "parts_gained": n1 - n0 if rule else None,
            "parts_gained_per_million": round((n1 - n0) * per, 4) if rule else None,
            "proxy": round(proxy1, 6), "proxy_change": round(proxy1 - proxy0, 6),
            "proxy_change_per_million": round((proxy1 - proxy0) * per, 6),
            "spent": round(float((q1 * problem.unit_cost).sum()), 2),
            "stages": [r.to_dict() for r in reports]}, q1


def _cv_change(at_budget: Evaluation, more: Evaluation, step: float | None) -> dict[str, Any]:
    per = MILLION / float(step or MILLION)
    change: dict[str, dict[str, float | None]] = {}
    for stage, st in more.stages.items():
        change[stage] = {}
        for key, ind in st.indicators.items():
            base = at_budget.stages[stage].indicators[key].cv
            change[stage][key] = (None if ind.cv is None or base is None
                                  else round((ind.cv - base) * per, 6))
    return {"cv_change_per_million": change, "parts_passing_engine": _passing(more)}


# --------------------------------------------------------------------------- reporting


def _tables(problem: BudgetProblem, params: BudgetParameters, q: np.ndarray,
            z_pred: np.ndarray, model: _Model) -> dict[str, Any]:
    pr = problem
    cfg = budget_defaults()["items"]
    cost = q * pr.unit_cost[None, :]
    _, after = predicted(pr, q)
    budget = float(params.budget)  # type: ignore[arg-type]
    spent = float(cost.sum())
    rows = []
    parts_by_school = pr.parts.groupby("school").indices
    stages = sorted(set(pr.parts["stage"]), key=["primary", "junior"].index)
    headers = {"school_id": "学校标识码", "name": "学校名称", "locale": "城乡分类"}
    for stage in stages:
        headers[f"pass_before_{stage}"] = f"{stage_name(stage)}投入前达标"
        headers[f"pass_after_{stage}"] = f"{stage_name(stage)}投入后达标"
    for item in pr.items:
        headers[item] = f"{cfg[item]['name_zh']}（{cfg[item]['unit']}）"
    headers["cost"] = "投入（元）"
    for s in sorted(range(len(pr.schools)), key=lambda s: -cost[s].sum()):
        by_stage = {pr.parts.at[p, "stage"]: p for p in parts_by_school.get(s, [])}
        row: dict[str, Any] = {"school_id": pr.schools.at[s, "school_id"],
                               "name": pr.schools.at[s, "name"],
                               "locale": pr.schools.at[s, "locale"]}
        for stage in stages:
            p = by_stage.get(stage)
            row[f"pass_before_{stage}"] = None if p is None else _flag(pr.passes_before[p])
            row[f"pass_after_{stage}"] = None if p is None else _flag(after[p])
        for i, item in enumerate(pr.items):
            row[item] = round(float(q[s, i]), 2)
        row["cost"] = round(float(cost[s].sum()), 2)
        rows.append(row)
    items = [{"item": item, "name": cfg[item]["name_en"], "name_zh": cfg[item]["name_zh"],
              "unit": cfg[item]["unit"], "unit_cost": float(pr.unit_cost[i]),
              "quantity": round(float(q[:, i].sum()), 2),
              "cost": round(float(cost[:, i].sum()), 2),
              "schools": int((q[:, i] > 0).sum()), "source": cfg[item]["source"]}
             for i, item in enumerate(pr.items)]
    count = (lambda flags: int(sum(1 for v in flags if v is True))) if pr.rule is not None \
        else (lambda flags: None)
    passing = {"parts": len(pr.parts), "before": count(pr.passes_before),
               "after_model": count(after),
               "model_z": int(z_pred.sum()) if pr.rule is not None else None,
               "passable": int(pr.passable.sum()) if pr.rule is not None else None}
    return {"budget": {"budget": budget, "spent": round(spent, 2),
                       "left": round(budget - spent, 2),
                       "rounding_reserve": round(model.reserve, 2)},
            "passing": passing, "items": items, "schools": rows, "schools_columns": headers,
            "items_columns": {"item": "项目", "name": "名称", "unit": "单位",
                              "unit_cost": "单价（元）", "quantity": "数量", "cost": "投入（元）",
                              "schools": "学校数", "source": "单价来源"},
            "cannot_pass_columns": {"school_id": "学校标识码", "name": "学校名称",
                                    "stage": "学段", "reason": "原因"},
            "proxy": round(float(model.c_proxy @ _proxy_point(model, q, problem)), 6)
            if np.any(model.c_proxy) else None}


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _proxy_point(model: _Model, q: np.ndarray, problem: BudgetProblem) -> np.ndarray:
    """The proxy's segment variables at quantities ``q`` (filled cheapest first)."""
    x = np.zeros(len(model.c_proxy))
    dp, dk = model.d_pairs[:, 0], model.d_pairs[:, 1]
    if dp.size == 0:
        return x
    value, _ = predicted(problem, q)
    short = np.clip(1.0 - value[dp, dk] / problem.mean[dp, dk], 0.0, 1.0)
    J = model.segments
    first = len(x) - dp.size * J
    width = 1.0 / J
    fill = np.clip(short[:, None] - width * np.arange(J)[None, :], 0.0, width)
    x[first:] = fill.ravel()
    return x


def _actions(problem: BudgetProblem, q: np.ndarray) -> list[dict[str, Any]]:
    """One ``invest`` action per school and item, with why: the standards it brings a part up
    to (where the part then passes the per-school rule), else weakest first."""
    pr = problem
    cfg = budget_defaults()["items"]
    value_after, passes_after = predicted(pr, q)
    floor = float(pr.rule["remainder_share"]) if pr.rule is not None else None
    actions = []
    parts_by_school = pr.parts.groupby("school").indices
    for s, i in zip(*np.nonzero(q > 0), strict=True):
        item = pr.items[i]
        zh, en = [], []
        for p in parts_by_school.get(s, []):
            if not (passes_after[p] is True and pr.passes_before[p] is not True):
                continue  # standards are cited only where they bring the part up to the rule
            stage = pr.parts.at[p, "stage"]
            for k in np.flatnonzero(pr.item_of == i):
                ind = pr.indicators[k]
                std, v0, v1 = pr.standard[p, k], pr.value[p, k], value_after[p, k]
                if np.isnan(std):
                    continue
                where_zh, where_en = stage_name(stage), stage_name(stage, "en").lower()
                if v0 < std <= v1:
                    zh.append(f"{where_zh}{ind.name_zh}达标（{v0:.2f}→{v1:.2f}，标准 {std:g}）")
                    en.append(f"{ind.name_en} ({where_en}) meets the standard "
                              f"({v0:.2f}→{v1:.2f}, standard {std:g})")
                elif floor is not None and v0 < floor * std <= v1:
                    zh.append(f"{where_zh}{ind.name_zh}达到标准的{floor:.0%}"
                              f"（{v0:.2f}→{v1:.2f}，标准 {std:g}）")
                    en.append(f"{ind.name_en} ({where_en}) reaches {floor:.0%} of the "
                              f"standard ({v0:.2f}→{v1:.2f}, standard {std:g})")
        if not zh:
            zh.append("雪中送炭：缩小薄弱学校与全县平均水平的差距，降低差异系数")
            en.append("weakest first: narrows the gap to the county mean, lowering the "
                      "difference coefficient")
        qty = float(q[s, i])
        actions.append({"type": "invest", "school_id": pr.schools.at[s, "school_id"],
                        "name": pr.schools.at[s, "name"], "item": item,
                        "quantity": round(qty) if pr.integer[i] else round(qty, 2),
                        "unit": cfg[item]["unit"],
                        "cost": round(qty * float(pr.unit_cost[i]), 2),
                        "reason": "; ".join(en), "reason_zh": "；".join(zh)})
    actions.sort(key=lambda a: (-a["cost"], a["school_id"], a["item"]))
    return actions
