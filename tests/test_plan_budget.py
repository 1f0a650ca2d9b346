"""Budget planner: budget and limits held, passes recomputed by the engine, brute force agrees."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from junheng.data.census import Census, load_census
from junheng.data.io import write_workbook
from junheng.data.synth import synthesize
from junheng.evaluate import evaluate
from junheng.plan.budget import BudgetParameters, budget_defaults, solve_budget
from junheng.plan.solver import InfeasibleError, SolveOptions
from junheng.standards import load_rules

FAST = SolveOptions(time_limit=20, mip_gap=0.0, threads=1)
QUICK = {"compliance": False, "marginal": False}
RULES = load_rules("quality-2017")
INTEGER_ITEMS = {k for k, v in budget_defaults()["items"].items() if v["integer"]}


# ----------------------------------------------------------------------------- counties


def tiny_county(tmp_path: Path, schools: list[dict[str, Any]]) -> Census:
    """A hand-made county: each school gives pupils, classes, facilities and teacher counts."""
    srows, yrows = [], []
    for s in schools:
        srows.append({"school_id": s["id"], "name": f"学校{s['id']}", "county_code": "130000",
                      "county_name": "测试县", "township": "甲镇", "type": s["type"],
                      "ownership": "public", "affiliation": "county",
                      "locale": s.get("locale", "rural"), "lon": 114.0, "lat": 38.0,
                      "boarding": 0})
        row = {"school_id": s["id"], "year": 2025, "design_capacity": 2000,
               "indoor_sports_area": 0.0}
        for stage in ("primary", "junior"):
            n = s.get(stage, 0)
            row[f"students_{stage}"] = n
            row[f"classes_{stage}"] = s.get(f"classes_{stage}", -(-n // 40))
            # teachers: enough of everything unless the school says otherwise
            t = s.get(f"teachers_{stage}", {})
            row[f"teachers_{stage}"] = t.get("teachers", math.ceil(n / 12) if n else 0)
            for short, per100 in (("above_degree", 5.5), ("backbone", 1.1), ("pe_art", 1.0)):
                row[f"{short}_teachers_{stage}"] = t.get(short, math.ceil(n * per100 / 100))
            row[f"mid_title_teachers_{stage}"] = 0
        for col in ("teaching_aux_area", "sports_area", "equipment_value",
                    "multimedia_classrooms"):
            row[col] = s[col]
        row.update(computers=10, books=1000)
        yrows.append(row)
    tables = {"schools": pd.DataFrame(srows), "school_years": pd.DataFrame(yrows)}
    path = write_workbook(tables, tmp_path / f"c{len(list(tmp_path.iterdir()))}", lang="en")
    return load_census(path)


# Three schools: a primary (200), a junior (150), a nine-year school (100 + 80) whose
# facilities are split 100 : 88 between its parts; each misses some facility standards.
TINY = [
    {"id": "A", "type": "primary", "primary": 200, "classes_primary": 5,
     "teaching_aux_area": 800.0, "sports_area": 1300.0, "equipment_value": 330_000.0,
     "multimedia_classrooms": 4},
    {"id": "B", "type": "junior", "junior": 150, "classes_junior": 4,
     "teaching_aux_area": 840.0, "sports_area": 1200.0, "equipment_value": 300_000.0,
     "multimedia_classrooms": 3},
    {"id": "C", "type": "nine_year", "primary": 100, "junior": 80, "classes_primary": 3,
     "classes_junior": 2, "teaching_aux_area": 850.0, "sports_area": 1500.0,
     "equipment_value": 380_000.0, "multimedia_classrooms": 3},
]
TINY_LIMITS = {"max_building_area_added": {"A": 200.0, "B": 100.0, "C": 300.0},
               "max_sports_area_added": {"A": 300.0, "B": 200.0, "C": 400.0}}


# The same county where school A has 8 teachers above the required degree for 200 pupils
# (4.0 per 100: 95 % of 4.2): A's part may then leave no facility standard unmet.
TINY_TEACHER_SHORT = [{**TINY[0], "teachers_primary": {"above_degree": 8}}, *TINY[1:]]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Census:
    return tiny_county(tmp_path_factory.mktemp("budget_tiny"), TINY)


@pytest.fixture(scope="module")
def tiny_short(tmp_path_factory: pytest.TempPathFactory) -> Census:
    return tiny_county(tmp_path_factory.mktemp("budget_tiny_short"), TINY_TEACHER_SHORT)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Census:
    path = tmp_path_factory.mktemp("budget") / "c.xlsx"
    write_workbook(synthesize("plain", 6, schools=24), path)
    return load_census(path)


# ----------------------------------------------------------------------------- checks


def limits(census: Census, params: BudgetParameters, year: int) -> dict[tuple[str, str], float]:
    """The most each school may buy of each item, computed from the parameters directly."""
    cap = {k: int(v) for k, v in next(c for c in RULES.checks
                                      if c["key"] == "class_size")["max"].items()}
    rows = census["school_years"]
    rows = rows[rows["year"] == year].set_index("school_id")
    locale = census["schools"].set_index("school_id")["locale"]
    out: dict[tuple[str, str], float] = {}
    for sid, r in rows.iterrows():
        senior = 0 if pd.isna(r["students_senior"]) else int(r["students_senior"])
        classes = sum(0 if pd.isna(r[f"classes_{s}"]) else int(r[f"classes_{s}"])
                      for s in ("primary", "junior")) + math.ceil(senior / cap["junior"])
        base = {
            "teaching_aux_area": params.max_building_area_added.get(
                sid, params.building_share * float(r["teaching_aux_area"])),
            "sports_area": params.max_sports_area_added.get(
                sid, params.sports_share[locale[sid]] * float(r["sports_area"])),
            "multimedia_classrooms": max(math.floor(params.multimedia_per_class * classes
                                                    + 1e-9) - int(r["multimedia_classrooms"]),
                                         0),
        }
        for item in budget_defaults()["items"]:
            value = params.max_items.get(item, {}).get(sid, base.get(item, math.inf))
            out[sid, item] = 0.0 if sid in params.exclude_schools else value
    return out


def invest(census: Census, actions: list[dict[str, Any]], year: int) -> Census:
    """The census with the plan's purchases added (independently of the planner's code)."""
    years = census["school_years"].copy()
    for a in actions:
        hit = (years["school_id"] == a["school_id"]) & (years["year"] == year)
        assert hit.sum() == 1
        col = years[a["item"]].astype("Float64")
        col[hit] = col[hit] + a["quantity"]
        years[a["item"]] = col
    return Census({**census.tables, "school_years": years}, census.source, None)


def engine_passes(census: Census, year: int, standard: str = "quality-2017"
                  ) -> dict[tuple[str, str], bool | None]:
    ev = evaluate(census, standard, year=year)
    return {(s.school_id, stage): s.passes for stage, st_ in ev.stages.items()
            for s in st_.schools}


def check_plan(plan: Any, census: Census, params: BudgetParameters, year: int = 2025,
               standard: str = "quality-2017") -> dict[tuple[str, str], bool | None]:
    """Every rule of the plan; returns the engine's passes after the plan (when evaluated)."""
    unit = params.unit_costs
    total = 0.0
    seen = set()
    bounds = limits(census, params, year)
    for a in plan.actions:
        assert a["type"] == "invest"
        assert (a["school_id"], a["item"]) not in seen
        seen.add((a["school_id"], a["item"]))
        assert a["quantity"] > 0
        assert a["cost"] == pytest.approx(a["quantity"] * unit[a["item"]], abs=0.01)
        if a["item"] in INTEGER_ITEMS:
            assert float(a["quantity"]).is_integer()
        assert a["quantity"] <= bounds[a["school_id"], a["item"]] + 1e-6, a
        assert a["reason"] and a["reason_zh"]
        total += a["cost"]
    assert total <= params.budget + 1e-6
    assert plan.extra["budget"]["spent"] == pytest.approx(total, abs=0.05)
    assert plan.parameters["budget"] == params.budget
    if plan.after is None:
        return {}
    after = engine_passes(invest(census, plan.actions, year), year, standard)
    # the plan's after-evaluation is the engine's, on the invested census
    failing = {k[0] for k, v in after.items() if v is False}
    got = {s for st_ in plan.after["stages"].values() for s in st_["failing_schools"]}
    assert got == failing
    # every part the model says passes does pass, and the counts agree
    for row in plan.extra["schools"]:
        for stage in ("primary", "junior"):
            if row.get(f"pass_after_{stage}") is True:
                assert after[row["school_id"], stage] is True, (row, stage)
        # the table's quantities and cost are the actions'
        mine = [a for a in plan.actions if a["school_id"] == row["school_id"]]
        assert row["cost"] == pytest.approx(sum(a["cost"] for a in mine), abs=0.05)
        for a in mine:
            assert row[a["item"]] == pytest.approx(a["quantity"])
    if plan.extra["passing"]["after_model"] is not None:
        n = sum(1 for v in after.values() if v is True)
        assert plan.extra["passing"]["after_model"] == n == plan.extra["passing"]["after_engine"]
    return after


# ----------------------------------------------------------------------------- brute force


def brute_force(census: Census, params: BudgetParameters, effective_budget: float) -> int:
    """Most parts passing: enumerate, per part, 'not passing' or 'passing with standard k left
    at >= 85 %' (or none left), buy the least that does it, keep what the budget affords."""
    ev = evaluate(census, "quality-2017", year=2025)
    rule = RULES.school_rule
    floor, allowed = float(rule["remainder_share"]), 7 - int(rule["min_met"])
    bounds = limits(census, params, 2025)
    parts = [(s, stage) for stage, st_ in ev.stages.items() for s in st_.schools]
    facility = {ind.key: ind for ind in RULES.indicators if not ind.per_stage_column}
    choices = []
    for s, stage in parts:
        opts: list[dict[tuple[str, str], float] | None] = [None]
        teacher_fail = [k for k in s.values if k not in facility and s.values[k] <
                        RULES.indicator(k).standard[stage]]
        teacher_floor = all(s.values[k] >= floor * RULES.indicator(k).standard[stage]
                            for k in teacher_fail)
        for left in [None, *facility]:
            if not teacher_floor or len(teacher_fail) + (left is not None) > allowed:
                continue
            need = {}
            for key, ind in facility.items():
                std = ind.standard[stage] * (floor if key == left else 1.0)
                amount = s.values[key] * s.students / ind.scale
                missing = std * s.students / ind.scale - amount
                share = s.share if s.split else 1.0
                need[s.school_id, ind.numerator] = max(missing / share, 0.0)
            opts.append(need)
        choices.append(opts)
    best = 0
    for combo in itertools.product(*choices):
        buy: dict[tuple[str, str], float] = {}
        for need in combo:
            for key, q in (need or {}).items():
                buy[key] = max(buy.get(key, 0.0), q)
        cost = 0.0
        ok = True
        for (sid, item), q in buy.items():
            if item in INTEGER_ITEMS:
                q = math.ceil(q - 1e-9)
            if q > bounds[sid, item] + 1e-9:
                ok = False
                break
            cost += q * params.unit_costs[item]
        if ok and cost <= effective_budget:
            best = max(best, sum(1 for c in combo if c is not None))
    return best


@pytest.mark.parametrize("which", ["tiny", "tiny_short"])
@pytest.mark.parametrize("budget", [0.0, 150_000.0, 250_000.0, 400_000.0, 600_000.0,
                                    800_000.0, 3_000_000.0])
def test_most_parts_passing_matches_brute_force_on_a_tiny_county(
        request: pytest.FixtureRequest, which: str, budget: float) -> None:
    tiny = request.getfixturevalue(which)
    params = BudgetParameters(budget=budget, **TINY_LIMITS, **QUICK)
    plan = solve_budget(tiny, params, options=FAST, evaluate_after=budget in (0.0, 400_000.0))
    check_plan(plan, tiny, params)
    effective = budget - plan.extra["budget"]["rounding_reserve"]
    assert plan.status == "optimal"
    assert plan.extra["passing"]["after_model"] == brute_force(tiny, params, effective)


def test_tiny_county_goes_from_no_part_passing_to_all_with_enough_money(tiny: Census) -> None:
    none = solve_budget(tiny, BudgetParameters(budget=0.0, **TINY_LIMITS, **QUICK),
                        options=FAST)
    assert none.actions == [] and none.extra["passing"]["before"] == 0
    rich = solve_budget(tiny, BudgetParameters(budget=5e6, **TINY_LIMITS, **QUICK),
                        options=FAST)
    assert rich.extra["passing"]["after_engine"] == 4


# ----------------------------------------------------------------------------- properties


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(budget=st.floats(min_value=0, max_value=6e6, allow_nan=False),
       building=st.floats(min_value=0, max_value=1.0),
       per_class=st.sampled_from([1.0, 1.5, 2.0]))
def test_random_budgets_never_overspend_break_limits_or_mispredict(
        county: Census, budget: float, building: float, per_class: float) -> None:
    params = BudgetParameters(budget=budget, building_share=building,
                              multimedia_per_class=per_class, **QUICK)
    plan = solve_budget(county, params, options=FAST)
    check_plan(plan, county, params)


def test_more_budget_never_fewer_passing_parts(county: Census) -> None:
    counts = []
    for budget in (0.0, 5e5, 2e6, 6e6, 2e7):
        plan = solve_budget(county, BudgetParameters(budget=budget, **QUICK), options=FAST,
                            evaluate_after=False)
        assert plan.status == "optimal"
        counts.append(plan.extra["passing"]["after_model"])
    assert counts == sorted(counts)
    assert counts[-1] > counts[0]


def test_limits_and_exclusions_are_kept(county: Census) -> None:
    sids = list(county["schools"]["school_id"])
    params = BudgetParameters(budget=2e7, exclude_schools=sids[:3],
                              max_sports_area_added=dict.fromkeys(sids[3:8], 0.0),
                              max_items={"equipment_value": dict.fromkeys(sids, 50_000.0)},
                              **QUICK)
    plan = solve_budget(county, params, options=FAST)
    check_plan(plan, county, params)
    assert not {a["school_id"] for a in plan.actions} & set(sids[:3])
    assert not [a for a in plan.actions if a["item"] == "sports_area"
                and a["school_id"] in sids[3:8]]


# ----------------------------------------------------------------------------- reports


def test_full_compliance_cost_buys_every_part_that_can_pass(county: Census) -> None:
    plan = solve_budget(county, BudgetParameters(budget=1e6, marginal=False), options=FAST,
                        evaluate_after=False)
    comp = plan.extra["full_compliance"]
    assert comp["status"] == "optimal"
    assert comp["parts_passing"] == comp["passable"] == plan.extra["passing"]["passable"]
    assert 0 < comp["passable"] < comp["parts"]
    assert comp["cannot_pass"] == len(plan.extra["cannot_pass"]) == \
        comp["parts"] - comp["passable"]
    for entry in plan.extra["cannot_pass"]:
        assert entry["reason"] and entry["reason_zh"]
    # a budget of that cost (plus the rounding reserve) lets every passable part pass
    reserve = plan.extra["budget"]["rounding_reserve"]
    params = BudgetParameters(budget=comp["cost"] + reserve, **QUICK)
    full = solve_budget(county, params, options=FAST)
    check_plan(full, county, params)
    assert full.extra["passing"]["after_engine"] == comp["passable"]
    # and a little less never does (the cost is the least one)
    short = BudgetParameters(budget=0.97 * comp["bound_cost"], **QUICK)
    less = solve_budget(county, short, options=FAST, evaluate_after=False)
    assert less.extra["passing"]["after_model"] < comp["passable"]


def test_part_blocked_by_teacher_standard_is_reported_cannot_pass(tmp_path: Path) -> None:
    weak = {**TINY[0], "id": "W", "teachers_primary": {"backbone": 1}}  # 0.5 per 100 < 85 %
    census = tiny_county(tmp_path, [weak, TINY[1]])
    plan = solve_budget(census, BudgetParameters(budget=1e7, marginal=False), options=FAST)
    comp = plan.extra["full_compliance"]
    blocked = [c for c in plan.extra["cannot_pass"] if c["school_id"] == "W"]
    assert len(blocked) == 1
    assert "骨干教师" in blocked[0]["reason_zh"] and "85%" in blocked[0]["reason_zh"]
    assert "teacher indicator" in blocked[0]["reason"]
    assert comp["passable"] == 1 and plan.extra["passing"]["after_engine"] == 1


def test_marginal_value_equals_a_resolve_at_the_larger_budget(county: Census) -> None:
    params = BudgetParameters(budget=2e6, marginal_step=1e6, compliance=False)
    plan = solve_budget(county, params, options=FAST)
    m = plan.extra["marginal"]
    bigger = solve_budget(county, BudgetParameters(budget=3e6, **QUICK), options=FAST)
    assert m["parts_passing"] == bigger.extra["passing"]["after_model"]
    assert m["parts_gained"] == m["parts_passing"] - plan.extra["passing"]["after_model"]
    assert m["parts_gained_per_million"] == m["parts_gained"]
    assert m["parts_passing_engine"] == m["parts_passing"]
    assert m["spent"] <= 3e6
    assert set(m["cv_change_per_million"]) == {"primary", "junior"}


def test_weakest_school_gets_the_money_first(tmp_path: Path) -> None:
    # two primaries that cannot pass (no backbone teachers); only equipment can be bought
    base = {"type": "primary", "primary": 200, "classes_primary": 5,
            "teaching_aux_area": 900.0, "sports_area": 1500.0, "multimedia_classrooms": 5,
            "teachers_primary": {"backbone": 0}}
    census = tiny_county(tmp_path, [{**base, "id": "P", "equipment_value": 150_000.0},
                                    {**base, "id": "Q", "equipment_value": 300_000.0}])
    params = BudgetParameters(budget=60_000.0, items=["equipment_value"], **QUICK)
    plan = solve_budget(census, params, options=FAST)
    check_plan(plan, census, params)
    assert [(a["school_id"], a["item"]) for a in plan.actions] == [("P", "equipment_value")]
    assert "雪中送炭" in plan.actions[0]["reason_zh"]
    before = plan.before["stages"]["primary"]["cv"]["equipment_value_per_student"]
    after = plan.after["stages"]["primary"]["cv"]["equipment_value_per_student"]
    assert after < before


def test_basic_2012_buys_computers_and_books_not_multimedia_rooms(county: Census) -> None:
    params = BudgetParameters(budget=3e6, **QUICK)
    plan = solve_budget(county, params, options=FAST, standard="basic-2012")
    check_plan(plan, county, params, standard="basic-2012")
    assert set(plan.parameters["items_used"]) == {"teaching_aux_area", "sports_area",
                                                  "equipment_value", "computers", "books"}
    assert plan.extra["passing"]["after_model"] is None
    before = plan.before["stages"]["primary"]["composite"]
    assert plan.after["stages"]["primary"]["composite"] < before


def test_plan_json_carries_parameters_and_invest_actions(county: Census, tmp_path: Path) -> None:
    plan = solve_budget(county, BudgetParameters(budget=1e6), options=FAST)
    data = plan.to_dict()
    assert data["planner"] == "budget" and data["status"] == "optimal"
    assert data["objective"] == data["bound"] == data["passing"]["after_model"]
    for key in ("budget", "unit_costs", "building_share", "sports_share", "marginal_step",
                "time_limit", "mip_gap", "seed", "year"):
        assert key in data["parameters"]
    assert all({"type", "school_id", "item", "quantity", "cost"} <= set(a)
               for a in data["actions"])
    assert {"full_compliance", "cannot_pass", "marginal", "schools", "items", "budget"} <= \
        set(data)
    plan.write_json(tmp_path / "plan.json")


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("kwargs, match", [
    ({"budget": -1.0}, "'budget' parameter"),
    ({"unit_costs": {"pianos": 1.0}}, "'unit_costs' parameter"),
    ({"unit_costs": {"books": 0.0}}, "unit_costs\\[books\\]"),
    ({"items": ["land"]}, "'items' parameter"),
    ({"building_share": -0.1}, "'building_share' parameter"),
    ({"proxy_segments": 0}, "'proxy_segments' parameter"),
    ({"budget": "lots"}, "'budget' parameter of BudgetParameters must be"),
])
def test_bad_parameters_are_named(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        BudgetParameters(**kwargs)


def test_unknown_school_in_a_limit_is_named(tiny: Census) -> None:
    with pytest.raises(ValueError, match="max_sports_area_added"):
        solve_budget(tiny, BudgetParameters(max_sports_area_added={"nope": 1.0}), options=FAST)


def test_nothing_purchasable_for_the_standard_is_infeasible(tiny: Census) -> None:
    with pytest.raises(InfeasibleError) as exc:
        solve_budget(tiny, BudgetParameters(items=["multimedia_classrooms"]), options=FAST,
                     standard="basic-2012")
    assert "basic-2012" in exc.value.message("zh") and "basic-2012" in exc.value.message("en")


def test_same_inputs_same_plan(county: Census) -> None:
    params = BudgetParameters(budget=2.5e6, **QUICK)
    a = solve_budget(county, params, options=FAST, evaluate_after=False)
    b = solve_budget(county, params, options=FAST, evaluate_after=False)
    assert a.actions == b.actions
    assert np.isclose(a.extra["budget"]["spent"], b.extra["budget"]["spent"])
