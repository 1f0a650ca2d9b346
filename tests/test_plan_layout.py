"""Layout and catchment planners: brute force on tiny counties, rules held in every plan."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from junheng.cli.main import cli
from junheng.data.census import Census, load_census
from junheng.data.io import write_workbook
from junheng.data.synth import synthesize
from junheng.plan.catchment import CatchmentParameters, _adjacency, solve_catchment
from junheng.plan.distances import great_circle_km
from junheng.plan.layout import COHORT_GRADES, LayoutParameters, solve_layout
from junheng.plan.solver import InfeasibleError, SolveOptions

FAST = SolveOptions(time_limit=30, mip_gap=0.0, threads=1)
LAT0 = 38.0
KM_LON = 1 / (111.32 * math.cos(math.radians(LAT0)))
KM_LAT = 1 / 110.57


def tiny_county(tmp_path: Path, schools: list[dict], villages: list[dict],
                sites: list[dict] | None = None) -> Census:
    """A county on a km grid near (114°E, 38°N): schools and villages given in km."""
    srows, yrows = [], []
    for s in schools:
        sid = s["id"]
        srows.append({"school_id": sid, "name": f"学校{sid}", "county_code": "130000",
                      "county_name": "测试县", "township": s.get("township", "甲镇"),
                      "type": s.get("type", "junior"), "ownership": "public",
                      "affiliation": "county", "locale": "rural",
                      "lon": 114 + s["x"] * KM_LON, "lat": LAT0 + s["y"] * KM_LAT,
                      "boarding": s.get("boarding", 0)})
        j = s.get("junior", 100)
        p = s.get("primary", 0)
        yrows.append({"school_id": sid, "year": 2025, "students_primary": p,
                      "students_junior": j, "classes_primary": -(-p // 40),
                      "classes_junior": -(-j // 45), "teaching_aux_area": 6.0 * (p + j),
                      "sports_area": 11.0 * (p + j), "equipment_value": 2600.0 * (p + j),
                      "computers": 10, "books": 30 * (p + j), "multimedia_classrooms": 3,
                      "design_capacity": s["capacity"], "teachers_junior": j // 10 + 1,
                      "teachers_primary": p // 10 + (1 if p else 0)})
    vrows = [{"village_id": v["id"], "name": f"村{v['id']}", "township": v.get("township",
                                                                                 "甲镇"),
              "lon": 114 + v["x"] * KM_LON, "lat": LAT0 + v["y"] * KM_LAT,
              "population": 2000, "children_primary": v.get("primary", 0),
              "children_junior": v.get("junior", 0), "terrain": v.get("terrain", "plain")}
             for v in villages]
    tables = {"schools": pd.DataFrame(srows), "school_years": pd.DataFrame(yrows),
              "villages": pd.DataFrame(vrows)}
    if sites:
        tables["sites"] = pd.DataFrame([{
            "site_id": s["id"], "lon": 114 + s["x"] * KM_LON, "lat": LAT0 + s["y"] * KM_LAT,
            "max_capacity": s["capacity"], "build_cost_per_place": s.get("cost", 1000.0),
            "fixed_cost": s.get("fixed", 0.0)} for s in sites])
    path = write_workbook(tables, tmp_path / f"c{len(list(tmp_path.iterdir()))}", lang="en")
    return load_census(path)


def brute_force_layout(census: Census, params: LayoutParameters) -> float:
    """Enumerate open sets and single-source assignments of junior-only villages."""
    from junheng.plan.layout import build_model, build_problem

    problem = build_problem(census, params, 2025)
    model = build_model(problem, params)
    pairs, dests, cohorts = problem.pairs, problem.dests, problem.cohorts
    options = {v: pairs.index[pairs["cohort_idx"] == v].tolist() for v in range(len(cohorts))}
    best = math.inf
    capacity = dests["capacity"].to_numpy()
    limit = dests["expand_limit"].to_numpy()
    for choice in itertools.product(*options.values()):
        x = np.zeros(len(pairs))
        x[list(choice)] = 1.0
        load = np.zeros(len(dests))
        for k in choice:
            load[pairs["dest_idx"].iloc[k]] += cohorts["pupils"].iloc[pairs["cohort_idx"].iloc[k]]
        used = load > 0
        if params.max_schools is not None and used.sum() > params.max_schools:
            continue
        if np.any(load > capacity + limit + 1e-9) or np.any(load > dests["size_cap"]):
            continue
        expand = np.maximum(load - capacity, 0.0)
        travel = float(model.c[: len(pairs)] @ x)
        cost = params.cost_weight * float(
            dests["cost_per_place"].to_numpy() @ expand
            + dests["fixed_cost"].to_numpy() @ (used & (dests["kind"] == "site").to_numpy()))
        best = min(best, travel + cost)
    return best


@pytest.mark.parametrize("max_schools", [None, 2, 1])
def test_layout_matches_brute_force_on_a_tiny_county(tmp_path: Path, max_schools) -> None:
    schools = [{"id": "A", "x": 0, "y": 0, "capacity": 300},
               {"id": "B", "x": 6, "y": 0, "capacity": 150},
               {"id": "C", "x": 3, "y": 5, "capacity": 120}]
    villages = [{"id": f"V{i}", "x": x, "y": y, "junior": n} for i, (x, y, n) in enumerate(
        [(0.5, 0.5, 80), (5.5, 0.2, 60), (3, 4, 50), (2, 2, 40), (6, 3, 70), (1, 4, 30)])]
    census = tiny_county(tmp_path, schools, villages)
    params = LayoutParameters(max_km={"primary_lower": 3, "primary_upper": 5, "junior": 12},
                              max_schools=max_schools, expansion_share=0.5)
    plan = solve_layout(census, params, options=FAST, evaluate_after=False)
    assert plan.status == "optimal"
    assert plan.report.objective == pytest.approx(brute_force_layout(census, params), rel=1e-6)


def _check_plan_rules(plan, census: Census, params: LayoutParameters) -> None:
    acts = plan.actions
    assigns = [a for a in acts if a["type"] == "assign"]
    closed = {a["school_id"] for a in acts if a["type"] == "close"}
    opened = {a.get("school_id") or a.get("site_id") for a in acts
              if a["type"] in ("keep", "expand", "build")}
    keys = [(a["village_id"], a["grades"]) for a in assigns]
    assert len(keys) == len(set(keys)), "a cohort assigned twice"
    schools = census["schools"].set_index("school_id")
    boarding_ok = schools["boarding"].fillna(False).astype(bool).to_dict()
    terrain = census["villages"].set_index("village_id")["terrain"].to_dict()
    load: dict[str, float] = {}
    for a in assigns:
        dest = a.get("school_id") or a.get("site_id")
        assert dest in opened and dest not in closed
        load[dest] = load.get(dest, 0.0) + a["pupils"]
        lo = int(a["grades"].split("-")[0])
        cohort = next(c for c, g in COHORT_GRADES.items() if g[0] == lo)
        if a["km"] > params.max_km[cohort] + 1e-6:
            if a["boarding"]:
                stage = a["stage"]
                assert lo >= (params.boarding_from_grade[stage] or 99)
                assert boarding_ok.get(dest, params.sites_boarding)
                assert not (stage == "primary" and terrain[a["village_id"]] == "plain"
                            and not params.primary_boarding_in_plain)
                assert a["km"] <= params.max_boarding_km + 1e-6
            else:
                assert a["beyond_limit"], a
    caps = {a.get("school_id") or a.get("site_id"): a for a in acts
            if a["type"] in ("keep", "expand", "build")}
    for dest, pupils in load.items():
        assert pupils <= params.size_cap_one_through + 1e-6
        if dest in params.must_close:
            raise AssertionError("must-close school kept")
    for sid in params.must_keep:
        assert sid in opened
    if params.max_schools is not None:
        assert len(opened) <= params.max_schools
    if params.budget is not None:
        spent = sum(a.get("cost", 0.0) for a in acts if a["type"] in ("expand", "build"))
        assert spent <= params.budget + 1e-6
    assert caps  # something stays open


@pytest.fixture(scope="module")
def small_county(tmp_path_factory: pytest.TempPathFactory) -> Census:
    path = tmp_path_factory.mktemp("synth") / "c.xlsx"
    write_workbook(synthesize("plain", 4, schools=14), path)
    return load_census(path)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([None, 10, 12]), st.sampled_from([0.5, 2.0]),
       st.sampled_from([None, 5e6]), st.booleans())
def test_every_layout_plan_keeps_every_rule(small_county: Census, max_schools, share, budget,
                                            keep_first) -> None:
    sid = small_county["schools"]["school_id"].iloc[0]
    params = LayoutParameters(max_schools=max_schools, expansion_share=share, budget=budget,
                              must_keep=[sid] if keep_first else [],
                              max_km={"primary_lower": 4, "primary_upper": 6, "junior": 15})
    try:
        plan = solve_layout(small_county, params, options=SolveOptions(time_limit=20),
                            evaluate_after=False)
    except InfeasibleError as exc:
        assert exc.reasons and exc.message("zh")
        return
    assert plan.status in ("optimal", "feasible")
    assert plan.report.bound <= plan.report.objective + 1e-6
    _check_plan_rules(plan, small_county, params)


def test_far_village_without_boarding_is_explained(tmp_path: Path) -> None:
    schools = [{"id": "A", "x": 0, "y": 0, "capacity": 300, "type": "primary", "primary": 100,
                "junior": 0}]
    villages = [{"id": "V1", "x": 1, "y": 0, "primary": 60},
                {"id": "V2", "x": 30, "y": 0, "primary": 40}]
    census = tiny_county(tmp_path, schools, villages)
    params = LayoutParameters(allow_exceptions=False)
    with pytest.raises(InfeasibleError) as info:
        solve_layout(census, params, options=FAST)
    assert "村V2" in info.value.message("zh") and "3 km" in info.value.message("zh")
    # allowed as a reported exception instead
    plan = solve_layout(census, LayoutParameters(), options=FAST, evaluate_after=False)
    assert plan.to_dict()["exceptions"]["villages"] == ["V2"]


def test_capacity_shortage_names_township_and_numbers(tmp_path: Path) -> None:
    schools = [{"id": "A", "x": 0, "y": 0, "capacity": 100, "township": "乙乡"}]
    villages = [{"id": "V1", "x": 1, "y": 0, "junior": 400, "township": "乙乡"}]
    census = tiny_county(tmp_path, schools, villages)
    with pytest.raises(InfeasibleError) as info:
        solve_layout(census, LayoutParameters(expansion_share=0.5), options=FAST)
    text = info.value.message("zh")
    assert "乡镇乙乡" in text and "150" in text and "400" in text


def test_new_site_is_built_before_a_school_closes(tmp_path: Path) -> None:
    schools = [{"id": "A", "x": 0, "y": 0, "capacity": 100},
               {"id": "B", "x": 20, "y": 0, "capacity": 100}]
    villages = [{"id": "V1", "x": 10, "y": 0, "junior": 150},
                {"id": "V2", "x": 11, "y": 1, "junior": 50}]
    sites = [{"id": "S1", "x": 10.5, "y": 0.5, "capacity": 300, "cost": 100.0}]
    census = tiny_county(tmp_path, schools, villages, sites)
    plan = solve_layout(census, LayoutParameters(max_schools=1), options=FAST)
    kinds = {a.get("school_id") or a.get("site_id"): a for a in plan.actions
             if a["type"] != "assign"}
    assert kinds["S1"]["type"] == "build" and kinds["S1"]["phase"] == 1
    assert kinds["A"]["type"] == "close" and kinds["A"]["phase"] == 3
    assert all(a["phase"] == 2 for a in plan.actions if a["type"] == "assign")
    assert plan.after is not None and plan.before is not None


def test_time_limit_is_passed_to_the_solver(small_county: Census) -> None:
    options = SolveOptions(time_limit=0.05, mip_gap=0.0)
    try:
        plan = solve_layout(small_county, LayoutParameters(max_schools=9, expansion_share=2.0),
                            options=options, evaluate_after=False)
    except InfeasibleError:
        return
    assert plan.report.seconds < 5.0
    assert plan.status in ("optimal", "feasible", "no_solution")


# ---------------------------------------------------------------- catchment


def test_catchment_lp_is_integral_and_beats_whole_villages(small_county: Census) -> None:
    params = CatchmentParameters(capacity_slack=1.5)
    lp = solve_catchment(small_county, params, options=FAST, evaluate_after=False)
    assert lp.status == "optimal" and lp.extra["lp_integral"] is True
    assert all(float(a["pupils"]).is_integer() for a in lp.actions)
    mip = solve_catchment(small_county, CatchmentParameters(capacity_slack=1.5,
                                                            whole_villages=True),
                          options=FAST, evaluate_after=False)
    assert mip.extra["split_cohorts"] == 0
    assert lp.report.objective <= mip.report.objective + 1e-6
    for plan in (lp, mip):
        for u in plan.extra["utilisation"]:
            assert u["pupils"] <= u["capacity"] + 1e-6


def test_catchment_utilisation_band_holds(small_county: Census) -> None:
    params = CatchmentParameters(capacity_slack=1.5, utilisation=(0.2, 1.0))
    try:
        plan = solve_catchment(small_county, params, options=FAST, evaluate_after=False)
    except InfeasibleError as exc:
        assert "20%" in exc.message("zh")
        return
    for u in plan.extra["utilisation"]:
        assert u["pupils"] >= 0.2 * u["capacity"] - 1e-6


def test_contiguous_catchments_are_connected(tmp_path: Path) -> None:
    schools = [{"id": "A", "x": 0, "y": 0, "capacity": 400},
               {"id": "B", "x": 8, "y": 0, "capacity": 400}]
    villages = [{"id": f"V{i}{j}", "x": i * 2 - 1, "y": j * 2 - 2, "junior": 30}
                for i in range(5) for j in range(3)]
    census = tiny_county(tmp_path, schools, villages)
    plan = solve_catchment(census, CatchmentParameters(contiguous=True), options=FAST,
                           evaluate_after=False)
    assert plan.status == "optimal"
    v = census["villages"].reset_index(drop=True)
    arcs = _adjacency(v)
    ids = list(v["village_id"])
    for school in ("A", "B"):
        members = {a["village_id"] for a in plan.actions if a["school_id"] == school}
        if not members:
            continue
        srow = census["schools"].set_index("school_id").loc[school]
        km = great_circle_km(np.array([srow["lon"]]), np.array([srow["lat"]]),
                             v["lon"].to_numpy(float), v["lat"].to_numpy(float))[0]
        start = ids[int(np.argmin(np.where([i in members for i in ids], km, np.inf)))]
        seen, todo = {start}, [start]
        while todo:
            cur = ids.index(todo.pop())
            for a, b in arcs:
                if a == cur and ids[b] in members and ids[b] not in seen:
                    seen.add(ids[b])
                    todo.append(ids[b])
        assert seen == members, (school, members - seen)


# ---------------------------------------------------------------- CLI


def test_cli_plan_exit_codes_and_files(tmp_path: Path, small_county: Census) -> None:
    runner = CliRunner()
    path = small_county.source
    res = runner.invoke(cli, ["plan", "catchment", str(path), "--out", str(tmp_path / "c"),
                              "--param", "capacity_slack=1.5", "--time-limit", "20"])
    assert res.exit_code == 0, res.output
    for name in ("plan.json", "plan.xlsx", "plan.html", "plan.pdf"):
        assert (tmp_path / "c" / name).exists()
    sheets = pd.read_excel(tmp_path / "c" / "plan.xlsx", sheet_name=None, engine="calamine")
    assert set(sheets) == {"概要", "调整清单", "调整前后", "上学距离", "学校学位利用率"}
    import json

    data = json.loads((tmp_path / "c" / "plan.json").read_text(encoding="utf-8"))
    assert data["planner"] == "catchment" and data["status"] == "optimal"
    assert {"objective", "bound", "gap", "solve_seconds", "parameters", "actions", "before",
            "after"} <= set(data)
    assert data["parameters"]["capacity_slack"] == 1.5
    res = runner.invoke(cli, ["plan", "layout", str(path), "--out", str(tmp_path / "l"),
                              "--param", "expansion_share=0", "--param", "max_schools=1"])
    assert res.exit_code == 3 and "无可行方案" in res.output
    res = runner.invoke(cli, ["plan", "layout", str(path), "--out", str(tmp_path / "l"),
                              "--param", "nonsense=1"])
    assert res.exit_code == 2
    res = runner.invoke(cli, ["plan", "layout", str(path), "--out", str(tmp_path / "l"),
                              "--param", "max_km=3"])
    assert res.exit_code == 2 and "max_km" in res.output and "dict[str, float]" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(cli, ["plan", "quotas", str(path), "--out", str(tmp_path / "q")])
    assert res.exit_code == 2 and "total_places" in res.output  # a required parameter


def test_layout_report_shows_the_before_and_after_map(small_county: Census) -> None:
    from junheng.report.plan import render_plan_html

    params = LayoutParameters(max_schools=10, expansion_share=2.0,
                              max_km={"primary_lower": 4, "primary_upper": 6, "junior": 15})
    plan = solve_layout(small_county, params, options=FAST, evaluate_after=False)
    geo = plan.to_dict()["map"]
    fate = {s["id"]: s["fate"] for s in geo["schools"]}
    closed = {a["school_id"] for a in plan.actions if a["type"] == "close"}
    assert closed and {k for k, v in fate.items() if v == "close"} == closed
    pupils = {v["id"]: v["pupils"] for v in geo["villages"]}
    for when in ("before", "after"):
        total: dict[str, float] = {}
        for village, _stage, school, n in geo["links"][when]:
            total[village] = total.get(village, 0.0) + n
            assert when == "before" or fate[school] != "close"
        if when == "after":  # every child drawn once
            assert total == pytest.approx(pupils, abs=0.2)
        else:  # a child with no existing school in reach has no "before" line
            assert all(total[v] <= pupils[v] + 0.2 for v in total)
    page = render_plan_html(plan, "zh")
    assert "布局示意图" in page and page.count("<svg") == 1
    assert "调整前（就近入读现有学校）" in page and "撤并" in page and "上学距离" in page
    assert "Map: before and after" in render_plan_html(plan, "en")


def test_same_seed_single_thread_gives_the_same_plan(small_county: Census) -> None:
    params = LayoutParameters(max_schools=10, expansion_share=2.0,
                              max_km={"primary_lower": 4, "primary_upper": 6, "junior": 15})
    options = SolveOptions(time_limit=20, mip_gap=0.0, seed=7, threads=1)
    a = solve_layout(small_county, params, options=options, evaluate_after=False)
    b = solve_layout(small_county, params, options=options, evaluate_after=False)
    assert a.actions == b.actions and a.report.objective == b.report.objective
    assert a.to_dict()["parameters"]["seed"] == 7


def test_a_loose_gap_is_honoured_and_reported(small_county: Census) -> None:
    params = LayoutParameters(max_schools=10, expansion_share=2.0,
                              max_km={"primary_lower": 4, "primary_upper": 6, "junior": 15})
    tight = solve_layout(small_county, params, options=SolveOptions(time_limit=20, mip_gap=0.0),
                         evaluate_after=False)
    loose = solve_layout(small_county, params, options=SolveOptions(time_limit=20, mip_gap=0.2),
                         evaluate_after=False)
    assert tight.report.gap == pytest.approx(0.0, abs=1e-6)
    assert loose.report.gap <= 0.2 + 1e-9
    assert loose.report.objective >= tight.report.objective - 1e-6
    assert loose.report.bound <= tight.report.objective + 1e-6
