"""Grouping planner (学校联合体分组): alliances, education groups, teaching-research zones.

Forms school communities from the school list (mechanisms.md §5): 一托二 alliances
(联合校, 桥西: one strong school + two of the same stage, a 3-year cycle after
which the cores take new partners), education groups (教育集团, 1 core + N members)
and teaching-research zones (联片教研片区, 涡阳: 3–4 schools, the host rotating
every semester). Each group has one core school (核心校) and members weaker than
the core; the kind presets and the coverage target (济南: ≥ 80 % of schools in a
community) come from ``defaults/groups.toml`` with their sources.

Strength score (办学实力综合得分): for every school part the evaluation engine
rates under quality-2017, the mean over its indicators with a known value of
``min(value / standard, cap)`` (cap 1.5); a school's score is the pupil-weighted
mean over its parts. A school exactly at every standard scores 1.

Objective, lexicographic, per cycle (S eligible schools, K core candidates,
A ⊆ S × K the allowed member–core pairs: within ``max_km`` road km of the core,
member weaker than the core, sharing a stage when ``same_stage``; pairs used in
an earlier cycle are removed, pinned pairs always kept):

1. the most schools in a group (at least ``min_coverage``; ``maximize_coverage``
   False keeps only that floor) — policy wants every school in a community
   (涡阳: all 学区 in a zone; 济南: ≥ 80 %), and without it the cheapest plan
   leaves out the awkward (often remote, weak) schools;
2. with that many grouped, the least ``Σ_groups |Σ_{i∈g} (s_i − T)| + w · km``:
   s the strength, T the mean strength of the eligible schools, so each term is
   the group's size times the distance of its mean strength from the county
   mean (以强带弱: a strong core balances weak members), and km the total
   core–member distance, ``km_weight`` w = 0.002 strength units per km.

Compact model (stage 1, and stage 2 when the groups are too many to list)::

    min  Σ_k d_k + w Σ_{(i,k)∈A} km_ik x_ik
    s.t. y_i + Σ_k x_ik ≤ 1                     every school in at most one group
         x_ik ≤ y_k                             members only of an opened core
         m⁻ y_k ≤ Σ_i x_ik ≤ m⁺ y_k             members per group in the kind's range
         Σ_k y_k + Σ x_ik ≥ ⌈c · S⌉             coverage (stage 2: ≥ stage 1's count)
         Σ_k y_k = G                            optional number of groups
         d_k ≥ ±( (s_k − T) y_k + Σ_i (s_i − T) x_ik )
         y, x ∈ {0, 1}, d ≥ 0; pinned cores y = 1, pinned pairs x = 1

Its LP bound on the evenness term is weak (fractional members balance any
group), so when every allowed group can be listed (``max_columns``, default 5
million — alliances and zones of a 400-school county) stage 2 is solved on the
explicit-groups model: one binary per group with its exact cost, every school
at most once, the coverage and group-count rows. Column generation gives its LP
bound (a Lagrangian bound at any iteration, valid for the whole problem);
reduced-cost fixing then keeps only the groups that can be in a plan better
than the incumbent, and when those are at most ``max_mip_columns`` the MIP over
them proves optimality. Incumbents come from a local search (member moves and
swaps) and the compact model's MIP heuristics. The plan states optimal or the
gap of each cycle; its objective and bound are the sums over the cycles.

Schedule: the host (主持单位) of each group in each semester rotates round-robin
over the group — core first, then members by decreasing strength — for
``terms`` semesters from ``start_year``; the groups of cycle c hold for
``cycle_years`` school years, the last cycle's groups after that.

Groups change no census figure: ``before`` and ``after`` are both the
evaluation summary of the current census under ``standard``.
"""

from __future__ import annotations

import itertools
import math
import time
import tomllib
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from junheng.data.census import Census
from junheng.evaluate import Evaluation, evaluate
from junheng.plan.distances import EARTH_KM
from junheng.plan.params import check_types
from junheng.plan.result import PlanResult, evaluation_summary
from junheng.plan.solver import (
    InfeasibleError,
    SolveOptions,
    SolveReport,
    _new_highs,
    highs_version,
    solve_mip,
)

KINDS = ("alliance", "group", "zone")
LOCALES = ("urban", "town", "rural")
LOCALE_RANK = {"urban": 2, "town": 1, "rural": 0}
MEMBER_RULES = ("weaker", "weaker_or_rural", "any")
STAGE_BITS = {"primary": 1, "junior": 2}
# groups of least reduced cost given to the restricted-master MIP that looks for plans
HEURISTIC_COLUMNS = 50_000
# HiGHS 1.16's presolve takes minutes on set-partitioning models of ~100,000 groups and
# ignores the time limit meanwhile (probing, parallel columns, dependent equations,
# sparsify: rules 15, 13, 10, 14 — it suggests the probing switch itself); they find little
# to remove in these models, so they are switched off
SET_PACKING_OPTIONS = {"presolve_rule_off": 2 ** 10 + 2 ** 13 + 2 ** 14 + 2 ** 15}
# … and with more than one thread its presolve of those models still overran a 15-s limit
# by 100 s on a 2-core machine, so they always run on one thread
# share of a cycle's time the compact model gets to find the incumbent when the explicit-groups
# model gives the bound
COMPACT_SHARE = 0.15
LOCALE_ZH = {"urban": "城区", "town": "镇区", "rural": "乡村"}
INELIGIBLE_ZH = {"excluded": "按参数排除", "not_evaluated": "不在评估范围（或无本年数据）",
                 "no_coordinates": "缺少经纬度", "no_indicator_data": "无指标数据",
                 "other_stage": "不含所选学段"}


@cache
def load_defaults() -> dict[str, Any]:
    """The versioned defaults file ``plan/defaults/groups.toml`` (kinds, coverage, strength)."""
    text = resources.files("junheng.plan").joinpath("defaults", "groups.toml").read_text(
        encoding="utf-8")
    return tomllib.loads(text)


def _bad(name: str, must: str, value: Any) -> ValueError:
    return ValueError(f"The '{name}' parameter of GroupParameters must be {must}. "
                      f"Got {value!r} instead.")


@dataclass
class GroupParameters:
    """Rules of the grouping; ``None`` takes the kind's preset from ``groups.toml``.

    ``kind``: ``alliance`` (一托二, 1 + 2, 3-year cycles, 2 cycles), ``zone`` (联片教研,
    1 + 2–3, host rotating each semester) or ``group`` (教育集团, 1 + 2–6).
    ``pinned``: existing groups kept as they are, group id → [core id, member ids…]
    (first cycle only; they may gain members up to ``max_members``; rules they break are
    listed in ``extra["pinned_exceptions"]``). ``cores``: the only schools that may be
    cores (default: strength at or above the ``core_quantile`` of the eligible schools and
    locale in ``core_locales``). ``member_rule``: ``weaker`` (member strictly weaker than
    its core), ``weaker_or_rural`` (weaker, or of a more rural locale) or ``any``.
    ``min_coverage``: share of the eligible schools that must be in a group (0 = none).
    ``stage``: plan only the schools teaching ``primary`` or ``junior`` (strength from
    that stage's part); None plans every school. ``km_weight``: strength units per km of
    core–member distance in the objective. ``maximize_coverage``: group as many schools as
    the rules allow before balancing (else only ``min_coverage``). ``formulation``: ``auto``
    (explicit groups when at most ``max_columns`` can be listed, else compact), ``columns``
    or ``compact``; ``max_mip_columns``: the most groups in the exact final MIP.
    ``cycles`` of ``cycle_years`` school years each (alliances: new partners every cycle);
    ``host_rotation`` over ``terms`` semesters from ``start_year`` (default: the census
    year). ``strength_cap``: ratio cap of the strength score; ``detour``: road km per
    great-circle km.
    """

    kind: str = "alliance"
    min_members: int | None = None
    max_members: int | None = None
    max_km: float | None = None
    min_coverage: float | None = None
    n_groups: int | None = None
    cores: list[str] = field(default_factory=list)
    core_quantile: float | None = None
    core_locales: list[str] | None = None
    member_rule: str = "weaker"
    same_stage: bool | None = None
    stage: str | None = None
    pinned: dict[str, list[str]] = field(default_factory=dict)
    excluded: list[str] = field(default_factory=list)
    cycles: int | None = None
    cycle_years: int | None = None
    host_rotation: bool | None = None
    terms: int | None = None
    start_year: int | None = None
    strength_cap: float | None = None
    detour: float | None = None
    km_weight: float = 0.002
    maximize_coverage: bool = True
    formulation: str = "auto"
    max_columns: int = 5_000_000
    max_mip_columns: int = 200_000

    def __post_init__(self) -> None:
        check_types(self)
        if self.kind not in KINDS:
            raise _bad("kind", "one of 'alliance', 'group', 'zone'", self.kind)
        defaults = load_defaults()
        preset = defaults["kinds"][self.kind]
        for key in ("min_members", "max_members", "max_km", "core_quantile", "core_locales",
                    "same_stage", "cycles", "cycle_years", "host_rotation", "terms"):
            if getattr(self, key) is None:
                value = preset[key]
                setattr(self, key, list(value) if isinstance(value, list) else value)
        if self.min_coverage is None:
            self.min_coverage = float(defaults["coverage"]["min_share"])
        if self.strength_cap is None:
            self.strength_cap = float(defaults["strength"]["cap"])
        if self.detour is None:
            self.detour = float(defaults["distance"]["detour"])
        self._validate()

    def _validate(self) -> None:
        assert self.min_members is not None and self.max_members is not None
        if self.min_members < 1:
            raise _bad("min_members", "an int in the range [1, inf)", self.min_members)
        if self.max_members < self.min_members:
            raise _bad("max_members", f"an int in the range [min_members={self.min_members}, "
                       "inf)", self.max_members)
        if not (self.max_km is not None and self.max_km > 0):
            raise _bad("max_km", "a float in the range (0, inf)", self.max_km)
        if not (self.min_coverage is not None and 0 <= self.min_coverage <= 1):
            raise _bad("min_coverage", "a float in the range [0, 1]", self.min_coverage)
        if self.n_groups is not None and self.n_groups < 1:
            raise _bad("n_groups", "an int in the range [1, inf) or None", self.n_groups)
        if not (self.core_quantile is not None and 0 <= self.core_quantile <= 1):
            raise _bad("core_quantile", "a float in the range [0, 1]", self.core_quantile)
        if not set(self.core_locales or []) <= set(LOCALES) or not self.core_locales:
            raise _bad("core_locales", "a non-empty list of 'urban', 'town', 'rural'",
                       self.core_locales)
        if self.member_rule not in MEMBER_RULES:
            raise _bad("member_rule", "one of 'weaker', 'weaker_or_rural', 'any'",
                       self.member_rule)
        if self.stage is not None and self.stage not in STAGE_BITS:
            raise _bad("stage", "'primary', 'junior' or None", self.stage)
        for name in ("cycles", "cycle_years"):
            if getattr(self, name) < 1:
                raise _bad(name, "an int in the range [1, inf)", getattr(self, name))
        if self.terms is None or self.terms < 0:
            raise _bad("terms", "an int in the range [0, inf)", self.terms)
        if not (self.strength_cap is not None and self.strength_cap >= 1):
            raise _bad("strength_cap", "a float in the range [1, inf)", self.strength_cap)
        if not (self.detour is not None and self.detour >= 1):
            raise _bad("detour", "a float in the range [1, inf)", self.detour)
        if not self.km_weight >= 0:
            raise _bad("km_weight", "a float in the range [0, inf)", self.km_weight)
        if self.formulation not in ("auto", "columns", "compact"):
            raise _bad("formulation", "one of 'auto', 'columns', 'compact'", self.formulation)
        for name in ("max_columns", "max_mip_columns"):
            if getattr(self, name) < 1:
                raise _bad(name, "an int in the range [1, inf)", getattr(self, name))
        seen: dict[str, str] = {}
        for gid, ids in self.pinned.items():
            if not ids:
                raise _bad("pinned", "a dict of group id -> [core id, member ids...] with "
                           "non-empty lists", self.pinned)
            for sid in ids:
                if sid in seen:
                    raise _bad("pinned", f"a dict in which each school appears once ({sid!r} "
                               f"is in {seen[sid]!r} and {gid!r})", self.pinned)
                seen[sid] = gid
        both = sorted(set(seen) & set(self.excluded))
        if both:
            raise _bad("excluded", f"a list disjoint from the pinned schools ({both})",
                       self.excluded)


@dataclass
class GroupProblem:
    """The data of one grouping: eligible schools, allowed member–core pairs, pinned groups."""

    schools: pd.DataFrame  # school_id, name, township, locale, lon, lat, strength, stages, …
    pairs: pd.DataFrame  # member, core (row indices into schools), km, pinned
    target: float  # T: mean strength of the eligible schools
    pinned: dict[str, list[int]]  # group id -> [core row, member rows…]
    ineligible: list[dict[str, Any]]  # school_id, name, reason
    year: int


def strength_scores(ev: Evaluation, cap: float, stage: str | None = None) -> pd.DataFrame:
    """Strength of every evaluated school (see the module docstring), one row per school.

    Columns: school_id, strength, students, stages (bits: primary 1, junior 2), parts.
    Parts without any known indicator value are left out (their school may then have none).
    """
    rows = []
    for st_name, st in ev.stages.items():
        if stage is not None and st_name != stage:
            continue
        for part in st.schools:
            ratios = [min(r, cap) for r in part.ratios.values() if r is not None]
            if not ratios:
                continue
            rows.append({"school_id": part.school_id, "score": float(np.mean(ratios)),
                         "students": float(part.students), "bit": STAGE_BITS[st_name]})
    frame = pd.DataFrame(rows, columns=["school_id", "score", "students", "bit"])
    frame["weighted"] = frame["score"] * frame["students"]
    out = frame.groupby("school_id", sort=True).agg(
        weighted=("weighted", "sum"), students=("students", "sum"), stages=("bit", "sum"),
        parts=("bit", "size"))
    out["strength"] = out["weighted"] / out["students"]
    return out.drop(columns="weighted").reset_index()


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def pair_km(lon: np.ndarray, lat: np.ndarray, a: np.ndarray, b: np.ndarray,
            detour: float) -> np.ndarray:
    """Great-circle km between schools a[k] and b[k] (haversine) times the detour factor."""
    la1, la2 = np.radians(lat[a]), np.radians(lat[b])
    dlon = np.radians(lon[b] - lon[a])
    h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) * detour


def _near_pairs(lon: np.ndarray, lat: np.ndarray, max_km: float,
                detour: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ordered pairs (a, b), a ≠ b, within ``max_km`` road km, found with a k-d tree on the
    unit sphere (no dense S × S matrix: a province's schools fit too)."""
    if len(lon) < 2:
        empty = np.zeros(0, int)
        return empty, empty, np.zeros(0)
    arc = min(max_km / detour / EARTH_KM, math.pi)
    chord = 2 * math.sin(arc / 2) * (1 + 1e-9)
    found = cKDTree(_unit_vectors(lon, lat)).query_pairs(chord, output_type="ndarray")
    a = np.concatenate([found[:, 0], found[:, 1]]).astype(int)
    b = np.concatenate([found[:, 1], found[:, 0]]).astype(int)
    km = pair_km(lon, lat, a, b, detour)
    keep = km <= max_km
    return a[keep], b[keep], km[keep]


def build_problem(census: Census, params: GroupParameters, year: int,
                  ev: Evaluation | None = None) -> GroupProblem:
    """Eligible schools with their strength, and the allowed pairs (pruned, vectorised).

    ``ev`` is the strength standard's evaluation of ``year`` when the caller has it."""
    standard = load_defaults()["strength"]["standard"]
    ev = ev if ev is not None and ev.rules.id == standard else evaluate(census, standard,
                                                                        year=year)
    scores = strength_scores(ev, float(params.strength_cap or 1.5), params.stage)
    schools = census["schools"]
    info = schools[["school_id", "name", "township", "type", "locale", "lon", "lat"]].copy()
    evaluated = {p.school_id for st in ev.stages.values() for p in st.schools}
    table = info.merge(scores, on="school_id", how="inner")
    ineligible: list[dict[str, Any]] = []

    def drop(mask: np.ndarray, reason: str) -> None:
        nonlocal table
        for rec in table.loc[mask, ["school_id", "name"]].to_dict("records"):
            ineligible.append({**rec, "reason": reason, "reason_zh": INELIGIBLE_ZH[reason]})
        table = table.loc[~mask].reset_index(drop=True)

    for rec in info[~info["school_id"].isin(set(scores["school_id"]))].to_dict("records"):
        reason = ("not_evaluated" if rec["school_id"] not in evaluated else
                  "other_stage" if params.stage is not None else "no_indicator_data")
        if rec["school_id"] in set(params.excluded):
            reason = "excluded"
        ineligible.append({"school_id": rec["school_id"], "name": rec["name"],
                           "reason": reason, "reason_zh": INELIGIBLE_ZH[reason]})
    drop(table["school_id"].isin(params.excluded).to_numpy(), "excluded")
    drop((table["lon"].isna() | table["lat"].isna()).to_numpy(), "no_coordinates")
    return problem_from_table(table, params, year, ineligible)


def problem_from_table(table: pd.DataFrame, params: GroupParameters, year: int,
                       ineligible: list[dict[str, Any]] | None = None) -> GroupProblem:
    """A problem from a ready school table (school_id, lon, lat, strength; optional name,
    township, locale, stages bits): the core of :func:`build_problem`, usable on its own."""
    table = table.reset_index(drop=True).copy()
    for col, default in (("name", None), ("township", None), ("locale", "rural"),
                         ("stages", 3)):
        if col not in table:
            table[col] = default if col != "name" else table["school_id"]
    table["stages"] = table["stages"].fillna(3).astype(int)
    ids = pd.Index(table["school_id"])
    if not ids.is_unique:
        raise ValueError("school ids must be unique")
    pinned: dict[str, list[int]] = {}
    unknown = []
    for gid, members in params.pinned.items():
        pos = ids.get_indexer(members)
        unknown += [m for m, p in zip(members, pos, strict=True) if p < 0]
        pinned[gid] = [int(p) for p in pos]
    if unknown:
        raise InfeasibleError(
            [f"固定分组中的学校不可分组（不在可分组学校中）：{'、'.join(unknown)}"],
            [f"pinned schools that cannot be grouped (not among the eligible schools): "
             f"{', '.join(unknown)}"])
    strength = table["strength"].to_numpy(float)
    n = len(table)
    target = float(strength.mean()) if n else 0.0
    if params.cores:
        candidate = table["school_id"].isin(params.cores).to_numpy()
    else:
        floor = np.quantile(strength, float(params.core_quantile or 0.0)) if n else 0.0
        candidate = (strength >= floor - 1e-12) & table["locale"].isin(
            params.core_locales or LOCALES).to_numpy()
    table["candidate"] = candidate  # by the rules; pinned cores are added per cycle
    lon = table["lon"].to_numpy(float)
    lat = table["lat"].to_numpy(float)
    member, core, km = _near_pairs(lon, lat, float(params.max_km or 0.0),
                                   float(params.detour or 1.0))
    ok = candidate[core] & _rule_ok(table, member, core, params)
    free = pd.DataFrame({"member": member[ok], "core": core[ok], "km": km[ok],
                         "pinned": False, "free": True})
    pm = [(r, rows[0]) for rows in pinned.values() for r in rows[1:]]
    pm_member = np.array([m for m, _ in pm], int)
    pm_core = np.array([c for _, c in pm], int)
    fixed = pd.DataFrame({"member": pm_member, "core": pm_core,
                          "km": pair_km(lon, lat, pm_member, pm_core,
                                        float(params.detour or 1.0)), "pinned": True,
                          "free": False})
    pairs = pd.concat([free, fixed], ignore_index=True) if len(fixed) else free
    # a pinned pair the rules allow too is one row, marked both
    pairs = pairs.groupby(["member", "core"], as_index=False, sort=True).agg(
        km=("km", "first"), pinned=("pinned", "any"), free=("free", "any"))
    pairs = pairs.sort_values(["core", "member"], kind="stable").reset_index(drop=True)
    return GroupProblem(table, pairs, target, pinned, list(ineligible or []), year)


def _rule_ok(table: pd.DataFrame, member: np.ndarray, core: np.ndarray,
             params: GroupParameters) -> np.ndarray:
    """Strength/locale and stage rules of a member–core pair (vectorised)."""
    strength = table["strength"].to_numpy(float)
    weaker = strength[member] < strength[core] - 1e-12
    if params.member_rule == "weaker":
        ok = weaker
    elif params.member_rule == "weaker_or_rural":
        rank = table["locale"].map(LOCALE_RANK).fillna(0).to_numpy(int)
        ok = weaker | (rank[member] < rank[core])
    else:
        ok = np.ones(len(member), bool)
    if params.same_stage:
        stages = table["stages"].to_numpy(int)
        ok &= (stages[member] & stages[core]) != 0
    return ok


@dataclass
class GroupModel:
    """One cycle's model: columns [y (cores) | x (pairs) | d (cores)]."""

    c: np.ndarray
    A: sp.csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integer: np.ndarray
    cores: np.ndarray  # school rows of the y columns
    pairs: pd.DataFrame  # the x columns
    required: int  # schools that must be grouped
    pinned_rows: np.ndarray  # school rows of pinned cores and members (this cycle)


def build_model(problem: GroupProblem, params: GroupParameters,
                forbidden: set[tuple[int, int]] | None = None, *, pinned: bool = True,
                coverage: bool = True) -> GroupModel:
    """The cycle's MIP (module docstring); ``forbidden`` (member, core) pairs are dropped,
    ``pinned=False`` ignores the pinned groups (later cycles), ``coverage=False`` drops the
    coverage row (used to explain infeasibility)."""
    schools, pairs = problem.schools, problem.pairs
    pinned_core = np.zeros(len(schools), bool)
    pinned_member = np.zeros(len(schools), bool)
    if pinned:
        for rows in problem.pinned.values():
            pinned_core[rows[0]] = True
            pinned_member[rows[1:]] = True
        # a pinned school is only in its own group: no other pair for it
        m_, c_ = pairs["member"].to_numpy(), pairs["core"].to_numpy()
        pairs = pairs[pairs["pinned"].to_numpy() | (
            ~pinned_core[m_] & ~pinned_member[m_] & ~pinned_member[c_])]
    else:
        pairs = pairs[pairs["free"]].assign(pinned=False)
    if forbidden:
        key = pd.MultiIndex.from_arrays([pairs["member"], pairs["core"]])
        pairs = pairs[~key.isin(list(forbidden))]
    S = len(schools)
    min_m, max_m = int(params.min_members or 1), int(params.max_members or 1)
    pin_size = {rows[0]: len(rows) - 1 for rows in problem.pinned.values()} if pinned else {}
    # a core that cannot reach min_members members is never opened: drop it
    counts = pairs.groupby("core").size().reindex(range(S), fill_value=0).to_numpy()
    candidate = schools["candidate"].to_numpy() & (counts >= min_m) & ~pinned_member
    candidate[list(pin_size)] = True
    cores = np.flatnonzero(candidate)
    pairs = pairs[candidate[pairs["core"].to_numpy()]].reset_index(drop=True)
    K, P = len(cores), len(pairs)
    pos = -np.ones(S, int)
    pos[cores] = np.arange(K)
    i = pairs["member"].to_numpy()
    k = pos[pairs["core"].to_numpy()]
    y, x, d = np.arange(K), K + np.arange(P), K + P + np.arange(K)
    R: list[np.ndarray] = []
    C: list[np.ndarray] = []
    V: list[np.ndarray] = []
    LB: list[np.ndarray] = []
    UB: list[np.ndarray] = []
    row = 0

    def add(r: np.ndarray, col: np.ndarray, v: np.ndarray, lo: np.ndarray,
            hi: np.ndarray) -> None:
        nonlocal row
        R.append(r + row)
        C.append(col)
        V.append(v)
        LB.append(lo)
        UB.append(hi)
        row += len(lo)

    ones_p, ones_k = np.ones(P), np.ones(K)
    # every school at most once: as a core or as a member
    add(np.concatenate([i, cores]), np.concatenate([x, y]), np.ones(P + K),
        np.full(S, -np.inf), np.ones(S))
    # members only of an opened core
    add(np.concatenate([np.arange(P), np.arange(P)]), np.concatenate([x, y[k]]),
        np.concatenate([ones_p, -ones_p]), np.full(P, -np.inf), np.zeros(P))
    # members per group: min·y ≤ Σx ≤ max·y (a pinned group larger than max keeps its size)
    # and a smaller one too: pinned groups are kept as they are, and may grow
    upper = np.full(K, float(max_m))
    lower = np.full(K, float(min_m))
    for core_row, size in pin_size.items():
        upper[pos[core_row]] = max(upper[pos[core_row]], float(size))
        lower[pos[core_row]] = min(lower[pos[core_row]], float(size))
    add(np.concatenate([k, y]), np.concatenate([x, y]), np.concatenate([ones_p, -lower]),
        np.zeros(K), np.full(K, np.inf))
    add(np.concatenate([k, y]), np.concatenate([x, y]), np.concatenate([ones_p, -upper]),
        np.full(K, -np.inf), np.zeros(K))
    required = math.ceil(float(params.min_coverage or 0.0) * S - 1e-9)
    if coverage and required > 0:
        add(np.zeros(K + P, int), np.concatenate([y, x]), np.ones(K + P),
            np.array([float(required)]), np.array([np.inf]))
    if params.n_groups is not None:
        add(np.zeros(K, int), y, ones_k, np.array([float(params.n_groups)]),
            np.array([float(params.n_groups)]))
    # d_k ≥ ±((s_k − T) y_k + Σ_i (s_i − T) x_ik)
    s = schools["strength"].to_numpy(float) - problem.target
    for sign in (1.0, -1.0):
        add(np.concatenate([k, y, y]), np.concatenate([x, y, d]),
            np.concatenate([-sign * s[i], -sign * s[cores], ones_k]),
            np.zeros(K), np.full(K, np.inf))
    n = 2 * K + P
    A = sp.csr_matrix((np.concatenate(V), (np.concatenate(R), np.concatenate(C))),
                      shape=(row, n))
    c = np.concatenate([np.zeros(K), params.km_weight * pairs["km"].to_numpy(float), ones_k])
    lb = np.zeros(n)
    lb[y[[pos[r] for r in pin_size]]] = 1.0
    lb[x[pairs["pinned"].to_numpy(bool)]] = 1.0
    ub = np.concatenate([np.ones(K + P), np.full(K, np.inf)])
    integer = np.concatenate([np.ones(K + P, bool), np.zeros(K, bool)])
    pinned_rows = np.array(sorted({r for rows in problem.pinned.values() for r in rows})
                           if pin_size else [], int)
    return GroupModel(c, A, np.concatenate(LB), np.concatenate(UB), lb, ub, integer, cores,
                      pairs, required, pinned_rows)


@dataclass
class Cycle:
    """One cycle's solution: the groups (core row → member rows) and the solver report."""

    index: int
    report: SolveReport  # the objective's solve
    groups: dict[int, list[int]]
    evenness: float
    km_total: float
    coverage_report: SolveReport | None = None  # the first, most-schools-grouped solve


def objective_value(problem: GroupProblem, groups: dict[int, list[int]],
                    km_weight: float, detour: float) -> tuple[float, float, float]:
    """(objective, evenness Σ|Σ(s − T)|, total core–member km) of a grouping, recomputed
    from the schools (independent of the model's columns)."""
    s = problem.schools["strength"].to_numpy(float) - problem.target
    lon = problem.schools["lon"].to_numpy(float)
    lat = problem.schools["lat"].to_numpy(float)
    even = sum(abs(s[core] + s[members].sum()) for core, members in groups.items())
    km = 0.0
    for core, members in groups.items():
        if members:
            km += float(pair_km(lon, lat, np.array(members), np.full(len(members), core),
                                detour).sum())
    return even + km_weight * km, float(even), km


def solve_cycles(problem: GroupProblem, params: GroupParameters,
                 options: SolveOptions) -> list[Cycle]:
    """Solve ``params.cycles`` cycles in turn, each without the earlier cycles' pairs.

    Per cycle: (1) the compact model finds the most schools that can be grouped
    (``maximize_coverage``; else any plan meeting the floor; the ``min_coverage`` floor
    binds the first cycle, a later one groups as many as have new partners left and the
    plan warns when that is below the floor); (2) with that many grouped,
    the objective is minimised on the explicit-groups model by column generation when the
    allowed groups can be enumerated (``formulation``, ``max_columns``), else on the compact
    model. Raises :class:`InfeasibleError` (with the cycle) when a cycle has no plan; stops
    early, returning the cycles solved, when the time runs out without a solution."""
    precheck(problem, params)
    cycles: list[Cycle] = []
    forbidden: set[tuple[int, int]] = set()
    spent = 0.0
    total = int(params.cycles or 1)
    for c in range(total):
        budget = (options.time_limit - spent) / (total - c)
        t0 = time.perf_counter()
        # the coverage floor binds the first cycle; a later cycle, whose schools may run out
        # of new partners, groups as many as it can and says so when that is below the floor
        model = build_model(problem, params, forbidden, pinned=(c == 0), coverage=(c == 0))
        K, P = len(model.cores), len(model.pairs)
        if K == 0:  # no core can gather min_members allowed members
            if c == 0 and (model.required > 0 or params.n_groups is not None):
                raise explain_infeasible(problem, params, forbidden, c, options)
            cycles.append(Cycle(c + 1, SolveReport("optimal", 0.0, 0.0, 0.0, 0.0,
                                                   highs_version()), {}, 0.0, 0.0))
            continue
        cover = np.concatenate([-np.ones(K + P), np.zeros(K)])
        opts = _options(options, budget / 3)
        maximize = params.maximize_coverage or c > 0
        first, start = solve_mip(cover if maximize else np.zeros(2 * K + P), model.A,
                                 model.row_lb, model.row_ub, model.lb, model.ub,
                                 model.integer, opts)
        if first.status == "infeasible":
            raise explain_infeasible(problem, params, forbidden, c, opts)
        if start is None:
            break
        grouped = round(-float(cover @ start))
        floor = grouped if params.maximize_coverage else min(model.required, grouped)
        columns = None
        if params.formulation != "compact":
            columns = enumerate_groups(problem, params, model)
        # a fast local search, then the compact model's MIP heuristics (they find good exact
        # covers quickly); with explicit groups the compact run only supplies the incumbent
        groups = local_search(problem, params, model, _decode(model, start),
                              options.seed + c)
        left = budget - (time.perf_counter() - t0)
        A = sp.vstack([model.A, sp.csr_matrix(-cover)]).tocsr()
        # solve_mip re-solves without the start if HiGHS mis-values it (HiGHS 1.16)
        compact, sol = solve_mip(model.c, A, np.append(model.row_lb, floor),
                                 np.append(model.row_ub, np.inf), model.lb, model.ub,
                                 model.integer,
                                 _options(options, left * (COMPACT_SHARE if columns else 1)),
                                 start=_encode(problem, model, groups))
        if sol is not None:
            groups = _decode(model, sol)
        if columns is not None:
            left = budget - (time.perf_counter() - t0)
            report, groups = _solve_columns(problem, params, model, columns, groups, floor,
                                            options, left, compact.bound)
        else:
            report = _compact_report(compact, problem, params, groups)
        spent += time.perf_counter() - t0
        report.seconds = time.perf_counter() - t0  # the whole cycle, every stage included
        _, even, km = objective_value(problem, groups, params.km_weight,
                                      float(params.detour or 1.0))
        cycles.append(Cycle(c + 1, report, groups, even, km, first))
        for core, members in groups.items():
            forbidden.update((m, core) for m in members)
            forbidden.update((core, m) for m in members)
    return cycles


def _compact_report(compact: SolveReport, problem: GroupProblem, params: GroupParameters,
                    groups: dict[int, list[int]]) -> SolveReport:
    """The compact run's report with the plan's objective recomputed (the plan may come from
    the local search when the MIP found nothing better in time)."""
    objective = objective_value(problem, groups, params.km_weight,
                                float(params.detour or 1.0))[0]
    bound = None if compact.bound is None else min(compact.bound, objective)
    gap = None if bound is None else abs(objective - bound) / max(abs(objective), 1e-9)
    optimal = compact.status == "optimal" and gap is not None and gap <= _compact_gap_ok(
        compact, objective)
    return SolveReport("optimal" if optimal else "feasible", objective, bound, gap,
                       compact.seconds, compact.solver, compact.nodes,
                       detail={**compact.detail, "formulation": "compact"})


def _compact_gap_ok(report: SolveReport, objective: float) -> float:
    """The relative gap HiGHS accepted as optimal (its own gap, or the absolute tolerance)."""
    return max(report.gap or 0.0, 1e-6 / max(abs(objective), 1e-9)) + 1e-12


def _options(options: SolveOptions, seconds: float, threads: int | None = None
             ) -> SolveOptions:
    """``options`` with another time limit (at least 1 s) and, when given, thread count."""
    return SolveOptions(time_limit=max(seconds, 1.0), mip_gap=options.mip_gap,
                        seed=options.seed, threads=threads or options.threads,
                        verbose=options.verbose)


def _decode(model: GroupModel, sol: np.ndarray) -> dict[int, list[int]]:
    """Groups (core row → member rows) of a compact-model solution."""
    K, P = len(model.cores), len(model.pairs)
    opened = model.cores[sol[:K] > 0.5]
    chosen = model.pairs[sol[K:K + P] > 0.5]
    groups: dict[int, list[int]] = {int(j): [] for j in opened}
    for member, core in zip(chosen["member"], chosen["core"], strict=True):
        groups[int(core)].append(int(member))
    return groups


def _encode(problem: GroupProblem, model: GroupModel,
            groups: dict[int, list[int]]) -> np.ndarray:
    """The compact model's column values of a plan (a MIP start)."""
    K, P = len(model.cores), len(model.pairs)
    sol = np.zeros(2 * K + P)
    pos = pd.Index(model.cores).get_indexer(list(groups))
    sol[pos] = 1.0
    key = pd.MultiIndex.from_arrays([model.pairs["member"], model.pairs["core"]])
    wanted = pd.MultiIndex.from_tuples([(m, j) for j, ms in groups.items() for m in ms],
                                       names=key.names) if any(groups.values()) else None
    if wanted is not None:
        sol[K + key.get_indexer(wanted)] = 1.0
    s = problem.schools["strength"].to_numpy(float) - problem.target
    for j, ms in groups.items():
        sol[K + P + pd.Index(model.cores).get_loc(j)] = abs(s[j] + s[ms].sum())
    return sol


def local_search(problem: GroupProblem, params: GroupParameters, model: GroupModel,
                 groups: dict[int, list[int]], seed: int, kicks: int = 40,
                 seconds: float = 10.0) -> dict[int, list[int]]:
    """Improve a plan by moving members between the open groups and swapping them (cores
    and coverage stay, every rule holds): best-improvement descent, then ``kicks`` random
    swap perturbations each followed by descent, keeping the best plan (iterated local
    search, seeded). Used for the incumbent; optimality comes from the MIP."""
    S = len(problem.schools)
    if S > 4000 or len(groups) < 2:
        return groups
    t0 = time.perf_counter()
    a = problem.schools["strength"].to_numpy(float) - problem.target
    w = params.km_weight
    km = np.full((S, S), np.inf)
    pairs = model.pairs
    km[pairs["member"].to_numpy(), pairs["core"].to_numpy()] = pairs["km"].to_numpy(float)
    fixed = np.zeros(S, bool)
    fixed[pairs.loc[pairs["pinned"].to_numpy(bool), "member"].to_numpy()] = True
    cores = np.array(sorted(groups), int)
    G = len(cores)
    mem = np.array([m for j in cores for m in groups[int(j)]], int)
    grp = np.array([g for g, j in enumerate(cores) for _ in groups[int(j)]], int)
    lo = np.full(G, float(params.min_members or 1))
    hi = np.full(G, float(params.max_members or 1))
    for rows in problem.pinned.values():
        if rows[0] in groups and model.pinned_rows.size:
            g = int(np.searchsorted(cores, rows[0]))
            lo[g], hi[g] = min(lo[g], len(rows) - 1), max(hi[g], len(rows) - 1)
    movable = ~fixed[mem]
    reach = km[mem[:, None], cores[None, :]]  # member m into group g: km, inf if not allowed
    allowed = np.isfinite(reach)
    into = np.where(allowed, reach, 0.0)
    rng = np.random.default_rng(seed)

    def state_cost(grp: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        gsum = a[cores] + np.bincount(grp, weights=a[mem], minlength=G)
        size = np.bincount(grp, minlength=G).astype(float)
        cost = float(np.abs(gsum).sum() + w * into[np.arange(len(mem)), grp].sum())
        return gsum, size, cost

    def descend(grp: np.ndarray) -> np.ndarray:
        grp = grp.copy()
        gsum, size, _ = state_cost(grp)
        idx = np.arange(len(mem))
        for _ in range(10 * len(mem) + 100):
            own = into[idx, grp]
            g_own = gsum[grp]
            # move member m to group h
            ok = (allowed & movable[:, None] & (size[grp] > lo[grp])[:, None]
                  & (size < hi)[None, :])
            ok[idx, grp] = False
            d_move = (np.abs(g_own - a[mem])[:, None] - np.abs(g_own)[:, None]
                      + np.abs(gsum[None, :] + a[mem][:, None]) - np.abs(gsum)[None, :]
                      + w * (into - own[:, None]))
            d_move = np.where(ok, d_move, np.inf)
            # swap members m1 (group g1) and m2 (group g2)
            cross = into[:, grp]  # m1 into the group of m2
            can = allowed[:, grp]
            ok2 = (can & can.T & movable[:, None]
                   & movable[None, :] & (grp[:, None] != grp[None, :]))
            diff = a[mem][None, :] - a[mem][:, None]  # a2 − a1
            d_swap = (np.abs(g_own[:, None] + diff) - np.abs(g_own)[:, None]
                      + np.abs(g_own[None, :] - diff) - np.abs(g_own)[None, :]
                      + w * (cross + cross.T - own[:, None] - own[None, :]))
            d_swap = np.where(ok2, d_swap, np.inf)
            i_move, i_swap = int(np.argmin(d_move)), int(np.argmin(d_swap))
            best_move, best_swap = d_move.flat[i_move], d_swap.flat[i_swap]
            if min(best_move, best_swap) >= -1e-12:
                break
            if best_move <= best_swap:
                m, h = divmod(i_move, G)
                g = grp[m]
                gsum[g] -= a[mem[m]]
                gsum[h] += a[mem[m]]
                size[g] -= 1
                size[h] += 1
                grp[m] = h
            else:
                m1, m2 = divmod(i_swap, len(mem))
                g1, g2 = grp[m1], grp[m2]
                gsum[g1] += a[mem[m2]] - a[mem[m1]]
                gsum[g2] += a[mem[m1]] - a[mem[m2]]
                grp[m1], grp[m2] = g2, g1
            if time.perf_counter() - t0 > seconds:
                break
        return grp

    best = descend(grp)
    best_cost = state_cost(best)[2]
    for _ in range(kicks):
        if time.perf_counter() - t0 > seconds:
            break
        trial = best.copy()
        for _ in range(3):  # a few random allowed swaps
            m1, m2 = rng.integers(len(mem), size=2)
            if (movable[m1] and movable[m2] and trial[m1] != trial[m2]
                    and allowed[m1, trial[m2]] and allowed[m2, trial[m1]]):
                trial[m1], trial[m2] = trial[m2], trial[m1]
        trial = descend(trial)
        cost = state_cost(trial)[2]
        if cost < best_cost - 1e-12:
            best, best_cost = trial, cost
    out: dict[int, list[int]] = {int(j): [] for j in cores}
    for m, g in zip(mem, best, strict=True):
        out[int(cores[g])].append(int(m))
    return out


# ----------------------------------------------------------------- explicit groups (columns)

@dataclass
class GroupColumns:
    """Every allowed group of one cycle (a core and a member set), enumerated, with its exact
    cost |Σ(s − T)| + w·km; blocks of consecutive columns share a core."""

    core: np.ndarray  # (G,) school row of the core
    members: np.ndarray  # (G, m) member rows, −1 padded
    size: np.ndarray  # (G,) number of members
    cost: np.ndarray  # (G,)
    block: np.ndarray  # (G,) index of the core's block
    starts: np.ndarray  # (blocks,) first column of each block


@lru_cache(maxsize=1024)
def _combos(n: int, m: int) -> np.ndarray:
    """All m-subsets of range(n) as rows, lexicographic (int32)."""
    count = math.comb(n, m)
    if m == 0:
        return np.zeros((1, 0), np.int32)
    flat = np.fromiter(itertools.chain.from_iterable(itertools.combinations(range(n), m)),
                       dtype=np.int32, count=count * m)
    return flat.reshape(count, m)


def _blocks(model: GroupModel, params: GroupParameters
            ) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]]:
    """Per core: (core, forced members, their km, free members, their km, lo, hi)."""
    pairs = model.pairs
    core = pairs["core"].to_numpy()
    order = np.argsort(core, kind="stable")
    bounds = np.searchsorted(core[order], model.cores, side="left"), np.searchsorted(
        core[order], model.cores, side="right")
    member = pairs["member"].to_numpy()[order]
    km = pairs["km"].to_numpy(float)[order]
    pinned = pairs["pinned"].to_numpy(bool)[order]
    out = []
    for j, a, b in zip(model.cores, *bounds, strict=True):
        forced = pinned[a:b]
        lo, hi = int(params.min_members or 1), int(params.max_members or 1)
        if forced.any():
            lo, hi = min(lo, int(forced.sum())), max(hi, int(forced.sum()))
        out.append((int(j), member[a:b][forced], km[a:b][forced], member[a:b][~forced],
                    km[a:b][~forced], lo, hi))
    return out


def column_count(model: GroupModel, params: GroupParameters) -> int:
    """How many groups :func:`enumerate_groups` would list (without listing them)."""
    return sum(math.comb(len(free), m - len(forced))
               for _, forced, _, free, _, lo, hi in _blocks(model, params)
               for m in range(max(lo, len(forced)), hi + 1) if m - len(forced) <= len(free))


def enumerate_groups(problem: GroupProblem, params: GroupParameters,
                     model: GroupModel) -> GroupColumns | None:
    """Every group the cycle's rules allow (pinned members always in their core's groups),
    or None when there are more than ``params.max_columns`` (or ``formulation='compact'``)."""
    if params.formulation == "compact" or column_count(model, params) > params.max_columns:
        return None
    s = problem.schools["strength"].to_numpy(float) - problem.target
    width = max([hi for *_, hi in _blocks(model, params)] or [1])
    cores, members, costs, sizes, blocks = [], [], [], [], []
    n_block = 0
    for j, forced, forced_km, free, free_km, lo, hi in _blocks(model, params):
        made = 0
        for m in range(max(lo, len(forced)), hi + 1):
            k = m - len(forced)
            if k > len(free):
                break
            comb = _combos(len(free), k)
            mem = np.concatenate([np.broadcast_to(forced, (len(comb), len(forced))),
                                  free[comb]], axis=1)
            dev = np.abs(s[j] + s[mem].sum(axis=1))
            km = forced_km.sum() + free_km[comb].sum(axis=1)
            costs.append(dev + params.km_weight * km)
            members.append(np.pad(mem, ((0, 0), (0, width - m)), constant_values=-1))
            cores.append(np.full(len(comb), j))
            sizes.append(np.full(len(comb), m))
            blocks.append(np.full(len(comb), n_block))
            made += len(comb)
        n_block += made > 0
    if not cores:
        return None
    block = np.concatenate(blocks)
    return GroupColumns(np.concatenate(cores), np.concatenate(members).astype(np.int32),
                        np.concatenate(sizes), np.concatenate(costs), block,
                        np.searchsorted(block, np.arange(n_block)))


class _MasterLP:
    """The restricted master LP of column generation, kept warm in one HiGHS instance
    (columns are added in place; the duals price the next columns)."""

    def __init__(self, row_lb: np.ndarray, row_ub: np.ndarray, options: SolveOptions) -> None:
        import highspy

        self.h = _new_highs()
        self.inf = highspy.kHighsInf
        self.h.setOptionValue("output_flag", bool(options.verbose))
        self.h.setOptionValue("random_seed", int(options.seed))
        if options.threads is not None:
            self.h.setOptionValue("threads", int(options.threads))
            highspy.Highs.resetGlobalScheduler(True)
        n = len(row_lb)
        self.h.addRows(n, np.where(np.isinf(row_lb), -self.inf, row_lb),
                       np.where(np.isinf(row_ub), self.inf, row_ub), 0,
                       np.zeros(n, np.int32), np.zeros(0, np.int32), np.zeros(0))

    def add(self, cost: np.ndarray, matrix: sp.csc_matrix,
            upper: np.ndarray | None = None) -> None:
        n = len(cost)
        if n == 0:
            return
        self.h.addCols(n, cost.astype(float), np.zeros(n),
                       np.full(n, self.inf) if upper is None else upper.astype(float),
                       matrix.nnz, matrix.indptr[:-1].astype(np.int32),
                       matrix.indices.astype(np.int32), matrix.data.astype(float))

    def solve(self, seconds: float) -> tuple[bool, float, np.ndarray]:
        import highspy

        self.h.setOptionValue("time_limit", max(float(seconds), 0.1))
        self.h.run()
        ok = self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        return (ok, float(self.h.getInfo().objective_function_value),
                np.asarray(self.h.getSolution().row_dual, float))


def _column_rows(model: GroupModel, problem: GroupProblem, params: GroupParameters,
                 floor: int) -> tuple[np.ndarray, np.ndarray, int | None, int | None,
                                      np.ndarray]:
    """Rows of the explicit-groups model: school i, Σ_{g∋i} z_g + u_i = 1 (u_i = 1: not
    grouped; 0 for pinned schools); Σ u ≤ S − floor (coverage, a row over S slacks, not a
    dense row over every group); Σ z = G. Returns bounds, the two row indices, u's bounds."""
    S = len(problem.schools)
    lb, ub = np.ones(S), np.ones(S)
    u_ub = np.ones(S)
    u_ub[model.pinned_rows] = 0.0
    cap = ng = None
    if floor >= S:
        u_ub[:] = 0.0
    elif floor > 0:
        cap = S
        lb, ub = np.append(lb, -np.inf), np.append(ub, float(S - floor))
    if params.n_groups is not None:
        ng = len(lb)
        lb, ub = np.append(lb, float(params.n_groups)), np.append(ub, float(params.n_groups))
    return lb, ub, cap, ng, u_ub


def _column_matrix(cols: GroupColumns, idx: np.ndarray, n_rows: int,
                   ng: int | None) -> sp.csc_matrix:
    """Constraint columns of the groups ``idx``: their core and member rows, the count row."""
    mem = cols.members[idx]
    valid = mem >= 0
    n = len(idx)
    rows = [cols.core[idx], mem[valid]]
    where = [np.arange(n), np.nonzero(valid)[0]]
    if ng is not None:
        rows.append(np.full(n, ng))
        where.append(np.arange(n))
    rows_, where_ = np.concatenate(rows), np.concatenate(where)
    return sp.csc_matrix((np.ones(len(rows_)), (rows_, where_)), shape=(n_rows, n))


def _slack_matrix(S: int, n_rows: int, cap: int | None) -> sp.csc_matrix:
    """Columns of the slacks u: school row i, and the coverage row."""
    rows = np.arange(S) if cap is None else np.concatenate([np.arange(S), np.full(S, cap)])
    where = np.arange(S) if cap is None else np.concatenate([np.arange(S), np.arange(S)])
    return sp.csc_matrix((np.ones(len(rows)), (rows, where)), shape=(n_rows, S))


def _duals(y: np.ndarray, cap: int | None) -> np.ndarray:
    """Row duals with the signs a lower bound needs (Σ u ≤ …: y ≤ 0)."""
    y = y.copy()
    if cap is not None:
        y[cap] = min(y[cap], 0.0)
    return y


def _reduced_costs(cols: GroupColumns, y: np.ndarray, S: int,
                   ng: int | None) -> np.ndarray:
    """c_g − Aᵀ_g y for every enumerated group (HiGHS's sign convention for row duals)."""
    ys = np.append(y[:S], 0.0)  # index −1 (padding) reads the 0
    rc = cols.cost - ys[cols.core] - ys[cols.members].sum(axis=1)
    if ng is not None:
        rc -= y[ng]
    return rc


def _lagrangian(cols: GroupColumns, y: np.ndarray, S: int, floor: int, cap: int | None,
                ng: int | None, n_groups: int | None, u_ub: np.ndarray
                ) -> tuple[float, np.ndarray]:
    """A lower bound valid for every plan, from any duals y (signs fixed by :func:`_duals`):
    cost ≥ yᵀb + Σ_g rc_g z_g + Σ_i rc_i u_i ≥ yᵀb + Σ_cores min(0, min rc) + Σ_i min(0, rc_i)
    (each core opens at most one group). Also returns each group's slack rc_g − min(0, min rc
    of its core): a group whose slack exceeds UB − bound is in no plan better than UB."""
    yb = float(y[:S].sum())
    if cap is not None:
        yb += y[cap] * (S - floor)
    if ng is not None and n_groups is not None:
        yb += y[ng] * n_groups
    rc = _reduced_costs(cols, y, S, ng)
    block_min = np.minimum(np.minimum.reduceat(rc, cols.starts), 0.0)
    rc_u = -y[:S] - (y[cap] if cap is not None else 0.0)
    bound = yb + float(block_min.sum()) + float((np.minimum(rc_u, 0.0) * u_ub).sum())
    return bound, rc - block_min[cols.block]


def _index_of(cols: GroupColumns, groups: dict[int, list[int]]) -> np.ndarray:
    """Column indices of the given groups (each is an allowed group, so it is enumerated)."""
    out = []
    for core, members in groups.items():
        b = np.flatnonzero(cols.core == core)
        want = np.sort(np.asarray(members, np.int32))
        mem = np.sort(np.where(cols.members[b] < 0, np.iinfo(np.int32).max,
                               cols.members[b]), axis=1)[:, :len(want)]
        hit = b[(cols.size[b] == len(want)) & (mem == want).all(axis=1)]
        out.append(int(hit[0]))
    return np.array(out, int)


def _groups_of(cols: GroupColumns, idx: np.ndarray) -> dict[int, list[int]]:
    return {int(cols.core[g]): [int(m) for m in cols.members[g] if m >= 0] for g in idx}


def _solve_columns(problem: GroupProblem, params: GroupParameters, model: GroupModel,
                   cols: GroupColumns, start: dict[int, list[int]], floor: int,
                   options: SolveOptions, seconds: float, known_bound: float | None = None
                   ) -> tuple[SolveReport, dict[int, list[int]]]:
    """Minimise the objective over explicit groups: column generation for the bound
    (:func:`_lagrangian`), a restricted master for better plans, reduced-cost fixing, and
    the MIP over every group that can still improve the plan when they are few enough."""
    t0 = time.perf_counter()
    S = len(problem.schools)
    row_lb, row_ub, cap, ng, u_ub = _column_rows(model, problem, params, floor)
    R = len(row_lb)
    slack_cols = _slack_matrix(S, R, cap)
    lp = _MasterLP(row_lb, row_ub, options)
    lp.add(np.zeros(S), slack_cols, u_ub)
    active = np.zeros(len(cols.cost), bool)
    first = _index_of(cols, start)
    lp.add(cols.cost[first], _column_matrix(cols, first, R, ng))
    active[first] = True
    best_lb, y_best, converged, iterations = -np.inf, None, False, 0
    cg_time = 0.3 * seconds
    while time.perf_counter() - t0 < cg_time:
        ok, _, y = lp.solve(cg_time - (time.perf_counter() - t0))
        iterations += 1
        if not ok:
            break
        y = _duals(y, cap)
        lagr, _ = _lagrangian(cols, y, S, floor, cap, ng, params.n_groups, u_ub)
        if lagr > best_lb:
            best_lb, y_best = lagr, y
        rc = _reduced_costs(cols, y, S, ng)
        block_min = np.minimum.reduceat(rc, cols.starts)
        if block_min.min() >= -1e-9:
            converged = True
            break
        neg = (rc < -1e-9) & ~active
        pick = np.flatnonzero(neg & (rc <= block_min[cols.block] + 1e-12))
        extra = np.flatnonzero(neg)
        batch = 2 * S
        if len(extra) > batch:
            extra = extra[np.argpartition(rc[extra], batch)[:batch]]
        new = np.union1d(pick, extra)
        if len(new) == 0:
            break
        lp.add(cols.cost[new], _column_matrix(cols, new, R, ng))
        active[new] = True
    ub, incumbent = float(cols.cost[first].sum()), first
    slack = None
    if y_best is not None:
        _, slack = _lagrangian(cols, y_best, S, floor, cap, ng, params.n_groups, u_ub)
    pool = np.flatnonzero(active)
    if slack is not None:
        pool = (np.union1d(pool, np.argpartition(slack, HEURISTIC_COLUMNS)[:HEURISTIC_COLUMNS])
                if len(slack) > HEURISTIC_COLUMNS else np.arange(len(slack)))

    def run(idx: np.ndarray, share: float) -> tuple[SolveReport, np.ndarray | None]:
        left = (seconds - (time.perf_counter() - t0)) * share
        covered = np.zeros(S)
        for g in incumbent:
            covered[cols.core[g]] = 1.0
            covered[cols.members[g][cols.members[g] >= 0]] = 1.0
        A = sp.hstack([slack_cols, _column_matrix(cols, idx, R, ng)]).tocsc()
        n = S + len(idx)
        integer = np.concatenate([np.zeros(S, bool), np.ones(len(idx), bool)])
        rep, x = solve_mip(np.concatenate([np.zeros(S), cols.cost[idx]]), A, row_lb, row_ub,
                           np.zeros(n), np.concatenate([u_ub, np.ones(len(idx))]), integer,
                           _options(options, left, threads=1),
                           start=np.concatenate([1.0 - covered,
                                                 np.isin(idx, incumbent).astype(float)]),
                           highs_options=SET_PACKING_OPTIONS)
        return rep, None if x is None else x[S:]

    # reduced-cost fixing: when the groups that can still improve on the incumbent are few
    # enough, the MIP over them decides optimality; otherwise the restricted master (the
    # generated groups and the HEURISTIC_COLUMNS of least slack) looks for better plans
    complete, mip_bound, final_size = False, None, len(pool)
    keep = (np.union1d(np.flatnonzero(slack <= ub - best_lb + 1e-9), incumbent)
            if slack is not None else pool)
    if slack is not None and len(keep) <= params.max_mip_columns:
        ub_fix, complete, final_size = ub, True, len(keep)
        rep, z = run(keep, 1.0)
        mip_bound = None if rep.bound is None else min(rep.bound, ub_fix)
    else:
        rep, z = run(pool, 1.0)
    if z is not None and rep.objective is not None and rep.objective < ub - 1e-12:
        ub, incumbent = float(rep.objective), (keep if complete else pool)[z > 0.5]
    chosen, objective = incumbent, ub
    if known_bound is not None:  # the compact model's bound holds for the same problem
        best_lb = max(best_lb, known_bound)
    bound = best_lb if np.isfinite(best_lb) else None
    if complete and mip_bound is not None:
        bound = max(bound if bound is not None else -np.inf, mip_bound)
    if bound is not None:
        bound = min(bound, objective)
    gap = None if bound is None else abs(objective - bound) / max(abs(objective), 1e-9)
    optimal = gap is not None and (gap <= options.mip_gap + 1e-12 or
                                   objective - bound <= 1e-6)
    report = SolveReport("optimal" if optimal else "feasible", objective, bound, gap,
                         time.perf_counter() - t0, rep.solver, rep.nodes,
                         detail={"formulation": "columns", "groups_enumerated": len(cols.cost),
                                 "groups_generated": int(active.sum()),
                                 "cg_iterations": iterations, "cg_converged": converged,
                                 "groups_in_final_mip": int(final_size),
                                 "final_mip_exact": bool(complete)})
    return report, _groups_of(cols, chosen)


def precheck(problem: GroupProblem, params: GroupParameters) -> None:
    """Reasons no grouping can exist, found without a solver."""
    reasons, reasons_en = [], []
    S = len(problem.schools)
    if S == 0:
        raise InfeasibleError(["没有可分组的学校（需要在评估范围内、有经纬度、有指标数据）"],
                              ["no school can be grouped (schools need to be evaluated, with "
                               "coordinates and indicator data)"])
    n_cand = int(problem.schools["candidate"].sum()) + len(problem.pinned)
    required = math.ceil(float(params.min_coverage or 0.0) * S - 1e-9)
    if n_cand == 0 and (required > 0 or params.n_groups is not None):
        locales = "、".join(LOCALE_ZH[x] for x in params.core_locales or [])
        reasons.append(f"没有候选核心校：强度不低于第 {params.core_quantile:.0%} 分位、"
                       f"城乡类别属于{locales}的学校为 0 所；"
                       f"可调整 core_quantile、core_locales 或 cores")
        reasons_en.append(f"no core candidate: no school has a strength at or above the "
                          f"{params.core_quantile:.0%} quantile and a locale in "
                          f"{params.core_locales}; adjust core_quantile, core_locales or cores")
    if params.n_groups is not None and params.n_groups < len(problem.pinned):
        reasons.append(f"固定分组 {len(problem.pinned)} 个 > 组数 n_groups = {params.n_groups}")
        reasons_en.append(f"{len(problem.pinned)} pinned groups > n_groups = {params.n_groups}")
    if params.n_groups is not None and params.n_groups * (1 + int(params.min_members or 1)) > S:
        reasons.append(f"{params.n_groups} 个组每组至少 {1 + int(params.min_members or 1)} 所，"
                       f"需要 {params.n_groups * (1 + int(params.min_members or 1))} 所学校，"
                       f"可分组学校只有 {S} 所")
        reasons_en.append(f"{params.n_groups} groups of at least "
                          f"{1 + int(params.min_members or 1)} schools need "
                          f"{params.n_groups * (1 + int(params.min_members or 1))} schools; "
                          f"{S} can be grouped")
    if reasons:
        raise InfeasibleError(reasons, reasons_en)


def explain_infeasible(problem: GroupProblem, params: GroupParameters,
                       forbidden: set[tuple[int, int]], cycle: int,
                       options: SolveOptions) -> InfeasibleError:
    """The largest coverage the other rules allow, and the schools no core can take."""
    S = len(problem.schools)
    model = build_model(problem, params, forbidden, pinned=(cycle == 0), coverage=False)
    K, P = len(model.cores), len(model.pairs)
    c = np.concatenate([-np.ones(K + P), np.zeros(K)])
    quick = SolveOptions(time_limit=max(options.time_limit / 2, 1.0), mip_gap=0.0,
                         seed=options.seed, threads=options.threads)
    if K == 0:
        report = SolveReport("infeasible" if params.n_groups is not None else "optimal",
                             0.0, 0.0, 0.0, 0.0, "")
    else:
        report, _ = solve_mip(c, model.A, model.row_lb, model.row_ub, model.lb, model.ub,
                              model.integer, quick)
    when_zh = f"第 {cycle + 1} 轮（前几轮的核心校—成员校配对不再重复）" if cycle else ""
    when_en = f"cycle {cycle + 1} (pairs of earlier cycles are not repeated): " if cycle else ""
    rule_zh = (f"距核心校不超过 {params.max_km:g} 公里、成员校弱于核心校、每组成员 "
               f"{params.min_members}–{params.max_members} 所")
    rule_en = (f"within {params.max_km:g} km of the core, members weaker than the core, "
               f"{params.min_members}–{params.max_members} members per group")
    if report.status == "infeasible" or report.bound is None:
        extra_zh = f"、组数 {params.n_groups}" if params.n_groups is not None else ""
        extra_en = f", n_groups = {params.n_groups}" if params.n_groups is not None else ""
        return InfeasibleError(
            [f"{when_zh}在{rule_zh}{extra_zh}及固定分组的限制下无法分组；可放宽 max_km、"
             f"min_members、n_groups 或固定分组"],
            [f"{when_en}no grouping keeps the rules ({rule_en}{extra_en}, pinned groups); "
             f"relax max_km, min_members, n_groups or the pinned groups"])
    most = math.floor(-report.bound + 1e-6)
    pairs = model.pairs
    reachable = set(pairs["member"]) | set(model.cores.tolist())
    lonely = problem.schools.loc[~problem.schools.index.isin(list(reachable)), "name"]
    names = "、".join(map(str, lonely.head(5))) + ("…" if len(lonely) > 5 else "")
    names_en = ", ".join(map(str, lonely.head(5))) + ("…" if len(lonely) > 5 else "")
    zh = (f"{when_zh}在{rule_zh}的限制下，最多可覆盖 {most} 所学校（{most / S:.0%}），要求覆盖 "
          f"{model.required} 所（可分组学校 {S} 所的 {params.min_coverage:.0%}）；候选核心校 "
          f"{len(model.cores)} 所")
    en = (f"{when_en}under the rules ({rule_en}) at most {most} schools ({most / S:.0%}) can be "
          f"grouped; {model.required} are required ({params.min_coverage:.0%} of {S} eligible); "
          f"{len(model.cores)} core candidates")
    if len(lonely):
        zh += f"；{len(lonely)} 所学校在 {params.max_km:g} 公里内没有可带动它的核心校：{names}"
        en += (f"; {len(lonely)} schools have no core that may take them within "
               f"{params.max_km:g} km: {names_en}")
    zh += "；可放宽 max_km、core_quantile、core_locales、成员数或降低 min_coverage"
    en += "; relax max_km, core_quantile, core_locales, the member range or min_coverage"
    return InfeasibleError([zh], [en])


def _terms(start_year: int, n: int) -> list[str]:
    """Semester labels 'YYYY-YYYY-1' (autumn) and 'YYYY-YYYY-2' (spring) from ``start_year``."""
    return [f"{start_year + t // 2}-{start_year + t // 2 + 1}-{t % 2 + 1}" for t in range(n)]


def host_order(problem: GroupProblem, core: int, members: list[int]) -> list[int]:
    """Rotation order of the hosts: the core, then members by decreasing strength (id ties)."""
    s = problem.schools["strength"].to_numpy(float)
    ids = problem.schools["school_id"].to_numpy()
    return [core, *sorted(members, key=lambda m: (-s[m], str(ids[m])))]


def _group_ids(problem: GroupProblem, params: GroupParameters,
               cycle: Cycle) -> dict[int, str]:
    """Pinned groups keep their id (first cycle); the others are '<kind>-<cycle>-<nn>',
    numbered by decreasing core strength."""
    s = problem.schools["strength"].to_numpy(float)
    ids = problem.schools["school_id"].to_numpy()
    names: dict[int, str] = {}
    if cycle.index == 1:
        for gid, rows in problem.pinned.items():
            if rows[0] in cycle.groups:
                names[rows[0]] = gid
    taken = set(names.values())
    n = 0
    for core in sorted(cycle.groups, key=lambda j: (-s[j], str(ids[j]))):
        if core in names:
            continue
        n += 1
        gid = f"{params.kind}-{cycle.index}-{n:02d}"
        while gid in taken:
            n += 1
            gid = f"{params.kind}-{cycle.index}-{n:02d}"
        names[core] = gid
    return names


def _combine(cycles: list[Cycle]) -> SolveReport:
    if not cycles:
        return SolveReport("no_solution", None, None, None, 0.0, highs_version())
    reports = [c.report for c in cycles]
    objective = float(sum(r.objective or 0.0 for r in reports))
    bounds = [r.bound for r in reports]
    bound = float(sum(b for b in bounds if b is not None)) if None not in bounds else None
    gap = (None if bound is None else abs(objective - bound) / max(abs(objective), 1e-9))
    firsts = [c.coverage_report for c in cycles if c.coverage_report is not None]
    status = ("optimal" if all(r.status == "optimal" for r in reports + firsts)
              else "feasible")
    return SolveReport(status, objective, bound, gap,
                       sum(r.seconds for r in reports), reports[0].solver,
                       detail={"cycles": [r.to_dict() for r in reports],
                               "coverage_stages": [r.to_dict() for r in firsts]})


def solve_groups(census: Census, params: GroupParameters | None = None, *,
                 options: SolveOptions | None = None, year: int | None = None,
                 evaluate_after: bool = True, standard: str = "quality-2017") -> PlanResult:
    """Form the groups and their host schedule; see the module docstring for the model."""
    params = params or GroupParameters()
    options = options or SolveOptions()
    year = year or max(census.years)
    strength_standard = load_defaults()["strength"]["standard"]
    ev_strength = evaluate(census, strength_standard, year=year)
    problem = build_problem(census, params, year, ev_strength)
    cycles = solve_cycles(problem, params, options)
    before = after = None
    if evaluate_after:  # the census is unchanged: after is the same summary as before
        ev = ev_strength if standard == strength_standard else evaluate(census, standard,
                                                                         year=year)
        before, after = evaluation_summary(ev), evaluation_summary(ev)
    return plan_result(problem, params, options, cycles, before, after)


def plan_result(problem: GroupProblem, params: GroupParameters, options: SolveOptions,
                cycles: list[Cycle], before: dict[str, Any] | None = None,
                after: dict[str, Any] | None = None) -> PlanResult:
    """Actions (group, host) and tables of a solved grouping."""
    schools = problem.schools
    ids = schools["school_id"].to_numpy()
    names = schools["name"].to_numpy()
    s = schools["strength"].to_numpy(float)
    lon = schools["lon"].to_numpy(float)
    lat = schools["lat"].to_numpy(float)
    detour = float(params.detour or 1.0)
    start = params.start_year if params.start_year is not None else problem.year
    cy = int(params.cycle_years or 1)
    parameters = {**asdict(params), "start_year": start, "time_limit": options.time_limit,
                  "mip_gap": options.mip_gap, "seed": options.seed, "year": problem.year}
    report = _combine(cycles)
    preset = load_defaults()["kinds"][params.kind]
    actions: list[dict[str, Any]] = []
    table: list[dict[str, Any]] = []
    spread: list[dict[str, Any]] = []
    role: dict[int, tuple[str, str]] = {}
    pinned_pairs = {(m, rows[0]) for rows in problem.pinned.values() for m in rows[1:]}
    exceptions: list[dict[str, Any]] = []
    hosts: list[dict[str, Any]] = []
    term_labels = _terms(start, int(params.terms or 0))
    for cycle in cycles:
        gids = _group_ids(problem, params, cycle)
        first, last = start + cy * (cycle.index - 1), start + cy * cycle.index - 1
        means = []
        for core in sorted(cycle.groups, key=lambda j: gids[j]):
            members = sorted(cycle.groups[core], key=lambda m: (-s[m], str(ids[m])))
            gid = gids[core]
            rows = [core, *members]
            mean = float(s[rows].mean())
            means.append(mean)
            km = pair_km(lon, lat, np.array(members, int), np.full(len(members), core), detour)
            max_km = float(km.max()) if len(km) else 0.0
            weakest = float(s[members].min()) if members else None
            strongest = float(s[members].max()) if members else None
            actions.append({
                "type": "group", "group_id": gid, "core_id": str(ids[core]),
                "member_ids": [str(ids[m]) for m in members], "kind": params.kind,
                "cycle": cycle.index, "start_year": first, "end_year": last,
                "core_name": str(names[core]), "member_names": [str(names[m]) for m in members],
                "strength": round(mean, 4), "max_km": round(max_km, 2),
                "reason": (f"核心校{names[core]}（强度 {s[core]:.2f}）带动 {len(members)} 所成员校"
                           f"（强度 {weakest:.2f}–{strongest:.2f}）；组均强度 {mean:.2f}"
                           f"（全县 {problem.target:.2f}）；成员校距核心校最远 {max_km:.1f} 公里"
                           if members else f"核心校{names[core]}（强度 {s[core]:.2f}）"),
                "reason_en": (f"core {names[core]} (strength {s[core]:.2f}) leads {len(members)} "
                              f"members (strength {weakest:.2f}–{strongest:.2f}); group mean "
                              f"{mean:.2f} (county {problem.target:.2f}); farthest member "
                              f"{max_km:.1f} km from the core" if members else
                              f"core {names[core]} (strength {s[core]:.2f})"),
            })
            table.append({
                "group_id": gid, "cycle": cycle.index, "kind": params.kind,
                "core_id": str(ids[core]), "core_name": str(names[core]),
                "member_ids": [str(ids[m]) for m in members],
                "member_names": [str(names[m]) for m in members], "size": len(rows),
                "core_strength": round(float(s[core]), 4),
                "member_strength_min": None if weakest is None else round(weakest, 4),
                "mean_strength": round(mean, 4),
                "deviation": round(abs(float((s[rows] - problem.target).sum())), 4),
                "max_km": round(max_km, 2), "total_km": round(float(km.sum()), 2),
                "townships": sorted({str(t) for t in schools["township"].to_numpy()[rows]
                                     if t is not None and not pd.isna(t)}),
            })
            if cycle.index == 1:
                role[core] = ("core", gid)
                role.update({m: ("member", gid) for m in members})
            for m, k_m in zip(members, km, strict=True):
                if (m, core) not in pinned_pairs or cycle.index != 1:
                    continue
                broken = []
                if k_m > float(params.max_km or 0.0) + 1e-9:
                    broken.append("max_km")
                if not _rule_ok(schools, np.array([m]), np.array([core]), params)[0]:
                    broken.append("member_rule" if not params.same_stage
                                  else "member_rule/same_stage")
                if broken:
                    exceptions.append({"group_id": gid, "core_id": str(ids[core]),
                                       "member_id": str(ids[m]), "km": round(float(k_m), 2),
                                       "rules": broken})
            if params.host_rotation:
                order = host_order(problem, core, members)
                span = range(2 * cy * (cycle.index - 1),
                             len(term_labels) if cycle.index == len(cycles)
                             else min(2 * cy * cycle.index, len(term_labels)))
                for n_term, t in enumerate(span):
                    host = order[n_term % len(order)]
                    hosts.append({
                        "type": "host", "group_id": gid, "school_id": str(ids[host]),
                        "term": term_labels[t], "term_index": t + 1, "cycle": cycle.index,
                        "school_name": str(names[host]),
                        "reason": f"本学期由{names[host]}主持{preset['name_zh']}活动（每学期轮换）",
                        "reason_en": f"{names[host]} hosts the {preset['name_en']}'s "
                                     f"activities this term (rotating every semester)"})
        spread.append({
            "cycle": cycle.index, "groups": len(cycle.groups),
            "schools_grouped": sum(1 + len(v) for v in cycle.groups.values()),
            "mean_strength_min": round(min(means), 4) if means else None,
            "mean_strength_max": round(max(means), 4) if means else None,
            "range": round(max(means) - min(means), 4) if means else None,
            "sd": round(float(np.std(means)), 4) if means else None,
            "county_mean": round(problem.target, 4), "evenness": round(cycle.evenness, 6),
            "km_total": round(cycle.km_total, 2), "status": cycle.report.status,
            "objective": cycle.report.objective, "bound": cycle.report.bound,
            "gap": cycle.report.gap, "seconds": round(cycle.report.seconds, 3),
            "formulation": cycle.report.detail.get("formulation"),
            "coverage_status": None if cycle.coverage_report is None
            else cycle.coverage_report.status,
            "coverage_bound": None if cycle.coverage_report is None
            or cycle.coverage_report.bound is None else -cycle.coverage_report.bound})
    actions.extend(hosts)
    S = len(schools)
    warnings = []
    for row in spread:
        row["share"] = round(row["schools_grouped"] / S, 4) if S else None
        row["coverage_met"] = bool(S) and row["schools_grouped"] >= math.ceil(
            float(params.min_coverage or 0.0) * S - 1e-9)
        if not row["coverage_met"]:
            warnings.append({
                "zh": f"第 {row['cycle']} 轮只能组成覆盖 {row['share']:.0%} 学校的分组（目标 "
                      f"{params.min_coverage:.0%}）：{params.max_km:g} 公里内可换的新搭档不足；"
                      f"可放宽 max_km，或让其余学校沿用上一轮的分组",
                "en": f"cycle {row['cycle']} groups only {row['share']:.0%} of the schools "
                      f"(target {params.min_coverage:.0%}): too few new partners within "
                      f"{params.max_km:g} km; relax max_km or let the other schools keep "
                      f"the previous cycle's groups"})
    grouped = sum(1 + len(v) for v in cycles[0].groups.values()) if cycles else 0
    coverage = {"grouped": grouped, "eligible": S,
                "share": round(grouped / S, 4) if S else None,
                "target": params.min_coverage,
                "met": bool(S and grouped / S >= float(params.min_coverage or 0) - 1e-9),
                "not_eligible": len(problem.ineligible),
                "share_of_all": round(grouped / (S + len(problem.ineligible)), 4)
                if S + len(problem.ineligible) else None}
    strength_table = [{
        "school_id": str(ids[r]), "name": str(names[r]), "locale": schools["locale"].iloc[r],
        "township": schools["township"].iloc[r], "strength": round(float(s[r]), 4),
        "core_candidate": bool(schools["candidate"].iloc[r]),
        "role": role.get(r, ("none", None))[0], "group_id": role.get(r, ("none", None))[1]}
        for r in np.argsort(-s, kind="stable")]
    extra: dict[str, Any] = {
        "kind": params.kind, "kind_name": {"zh": preset["name_zh"], "en": preset["name_en"]},
        "coverage": coverage, "groups": table, "strength_spread": spread,
        "strength": strength_table, "not_eligible": problem.ineligible,
        "pinned_exceptions": exceptions, "warnings": warnings,
        "strength_method": {
            "zh": f"学校各学段按优质均衡 7 项指标计算 min(指标值/标准值, "
                  f"{params.strength_cap:g}) 的平均，再按学生数加权；达到全部标准的学校得分为 1",
            "en": f"per school part, the mean over the quality-2017 indicators of min(value / "
                  f"standard, {params.strength_cap:g}); pupil-weighted over the school's parts; "
                  f"a school at every standard scores 1"},
        "objective_terms": {"evenness": "Σ_groups |Σ_schools (strength − county mean)|",
                            "km_weight": params.km_weight,
                            "km": "Σ core–member km (great circle × detour)"},
        "after_note": "groups change no census figure: after = before (the current census)",
        "solve_details": {f"cycle {c.index}": {k: v for k, v in c.report.detail.items()}
                          for c in cycles},
    }
    if not cycles:
        extra["note"] = "no solution within the time limit"
    elif len(cycles) < int(params.cycles or 1):
        extra["note"] = (f"time limit reached: {len(cycles)} of {params.cycles} cycles "
                         f"solved")
    return PlanResult("groups", report, parameters, actions, before, after, extra)
