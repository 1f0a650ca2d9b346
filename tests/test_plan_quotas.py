"""High-school quota planner: exact sums, minimums, monotonicity, brute force, the county table."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from junheng.data.census import Census, load_census
from junheng.data.io import write_workbook
from junheng.data.synth import synthesize
from junheng.plan.quotas import (
    DEFAULTS,
    QuotaParameters,
    apportion,
    exact_quotas,
    solve_quotas,
    tie_ranks,
)
from junheng.plan.solver import InfeasibleError, SolveOptions

OPTIONS = SolveOptions(time_limit=10, threads=1)
METHODS = ["largest_remainder", "sainte_lague", "dhondt"]
SIGNPOST = {"sainte_lague": 0.5, "dhondt": 1.0}


# --------------------------------------------------------------------- instances


@st.composite
def instances(draw: st.DrawFn, max_n: int = 8, max_cohort: int = 400,
              max_total: int = 600) -> dict:
    """Cohorts, tilts, bounds and a feasible total, as the planner builds them."""
    n = draw(st.integers(1, max_n))
    cohorts = np.array(draw(st.lists(st.integers(1, max_cohort), min_size=n, max_size=n)))
    tilt = np.array(draw(st.lists(st.sampled_from([1.0, 1.2, 1.44, 1.5]), min_size=n,
                                  max_size=n)))
    minimum = draw(st.integers(0, 3))
    capped = draw(st.booleans())
    lower = np.minimum(minimum, cohorts) if capped else np.full(n, minimum)
    upper = cohorts.astype(float) if capped else np.full(n, np.inf)
    most = int(upper.sum()) if capped else int(lower.sum()) + 3 * max_cohort
    total = draw(st.integers(int(lower.sum()), max(int(lower.sum()), min(most, max_total))))
    ids = np.array([f"S{i:03d}" for i in draw(st.permutations(range(n)))])
    return {"weights": cohorts * tilt, "cohorts": cohorts, "total": total, "lower": lower,
            "upper": upper, "ids": ids, "min_mode": draw(st.sampled_from(["base",
                                                                          "guarantee"]))}


def run(inst: dict, method: str):  # type: ignore[no-untyped-def]
    return apportion(inst["weights"], inst["total"], lower=inst["lower"], upper=inst["upper"],
                     min_mode=inst["min_mode"], method=method,
                     ranks=tie_ranks(inst["cohorts"], inst["ids"]))


def base_of(inst: dict) -> np.ndarray:
    return inst["lower"].astype(float) if inst["min_mode"] == "base" else np.zeros(
        len(inst["weights"]))


def feasible_vectors(lower: np.ndarray, upper: np.ndarray, total: int):  # type: ignore[no-untyped-def]
    ranges = [range(int(lo), int(min(hi, total)) + 1) for lo, hi in zip(lower, upper,
                                                                         strict=True)]
    for s in itertools.product(*ranges):
        if sum(s) == total:
            yield np.array(s, float)


def reference_sequential(inst: dict, offset: float) -> np.ndarray:
    """Textbook highest averages, one place at a time, explicit tie-break (no heap)."""
    w, lo, hi = inst["weights"], inst["lower"], inst["upper"]
    base = base_of(inst)
    s = lo.astype(float).copy()
    rank = tie_ranks(inst["cohorts"], inst["ids"])
    for _ in range(int(inst["total"] - s.sum())):
        best = None
        for i in range(len(w)):
            if s[i] >= hi[i]:
                continue
            key = (round(w[i] / (s[i] - base[i] + offset), 9), -rank[i])
            if best is None or key > best[0]:
                best = (key, i)
        assert best is not None
        s[best[1]] += 1
    return s


# --------------------------------------------------------------------- apportionment


@settings(max_examples=200, deadline=None)
@given(inst=instances(), method=st.sampled_from(METHODS))
def test_quotas_sum_exactly_to_the_places_and_keep_minimums_and_caps(inst: dict,
                                                                     method: str) -> None:
    res = run(inst, method)
    assert res.places.sum() == inst["total"]
    assert np.all(res.places >= inst["lower"])
    assert np.all(res.places <= inst["upper"])
    assert res.exact.sum() == pytest.approx(inst["total"])


@settings(max_examples=200, deadline=None)
@given(inst=instances(), method=st.sampled_from(METHODS))
def test_larger_cohort_never_gets_fewer_places_when_tilts_are_equal(inst: dict,
                                                                    method: str) -> None:
    inst = {**inst, "weights": inst["cohorts"] * 1.2}
    res = run(inst, method)
    c = inst["cohorts"]
    for i, j in itertools.permutations(range(len(c)), 2):
        if c[i] > c[j]:
            assert res.places[i] >= res.places[j], (c[i], c[j], res.places)
        elif c[i] == c[j]:  # a tie for the last place, at most
            assert abs(res.places[i] - res.places[j]) <= 1


@settings(max_examples=150, deadline=None)
@given(inst=instances(), method=st.sampled_from(METHODS), data=st.data())
def test_a_school_whose_cohort_grows_never_loses_a_place(inst: dict, method: str,
                                                         data: st.DataObject) -> None:
    """Population monotonicity for one school, others unchanged (Hamilton too: only
    other schools' floors can drop, each freeing the remainder place it competes for)."""
    i = data.draw(st.integers(0, len(inst["weights"]) - 1))
    extra = data.draw(st.integers(1, 200))
    tilt = inst["weights"][i] / inst["cohorts"][i]
    grown = {**inst, "cohorts": inst["cohorts"].copy(), "weights": inst["weights"].copy(),
             "upper": inst["upper"].copy()}
    grown["cohorts"][i] += extra
    grown["weights"][i] = grown["cohorts"][i] * tilt
    if np.isfinite(grown["upper"][i]):
        grown["upper"][i] = grown["cohorts"][i]
    assert run(grown, method).places[i] >= run(inst, method).places[i]


@settings(max_examples=200, deadline=None)
@given(inst=instances())
def test_largest_remainder_stays_within_floor_and_ceil_of_the_exact_quota(inst: dict) -> None:
    res = run(inst, "largest_remainder")
    assert np.all(res.places >= np.floor(res.exact + 1e-9))
    assert np.all(res.places <= np.ceil(res.exact - 1e-9))


@settings(max_examples=100, deadline=None)
@given(inst=instances())
def test_without_minimums_or_caps_the_exact_quota_is_the_proportional_share(inst: dict
                                                                          ) -> None:
    n = len(inst["weights"])
    free = {**inst, "lower": np.zeros(n, int), "upper": np.full(n, np.inf),
            "total": max(inst["total"], 1)}
    res = run(free, "largest_remainder")
    w = free["weights"]
    np.testing.assert_allclose(res.exact, free["total"] * w / w.sum(), rtol=1e-9)
    assert np.all(res.places >= np.floor(free["total"] * w / w.sum() + 1e-9))
    assert np.all(res.places <= np.ceil(free["total"] * w / w.sum() - 1e-9))


@settings(max_examples=150, deadline=None)
@given(inst=instances())
def test_exact_quotas_are_the_clamped_proportional_split(inst: dict) -> None:
    """KKT check: every school strictly between its bounds has the same λ = (q − b) / w;
    schools at a bound would be beyond it at that λ."""
    base = base_of(inst)
    w, lo, hi = inst["weights"], inst["lower"], inst["upper"]
    q = exact_quotas(w, inst["total"], lo, hi, base)
    assert q.sum() == pytest.approx(inst["total"])
    inside = (q > lo + 1e-7) & (q < hi - 1e-7)
    if inside.any():
        lam = (q[inside] - base[inside]) / w[inside]
        np.testing.assert_allclose(lam, lam[0], rtol=1e-7, atol=1e-9)
        fixed = lo == hi  # no room: any λ
        at_lo = (q <= lo + 1e-7) & ~fixed
        at_hi = (q >= hi - 1e-7) & ~fixed
        assert np.all(base[at_lo] + lam[0] * w[at_lo] <= lo[at_lo] + 1e-6)
        assert np.all(base[at_hi] + lam[0] * w[at_hi] >= hi[at_hi] - 1e-6)


@settings(max_examples=150, deadline=None)
@given(inst=instances(max_n=4, max_cohort=30, max_total=16), method=st.sampled_from(METHODS))
def test_small_instances_match_brute_force(inst: dict, method: str) -> None:
    """Enumerate every whole split within the bounds: the method's criterion is minimal."""
    res = run(inst, method)
    w = inst["weights"]
    base = base_of(inst)
    q = res.exact

    def criterion(s: np.ndarray) -> float:
        if method == "largest_remainder":
            return float(np.abs(s - q).sum())
        e = s - base
        if method == "sainte_lague":
            return float((e ** 2 / w).sum())
        return float((e * (e + 1) / (2 * w)).sum())

    best = min(criterion(s) for s in feasible_vectors(inst["lower"], inst["upper"],
                                                      inst["total"]))
    assert criterion(res.places.astype(float)) == pytest.approx(best, abs=1e-9)
    if method == "largest_remainder":  # also the smallest largest deviation
        best_max = min(float(np.abs(s - q).max()) for s in feasible_vectors(
            inst["lower"], inst["upper"], inst["total"]))
        assert float(np.abs(res.places - q).max()) == pytest.approx(best_max, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(inst=instances(), method=st.sampled_from(["sainte_lague", "dhondt"]))
def test_divisor_methods_match_the_reference_and_the_divisor_definition(inst: dict,
                                                                        method: str) -> None:
    """Same places as a textbook one-at-a-time implementation, and a divisor d exists:
    max over schools that could take a place of w/(e + δ) ≤ min over schools above
    their minimum of w/(e − 1 + δ), δ = ½ (Webster rounding) or 1 (D'Hondt)."""
    res = run(inst, method)
    delta = SIGNPOST[method]
    np.testing.assert_array_equal(res.places, reference_sequential(inst, delta))
    w, s = inst["weights"], res.places.astype(float)
    e = s - base_of(inst)
    can_take = s < inst["upper"]
    above = s > inst["lower"]
    if can_take.any() and above.any():
        assert (w[can_take] / (e[can_take] + delta)).max() <= (
            w[above] / (e[above] - 1 + delta)).min() * (1 + 1e-12)


@settings(max_examples=100, deadline=None)
@given(cohorts=st.lists(st.integers(1, 500), min_size=2, max_size=8),
       total=st.integers(1, 200))
def test_sainte_lague_without_bounds_rounds_w_over_d_the_webster_way(cohorts: list[int],
                                                                     total: int) -> None:
    w = np.array(cohorts, float)
    res = apportion(w, total, method="sainte_lague", min_mode="guarantee")
    s = res.places
    lo_d = (w / (s + 0.5)).max()
    hi_d = min((w[s > 0] / (s[s > 0] - 0.5)).min(), np.inf)
    assert lo_d <= hi_d * (1 + 1e-12)
    if lo_d < hi_d * (1 - 1e-9):  # no tie: any d inside gives the places by rounding
        d = (lo_d + hi_d) / 2 if np.isfinite(hi_d) else lo_d * 1.01
        np.testing.assert_array_equal(s, np.floor(w / d + 0.5))


@settings(max_examples=100, deadline=None)
@given(inst=instances(), method=st.sampled_from(METHODS), data=st.data())
def test_input_order_does_not_change_any_schools_places(inst: dict, method: str,
                                                        data: st.DataObject) -> None:
    perm = np.array(data.draw(st.permutations(range(len(inst["weights"])))))
    shuffled = {k: (v[perm] if isinstance(v, np.ndarray) else v) for k, v in inst.items()}
    np.testing.assert_array_equal(run(shuffled, method).places, run(inst, method).places[perm])


@pytest.mark.parametrize("method", METHODS)
def test_ties_go_to_the_larger_cohort_then_the_smaller_school_id(method: str) -> None:
    # equal weights: 45 = 30 graduates × 1.5 (weak, rural) = 45 graduates × 1.0; one place
    res = apportion(np.array([45.0, 45.0]), 1, ranks=tie_ranks(np.array([30, 45]),
                                                                np.array(["A", "B"])),
                    method=method)
    assert res.places.tolist() == [0, 1]
    # same cohort: the smaller school_id
    res = apportion(np.array([40.0, 40.0, 40.0]), 2, ranks=tie_ranks(
        np.array([40, 40, 40]), np.array(["C", "A", "B"])), method=method)
    assert res.places.tolist() == [0, 1, 1]


def test_hand_computed_split_of_ten_places() -> None:
    """Cohorts 53, 24, 23 share 10 places: quotas 5.3, 2.4, 2.3; Hamilton gives the one left
    to the largest remainder (0.4) → 5, 3, 2; Sainte-Laguë quotients 53/5.5 = 9.64 >
    24/2.5 = 9.6 → 6, 2, 2; D'Hondt likewise 6, 2, 2."""
    w = np.array([53.0, 24.0, 23.0])
    assert apportion(w, 10, min_mode="guarantee").places.tolist() == [5, 3, 2]
    assert apportion(w, 10, min_mode="guarantee",
                     method="sainte_lague").places.tolist() == [6, 2, 2]
    assert apportion(w, 10, min_mode="guarantee", method="dhondt").places.tolist() == [6, 2, 2]
    # with one place each first ("base"): 7 left by 53:24:23 → 3.71, 1.68, 1.61 → 4, 2, 1 + 1
    assert apportion(w, 10, lower=np.array([1, 1, 1])).places.tolist() == [5, 3, 2]


# --------------------------------------------------------------------- the county


def tiny_county(tmp_path: Path, schools: list[dict]) -> Census:
    """Junior schools with a locale and either junior pupils or class sizes by grade
    (``grade7``/``grade8`` default 40, ``grade9`` given; None leaves the grade out)."""
    srows, yrows, crows = [], [], []
    for s in schools:
        sid = s["id"]
        srows.append({"school_id": sid, "name": f"{sid}中学", "county_code": "130000",
                      "county_name": "测试县", "township": s.get("township", "甲镇"),
                      "type": s.get("type", "junior"), "ownership": s.get("ownership",
                                                                          "public"),
                      "affiliation": "county", "locale": s.get("locale", "town"),
                      "lon": 114.0, "lat": 38.0, "boarding": 0})
        sizes = {g: s.get(f"grade{g}", 40) for g in (7, 8, 9)} if "grade9" in s else {}
        sizes = {g: v for g, v in sizes.items() if v is not None}
        for g, v in sizes.items():  # classes of at most 50
            k = max(1, -(-v // 50))
            crows.extend({"school_id": sid, "year": 2025, "stage": "junior", "grade": g,
                          "class_no": str(c + 1), "size": v // k + (c < v % k)}
                         for c in range(k))
        j = sum(sizes.values()) if sizes else s.get("junior", 150)
        yrows.append({"school_id": sid, "year": 2025, "students_primary": 0,
                      "classes_primary": 0, "students_junior": j,
                      "classes_junior": sum(max(1, -(-v // 50)) for v in sizes.values())
                      or max(1, -(-j // 45)),
                      "teaching_aux_area": 6.0 * j, "sports_area": 11.0 * j,
                      "equipment_value": 2600.0 * j, "computers": 10, "books": 30 * j,
                      "multimedia_classrooms": 3, "design_capacity": j + 50,
                      "teachers_junior": j // 10 + 1})
    tables = {"schools": pd.DataFrame(srows), "school_years": pd.DataFrame(yrows)}
    if crows:
        tables["classes"] = pd.DataFrame(crows)
    path = write_workbook(tables, tmp_path / f"c{len(list(tmp_path.iterdir()))}", lang="en")
    return load_census(path)


def plan(census: Census, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("weak_schools", [])
    return solve_quotas(census, QuotaParameters(**kw), options=OPTIONS, evaluate_after=False)


def by_id(result) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {row["school_id"]: row for row in result.extra["table"]}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Census:
    path = tmp_path_factory.mktemp("quotas") / "c"
    write_workbook(synthesize("plain", 11, schools=45), path)
    return load_census(path)


def test_default_plan_allocates_half_rounded_up_and_actions_sum_to_parameters_places(
        county: Census) -> None:
    result = solve_quotas(county, QuotaParameters(total_places=301), options=OPTIONS)
    assert result.status == "optimal"
    assert result.report.gap == 0.0 and result.report.bound == result.report.objective
    assert result.parameters["places"] == math.ceil(301 * DEFAULTS["share"]["default"]) == 151
    assert sum(a["places"] for a in result.actions) == 151
    assert all(a["type"] == "quota" and isinstance(a["places"], int) for a in result.actions)
    for key in ("share", "method", "rural_tilt", "weak_tilt", "min_places", "min_mode",
                "time_limit", "mip_gap", "seed", "year"):
        assert result.parameters[key] is not None
    assert result.before == result.after and result.before is not None
    table = result.extra["table"]
    assert {"school_id", "name", "township", "locale", "weak", "cohort", "cohort_source",
            "returned", "weight", "exact_quota", "places", "places_per_100"} <= set(table[0])
    summary = result.extra["summary"]
    assert summary["share_meets_rule"] is True and summary["rule_min_share"] == 0.5
    weak = {p.school_id for p in result.after_evaluation.stages["junior"].schools
            if p.passes is False}
    assert {r["school_id"] for r in table if r["weak"]} == weak & {r["school_id"]
                                                                   for r in table}
    json.dumps(result.to_dict(), ensure_ascii=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(total=st.integers(60, 2000), share=st.sampled_from([None, 0.5, 0.51, 0.75, 1.0]),
       method=st.sampled_from(METHODS), min_mode=st.sampled_from(["base", "guarantee"]))
def test_county_split_is_exact_and_never_below_the_chosen_share(
        county: Census, total: int, share: float | None, method: str, min_mode: str) -> None:
    result = plan(county, total_places=total, share=share, method=method, min_mode=min_mode)
    allocated = result.parameters["places"]
    assert allocated / total >= (share or 0.5) - 1e-12
    assert allocated - 1 < (share or 0.5) * total
    rows = [r for r in result.extra["table"] if r["status"] == "included"]
    assert sum(r["places"] for r in rows) == allocated
    assert all(r["minimum"] <= r["places"] <= r["cohort"] for r in rows)
    assert all(r["minimum"] == min(1, r["cohort"]) for r in rows)


def test_cohort_is_grade_nine_classes_else_junior_pupils_over_three(tmp_path: Path) -> None:
    census = tiny_county(tmp_path, [
        {"id": "A", "grade9": 51},  # classes: 51
        {"id": "B", "junior": 100},  # no classes listed: round(100 / 3) = 33
        {"id": "C", "grade8": None, "grade9": None},  # classes of grade 7 only: none
        {"id": "D", "junior": 152}])  # 152 / 3 = 50.67 → 51
    rows = by_id(plan(census, total_places=20))
    assert (rows["A"]["cohort"], rows["A"]["cohort_source"]) == (51, "classes")
    assert (rows["B"]["cohort"], rows["B"]["cohort_source"]) == (33, "students_junior/3")
    assert (rows["C"]["graduates"], rows["C"]["status"], rows["C"]["places"]) == (
        0, "no_graduates", 0)
    assert rows["D"]["cohort"] == 51
    overridden = by_id(plan(census, total_places=20, cohorts={"C": 12}))
    assert (overridden["C"]["cohort"], overridden["C"]["cohort_source"]) == (12, "override")
    assert overridden["C"]["places"] >= 1


def test_returned_pupils_count_at_their_rural_home_school(tmp_path: Path) -> None:
    census = tiny_county(tmp_path, [
        {"id": "CITY", "locale": "urban", "grade9": 300},
        {"id": "HOME", "locale": "rural", "grade9": 20},
        {"id": "FAR", "locale": "rural", "grade9": 80}])
    plain = by_id(plan(census, total_places=100, rural_tilt=1.0))
    back = by_id(plan(census, total_places=100, rural_tilt=1.0, returned={"HOME": 40},
                      returned_from={"CITY": 40}))
    assert back["HOME"]["cohort"] == 60 and back["HOME"]["returned"] == 40
    assert back["CITY"]["cohort"] == 260 and back["CITY"]["returned_from"] == 40
    # base mode: 1 each, 47 left split 300:20:80 → HOME 1 + 2.35; with 40 returned 1 + 7.05
    assert (plain["HOME"]["places"], back["HOME"]["places"]) == (3, 8)
    assert back["CITY"]["places"] < plain["CITY"]["places"]
    with pytest.raises(ValueError, match=r"'returned'.*rural home school"):
        plan(census, total_places=100, returned={"CITY": 5})
    with pytest.raises(ValueError, match="'returned_from'"):
        plan(census, total_places=100, returned={"HOME": 5}, returned_from={"CITY": 6})


def test_rural_and_weak_tilts_multiply_the_weight(tmp_path: Path) -> None:
    census = tiny_county(tmp_path, [
        {"id": "U", "locale": "urban", "grade9": 100},
        {"id": "R", "locale": "rural", "grade9": 100},
        {"id": "W", "locale": "rural", "grade9": 100}])
    result = plan(census, total_places=60, min_places=0, rural_tilt=1.5, weak_tilt=2.0,
                  weak_schools=["W"])
    rows = by_id(result)
    assert [rows[k]["weight"] for k in "URW"] == [100.0, 150.0, 300.0]
    # 30 × 100:150:300 / 550 = 5.45, 8.18, 16.36 → 5, 8, 16 and the last to U (0.45)
    assert [rows[k]["places"] for k in "URW"] == [6, 8, 16]
    assert result.extra["summary"]["rural_tilt_held"] is True
    assert result.extra["summary"]["rural_places_per_100"] == 12.0


def test_township_schools_count_as_rural_unless_the_rule_says_village_only(
        tmp_path: Path) -> None:
    census = tiny_county(tmp_path, [
        {"id": "U", "locale": "urban", "grade9": 100},
        {"id": "T", "locale": "town", "grade9": 100},
        {"id": "R", "locale": "rural", "grade9": 100}])
    rows = by_id(plan(census, total_places=60, rural_tilt=1.5))
    assert [rows[k]["rural"] for k in "UTR"] == [False, True, True]
    assert [rows[k]["weight"] for k in "UTR"] == [100.0, 150.0, 150.0]
    village = by_id(plan(census, total_places=60, rural_tilt=1.5, rural_locales=["rural"]))
    assert [village[k]["weight"] for k in "UTR"] == [100.0, 100.0, 150.0]


def test_excluded_and_private_schools_get_no_places(tmp_path: Path) -> None:
    census = tiny_county(tmp_path, [
        {"id": "A", "grade9": 100}, {"id": "B", "grade9": 100},
        {"id": "P", "grade9": 100, "ownership": "private"}])
    rows = by_id(plan(census, total_places=40, excluded=["B"], include_private=False))
    assert (rows["B"]["status"], rows["B"]["places"]) == ("excluded", 0)
    assert (rows["P"]["status"], rows["P"]["places"]) == ("private", 0)
    assert rows["A"]["places"] == 20
    assert by_id(plan(census, total_places=40))["P"]["places"] > 0


def test_minimums_beyond_the_places_are_infeasible_with_reasons(tmp_path: Path) -> None:
    census = tiny_county(tmp_path, [{"id": f"S{i}", "grade9": 40} for i in range(5)])
    with pytest.raises(InfeasibleError) as err:
        plan(census, total_places=16, min_places=2)  # 8 allocated < 5 × 2
    assert "保底" in err.value.message("zh") and "10" in err.value.message("zh")
    assert "min_places" in err.value.message("en") and "2 more" in err.value.message("en")
    with pytest.raises(InfeasibleError, match="exceed the 200 graduates"):
        plan(census, total_places=300, share=1.0)
    assert sum(r["places"] for r in plan(census, total_places=300, share=1.0,
                                         cap_at_cohort=False).extra["table"]) == 300


def test_no_graduating_class_anywhere_is_infeasible(tmp_path: Path) -> None:
    census = tiny_county(tmp_path, [{"id": "A", "grade9": None},
                                    {"id": "B", "grade8": None, "grade9": None}])
    with pytest.raises(InfeasibleError) as err:
        plan(census, total_places=10)
    assert "没有可参与" in err.value.message("zh") and "no junior school" in str(err.value)


def test_each_action_explains_its_places_in_chinese_and_english(tmp_path: Path) -> None:
    census = tiny_county(tmp_path, [{"id": "A", "locale": "rural", "grade9": 90},
                                    {"id": "B", "grade9": 60}])
    result = plan(census, total_places=20, method="sainte_lague", returned={"A": 3})
    a = next(x for x in result.actions if x["school_id"] == "A")
    assert "圣拉古" in a["reason"] and "回流转入 3 人" in a["reason"]
    assert "Sainte-Laguë" in a["reason_en"] and "rural tilt" in a["reason_en"]
    assert result.report.solver == "Sainte-Laguë (Webster) divisor method"


@pytest.mark.parametrize(("kw", "name"), [
    ({"total_places": 0}, "total_places"),
    ({"total_places": 10.5}, "total_places"),
    ({"total_places": 10, "share": 0.0}, "share"),
    ({"total_places": 10, "share": 1.2}, "share"),
    ({"total_places": 10, "method": "hare"}, "method"),
    ({"total_places": 10, "rounding": "up"}, "rounding"),
    ({"total_places": 10, "rural_tilt": 0.8}, "rural_tilt"),
    ({"total_places": 10, "weak_tilt": float("nan")}, "weak_tilt"),
    ({"total_places": 10, "rural_locales": ["village"]}, "rural_locales"),
    ({"total_places": 10, "min_places": -1}, "min_places"),
    ({"total_places": 10, "min_mode": "floor"}, "min_mode"),
    ({"total_places": 10, "returned": {"A": -2}}, "returned"),
    ({"total_places": 10, "cohorts": {"A": 1.5}}, "cohorts"),
    ({"total_places": 10, "excluded": "A"}, "excluded"),
])
def test_bad_parameters_raise_value_error_naming_the_parameter(kw: dict, name: str) -> None:
    with pytest.raises(ValueError, match=f"'{name}' parameter of QuotaParameters"):
        QuotaParameters(**kw)


def test_unknown_schools_in_parameters_are_named(tmp_path: Path) -> None:
    census = tiny_county(tmp_path, [{"id": "A", "grade9": 30}])
    with pytest.raises(ValueError, match=r"'excluded'.*\['ZZZ'\]"):
        plan(census, total_places=10, excluded=["ZZZ"])
    with pytest.raises(ValueError, match="total_places"):
        solve_quotas(census)


@pytest.mark.parametrize(("rounding", "places", "share", "expected"), [
    ("ceil", 101, 0.5, 51), ("nearest", 101, 0.5, 51), ("floor", 101, 0.5, 50),
    ("ceil", 100, 0.5, 50), ("ceil", 97, 0.6, 59), ("nearest", 97, 0.6, 58),
    ("floor", 97, 0.6, 58), ("ceil", 100, 0.55, 55)])  # 0.55 × 100 = 55.00000000000001
def test_allocated_places_are_share_times_places_rounded_as_chosen(
        rounding: str, places: int, share: float, expected: int) -> None:
    assert QuotaParameters(total_places=places, share=share,
                           rounding=rounding).allocated == expected
