"""Catchment planner (划片招生): with the open schools fixed, zone villages to schools.

The base model is a transportation problem: cohorts (village × stage) supply
pupils, schools receive them within their places::

    min  Σ_vj d_vj x_vj
    s.t. Σ_j x_vj = n_v                   every pupil placed
         lo·K_j ≤ Σ_v x_vj ≤ hi·K_j        capacity and optional utilisation band
         x ≥ 0

Its constraint matrix is the incidence matrix of a bipartite graph, hence
totally unimodular: with whole-number pupils and places every vertex of the
LP is integral, so it is solved as an LP (simplex returns a vertex) — fast, and
optimal for the integer problem. A basic solution splits at most J − 1
cohorts between schools; ``whole_villages=True`` forbids splits (a generalised
assignment problem, solved as a MIP), and ``contiguous=True`` additionally
makes each school's catchment connected in the village adjacency graph
(Delaunay neighbours), through the school itself, by distance-ordered
contiguity constraints (see ``_contiguity_rows``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from junheng.data.census import Census
from junheng.evaluate import evaluate
from junheng.plan.distances import village_distances
from junheng.plan.layout import STAGE_TYPES, _num, plan_map, travel_statistics
from junheng.plan.params import check_types
from junheng.plan.result import PlanResult, evaluation_summary
from junheng.plan.solver import InfeasibleError, SolveOptions, solve_mip


@dataclass
class CatchmentParameters:
    """Rules of the zoning model, with defaults."""

    max_km: dict[str, float] = field(default_factory=lambda: {"primary": 15.0, "junior": 30.0})
    detour: dict[str, float] = field(default_factory=lambda: {
        "plain": 1.3, "hill": 1.45, "mountain": 1.6, "default": 1.3})
    utilisation: tuple[float, float] = (0.0, 1.0)  # e.g. (0.7, 1.0): each school 70–100 % full
    whole_villages: bool = False
    contiguous: bool = False
    capacity_slack: float = 1.0  # multiply places (e.g. 1.1 allows 10 % over design capacity)

    def __post_init__(self) -> None:
        check_types(self)
        lo, hi = self.utilisation
        if not 0 <= lo <= hi:
            raise ValueError("The 'utilisation' parameter of CatchmentParameters must be a "
                             f"pair 0 <= low <= high. Got {self.utilisation} instead.")
        if self.contiguous:
            self.whole_villages = True


def _problem(census: Census, params: CatchmentParameters, year: int
             ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    schools = census["schools"]
    years = census["school_years"]
    rows = years[years["year"] == year].set_index("school_id")
    scope = schools[(schools["ownership"] == "public") & (schools["affiliation"] == "county")
                    & schools["school_id"].isin(rows.index) & schools["lon"].notna()
                    & schools["lat"].notna()]
    dests = []
    for rec in scope.to_dict("records"):
        y = rows.loc[rec["school_id"]]
        stages = [s for s in ("primary", "junior") if rec["type"] in STAGE_TYPES[s]]
        if not stages:
            continue
        cap = _num(y.get("design_capacity"))
        if cap <= 0:
            cap = _num(y.get("students_primary")) + _num(y.get("students_junior"))
        dests.append({"dest_id": rec["school_id"], "name": rec["name"], "lon": rec["lon"],
                      "lat": rec["lat"], "township": rec["township"],
                      "primary": "primary" in stages, "junior": "junior" in stages,
                      "capacity": float(np.floor(cap * params.capacity_slack))})
    dest_frame = pd.DataFrame(dests)
    villages = census["villages"]
    villages = villages[villages["lon"].notna() & villages["lat"].notna()].reset_index(drop=True)
    cohorts = []
    for rec in villages.to_dict("records"):
        for stage in ("primary", "junior"):
            n = _num(rec.get(f"children_{stage}"))
            if n > 0:
                cohorts.append({"village_id": rec["village_id"], "name": rec["name"],
                                "township": rec.get("township"), "stage": stage,
                                "pupils": float(round(n)), "vrow": len(cohorts)})
    cohort_frame = pd.DataFrame(cohorts)
    if dest_frame.empty or cohort_frame.empty:
        raise InfeasibleError(["没有可划片的学校或村(社区)"], ["no school or village to zone"])
    pairs = village_distances(census, villages[["village_id", "lon", "lat", "terrain"]],
                              dest_frame[["dest_id", "lon", "lat"]], params.detour,
                              max(params.max_km.values()))
    base = pd.DataFrame({"vi": pairs.village, "dest_idx": pairs.dest, "km": pairs.km})
    vpos = pd.Index(villages["village_id"])
    cf = cohort_frame.assign(vi=vpos.get_indexer(cohort_frame["village_id"]))
    merged = cf[["vrow", "vi", "stage"]].merge(base, on="vi")
    offers = np.where(merged["stage"] == "primary",
                      dest_frame["primary"].to_numpy()[merged["dest_idx"]],
                      dest_frame["junior"].to_numpy()[merged["dest_idx"]])
    within = merged["km"].to_numpy() <= merged["stage"].map(params.max_km).to_numpy(float)
    pair_frame = merged.loc[offers & within, ["vrow", "vi", "dest_idx", "km"]].rename(
        columns={"vrow": "cohort_idx"}).reset_index(drop=True)
    return dest_frame, cohort_frame, pair_frame, villages


def _adjacency(villages: pd.DataFrame) -> np.ndarray:
    """Village adjacency: Delaunay neighbours (both directions), as an array of arcs."""
    from scipy.spatial import Delaunay

    pts = np.column_stack([villages["lon"].to_numpy(float) *
                           np.cos(np.radians(villages["lat"].to_numpy(float).mean())),
                           villages["lat"].to_numpy(float)])
    if len(pts) < 3:
        return np.array([[0, 1], [1, 0]]) if len(pts) == 2 else np.zeros((0, 2), int)
    tri = Delaunay(pts)
    edges = np.vstack([tri.simplices[:, [0, 1]], tri.simplices[:, [1, 2]],
                       tri.simplices[:, [0, 2]]])
    edges = np.unique(np.sort(edges, axis=1), axis=0)
    return np.vstack([edges, edges[:, ::-1]])


def solve_catchment(census: Census, params: CatchmentParameters | None = None, *,
                    options: SolveOptions | None = None, year: int | None = None,
                    evaluate_after: bool = True, standard: str = "quality-2017") -> PlanResult:
    """Zone every village's pupils to the open schools; see the module docstring."""
    params = params or CatchmentParameters()
    options = options or SolveOptions()
    year = year or max(census.years)
    dests, cohorts, pairs, villages = _problem(census, params, year)
    _precheck(dests, cohorts, pairs, params)
    P, J, V = len(pairs), len(dests), len(cohorts)
    ci = pairs["cohort_idx"].to_numpy()
    dj = pairs["dest_idx"].to_numpy()
    n = cohorts["pupils"].to_numpy(float)
    cap = dests["capacity"].to_numpy(float)
    lo, hi = params.utilisation
    whole = params.whole_villages
    # columns: x_vj = pupils (LP) or the assignment flag (MIP)
    coef = n[ci] if whole else np.ones(P)
    c = pairs["km"].to_numpy() * (n[ci] if whole else 1.0)
    rows_r = [ci, V + dj]
    rows_c = [np.arange(P), np.arange(P)]
    vals = [np.ones(P), coef]
    row_lb = [np.ones(V) if whole else n, np.ceil(lo * cap - 1e-9)]
    row_ub = [np.ones(V) if whole else n, np.floor(hi * cap + 1e-9)]
    n_cols = P
    integer = np.full(P, whole)
    ub = np.ones(P) if whole else n[ci]
    if params.contiguous:
        extra = _contiguity_rows(pairs, cohorts, dests, villages, V + J, P)
        rows_r += extra["rows"]
        rows_c += extra["cols"]
        vals += extra["vals"]
        row_lb += extra["lb"]
        row_ub += extra["ub"]
        n_cols = P + extra["n_flow"]
        c = np.concatenate([c, np.zeros(extra["n_flow"])])
        integer = np.concatenate([integer, extra["integer"]])
        ub = np.concatenate([ub, np.where(extra["integer"], 1.0, np.inf)])
    A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows_r), np.concatenate(rows_c))),
                      shape=(int(sum(len(x) for x in row_lb)), n_cols))
    report, sol = solve_mip(c, A, np.concatenate(row_lb), np.concatenate(row_ub),
                            np.zeros(n_cols), ub, integer, options)
    if report.status == "infeasible":
        if params.contiguous:
            raise InfeasibleError(
                ["连片约束下无可行划片方案：部分村庄只能经由离学校更近的相邻村庄划入该校，"
                 "而这些学校学位不足；可提高 capacity_slack、放宽 max_km 或不要求连片"],
                ["no contiguous zoning exists: some villages can join a school only through "
                 "closer neighbouring villages, and those schools lack places; raise "
                 "capacity_slack, relax max_km or drop contiguity"])
        lo, hi = params.utilisation
        raise InfeasibleError(
            [f"在学位及利用率区间 {lo:.0%}–{hi:.0%} 约束下无可行划片方案；请放宽 utilisation "
             "或 max_km"],
            [f"no zoning meets the places and the utilisation band {lo:.0%}-{hi:.0%}; relax "
             "utilisation or max_km"])
    parameters = {**asdict(params), "time_limit": options.time_limit,
                  "mip_gap": options.mip_gap, "seed": options.seed, "year": year}
    if sol is None:
        return PlanResult("catchment", report, parameters, [], extra={"note": "no solution"})
    x = sol[:P]
    pupils = x * n[ci] if whole else x
    if not whole:
        integral = bool(np.allclose(pupils, np.round(pupils), atol=1e-6))
        pupils = np.round(pupils)
    else:
        integral = True
    chosen = pairs.assign(pupils=pupils)[pupils > 0.5].merge(
        cohorts[["vrow", "village_id", "stage"]], left_on="cohort_idx", right_on="vrow")
    chosen["dest_id"] = dests["dest_id"].to_numpy()[chosen["dest_idx"]]
    chosen["boarding"] = False
    split = chosen.groupby("cohort_idx").size()
    actions = [{"type": "assign", "village_id": r["village_id"], "stage": r["stage"],
                "school_id": r["dest_id"], "km": round(float(r["km"]), 3),
                "pupils": int(r["pupils"]), "boarding": False}
               for r in chosen.sort_values(["village_id", "stage"]).to_dict("records")]
    load = chosen.groupby("dest_idx")["pupils"].sum().reindex(range(J), fill_value=0)
    extra: dict[str, Any] = {
        "travel": {"after": travel_statistics(chosen)},
        "lp_integral": integral,
        "split_cohorts": int((split > 1).sum()),
        "utilisation": [{"school_id": d, "capacity": float(k), "pupils": float(u),
                         "share": round(float(u / k), 4) if k else None}
                        for d, k, u in zip(dests["dest_id"], cap, load, strict=True)],
    }
    nearest = pairs.sort_values("km").groupby("cohort_idx", as_index=False).first().merge(
        cohorts[["vrow", "pupils"]], left_on="cohort_idx", right_on="vrow")
    extra["map"] = plan_map(census, dests, cohorts, nearest, chosen, [], before_label="nearest")
    before = after = None
    if evaluate_after:
        before = evaluation_summary(evaluate(census, standard, year=year))
        after = before  # zoning moves no resources; enrolment effects are in `utilisation`
    return PlanResult("catchment", report, parameters, actions, before, after, extra)


def _precheck(dests: pd.DataFrame, cohorts: pd.DataFrame, pairs: pd.DataFrame,
              params: CatchmentParameters) -> None:
    reasons, reasons_en = [], []
    stranded = cohorts[~cohorts["vrow"].isin(set(pairs["cohort_idx"]))]
    for rec in stranded.head(10).to_dict("records"):
        km = params.max_km[rec["stage"]]
        stage_zh = "小学" if rec["stage"] == "primary" else "初中"
        reasons.append(f"村(社区){rec['name']}：{km:g} km 内没有{stage_zh}")
        reasons_en.append(f"village {rec['name']}: no {rec['stage']} school within {km:g} km")
    total_places = float(dests["capacity"].sum() * params.utilisation[1])
    demand = float(cohorts["pupils"].sum())
    if demand > total_places:
        reasons.append(f"全县学位 {total_places:,.0f} < 需求 {demand:,.0f}")
        reasons_en.append(f"county places {total_places:,.0f} < demand {demand:,.0f}")
    if reasons:
        raise InfeasibleError(reasons, reasons_en)


def _contiguity_rows(pairs: pd.DataFrame, cohorts: pd.DataFrame, dests: pd.DataFrame,
                     villages: pd.DataFrame, row0: int, col0: int) -> dict[str, Any]:
    """Distance-ordered contiguity (Zoltners & Sinha 1983; Validi, Buchanan & Lykhovyd 2022).

    The school is a node adjacent to its anchor villages (those whose nearest school of
    the stage it is). Any other village v may join school j only together with an
    adjacent village u that is closer to j:  z_vj ≤ Σ_{u ∈ N(v), d_uj < d_vj} z_uj.
    Following ever-closer neighbours ends at an anchor, so every catchment plus its
    school is connected. The rule is a little stricter than plain connectivity, and
    compact: one row per village–school pair, no extra variables.
    """
    vpos = pd.Index(villages["village_id"])
    arcs = []
    for stage_key in ("primary", "junior"):
        # adjacency among the villages that have pupils of this stage, so that a village
        # without such pupils never cuts a path
        have = np.unique(vpos.get_indexer(
            cohorts.loc[cohorts["stage"] == stage_key, "village_id"]))
        if have.size >= 2:
            a = _adjacency(villages.iloc[have].reset_index(drop=True))
            arcs.append(pd.DataFrame({"vi": have[a[:, 0]], "ui": have[a[:, 1]],
                                      "stage": stage_key}))
    arc_frame = pd.concat(arcs, ignore_index=True) if arcs else pd.DataFrame(
        columns=["vi", "ui", "stage"])
    stage = cohorts["stage"].to_numpy()[pairs["cohort_idx"].to_numpy()]
    frame = pd.DataFrame({"col": np.arange(len(pairs)), "vi": pairs["vi"].to_numpy(),
                          "stage": stage, "dest": pairs["dest_idx"].to_numpy(),
                          "km": pairs["km"].to_numpy()})
    nearest = frame.loc[frame.groupby(["vi", "stage"])["km"].idxmin(), "col"]
    constrained = frame[~frame["col"].isin(nearest)]  # every pair but the anchors
    # closer neighbours: (v, j) joined with the arcs v→u and u's pair with the same j
    closer = constrained.merge(arc_frame, on=["vi", "stage"]).merge(
        frame.rename(columns={"vi": "ui", "col": "ucol", "km": "ukm"}),
        on=["ui", "stage", "dest"])
    closer = closer[closer["ukm"] < closer["km"]]
    index = pd.Index(constrained["col"])
    n_rows = len(constrained)
    rows = [row0 + np.arange(n_rows), row0 + index.get_indexer(closer["col"])]
    cols = [constrained["col"].to_numpy(), closer["ucol"].to_numpy()]
    vals = [np.ones(n_rows), -np.ones(len(closer))]
    lb = [np.full(n_rows, -np.inf)]
    ub = [np.zeros(n_rows)]
    return {"rows": rows, "cols": cols, "vals": vals, "lb": lb, "ub": ub, "n_flow": 0,
            "integer": np.zeros(0, bool)}
