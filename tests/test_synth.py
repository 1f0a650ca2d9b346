"""Tests of the synthetic county generator (合成县域普查数据), junheng.data.synth."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from junheng.data.io import write_workbook
from junheng.data.schema import COUNTY_CHECK_KEYS_BY_KEY, SHEETS_BY_KEY, TYPE_STAGES
from junheng.data.synth import PROFILES, synthesize
from junheng.data.validate import roster_aggregates, validate_workbook

SHEETS = ("schools", "school_years", "teachers", "classes", "villages", "sites",
          "county_finance", "county_checks", "survey")
SUBCOUNTS = ("teachers", "above_degree_teachers", "mid_title_teachers", "backbone_teachers",
             "pe_art_teachers")
# quality-2017 per-school thresholds (standards.md §2.2), primary stage
PRIMARY_2017 = {"above_degree": 4.2, "backbone": 1.0, "pe_art": 0.9, "space": 4.5,
                "sports": 7.5, "equipment": 2000.0, "multimedia": 2.3}


@cache
def county(profile: str, seed: int = 1) -> dict[str, pd.DataFrame]:
    """Synthesised once per test session; tests must not modify the frames."""
    return synthesize(profile, seed)


def latest(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    years = tables["school_years"]
    return years[years["year"] == years["year"].max()]


def in_scope_primary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Latest-year rows of public county-run independent primary schools."""
    s = tables["schools"]
    ids = s.loc[(s["type"] == "primary") & (s["ownership"] == "public") &
                (s["affiliation"] == "county"), "school_id"]
    y = latest(tables)
    return y[y["school_id"].isin(ids) & (y["students_primary"] > 0)]


def weighted_cv(amount: pd.Series, students: pd.Series) -> float:
    """Student-weighted population CV (standards.md §1.5): mean = Σamount/Σstudents."""
    x = amount / students
    w = students / students.sum()
    mean = amount.sum() / students.sum()
    return float(np.sqrt((w * (x - mean) ** 2).sum()) / mean)


# ------------------------------------------------------------------ validity


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("profile", PROFILES)
def test_workbook_validates(profile: str, seed: int, tmp_path) -> None:
    tables = county(profile, seed)
    assert set(tables) >= set(SHEETS)
    path = write_workbook(tables, tmp_path / "c.xlsx")
    report = validate_workbook(path)
    shown = "\n".join(i.describe("en") for i in report.errors[:10])
    assert report.ok, f"{len(report.errors)} errors, first:\n{shown}"
    assert len(report.warnings) <= 20, report.to_text("en", per_rule=3)


@pytest.mark.parametrize(("profile", "schools", "years"),
                         [("mountain", 5, 1), ("urban", 9, 5), ("plain", 30, 2)])
def test_small_and_odd_counties_validate(profile: str, schools: int, years: int,
                                         tmp_path) -> None:
    tables = synthesize(profile, 7, schools=schools, years=years)
    report = validate_workbook(write_workbook(tables, tmp_path / "c.xlsx"))
    assert report.ok, "\n".join(i.describe("en") for i in report.errors[:10])


@pytest.mark.parametrize("profile", PROFILES)
def test_columns_are_schema_keys(profile: str) -> None:
    tables = county(profile)
    for key in SHEETS:
        declared = SHEETS_BY_KEY[key].keys
        extra = [c for c in tables[key].columns if c not in declared]
        if key == "villages":
            assert all(SHEETS_BY_KEY[key].extra_columns.match(c) for c in extra)
        else:
            assert not extra, (key, extra)
        required = [c.key for c in SHEETS_BY_KEY[key].columns if c.required]
        assert set(required) <= set(tables[key].columns), key


# ------------------------------------------------------------------ determinism, API


def test_same_seed_same_tables() -> None:
    a = synthesize("mountain", 11)
    b = synthesize("mountain", 11)
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key])


def test_different_seed_different_tables() -> None:
    a, b = synthesize("plain", 11), synthesize("plain", 12)
    assert not a["school_years"].equals(b["school_years"])
    assert not a["teachers"].equals(b["teachers"])


@pytest.mark.parametrize("k", [5, 17, 64, 400])
def test_school_count_honoured(k: int) -> None:
    tables = synthesize("mountain" if k % 2 else "urban", 3, schools=k)
    assert len(tables["schools"]) == k
    assert tables["schools"]["school_id"].is_unique
    assert len(latest(tables)) == k


def test_school_count_scales_the_county() -> None:
    small = synthesize("plain", 5, schools=30)
    large = synthesize("plain", 5, schools=240)
    pupils = [latest(t)[["students_primary", "students_junior"]].to_numpy().sum()
              for t in (small, large)]
    assert 4 < pupils[1] / pupils[0] < 12
    assert len(large["villages"]) > 2 * len(small["villages"])


def test_years_and_year() -> None:
    tables = synthesize("urban", 2, year=2024, years=4)
    assert sorted(tables["school_years"]["year"].unique()) == [2021, 2022, 2023, 2024]
    assert tables["county_finance"]["year"].max() == 2024
    assert len(tables["county_finance"]) == 4
    one = synthesize("urban", 2, years=1)
    assert len(one["county_finance"]) >= 3  # the 三个增长 need a series


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"profile": "desert"}, "profile"), ({"schools": 4}, "schools"),
     ({"schools": 401}, "schools"), ({"schools": 2.5}, "schools"), ({"years": 0}, "years"),
     ({"seed": -1}, "seed"), ({"year": 1800}, "years")],
)
def test_bad_arguments_raise(kwargs: dict, match: str) -> None:
    args = {"profile": "mountain", "seed": 1, **kwargs}
    with pytest.raises(ValueError, match=match):
        synthesize(**args)


# ------------------------------------------------------------------ calibration


def test_mountain_calibration() -> None:
    t = county("mountain")
    s, y = t["schools"], latest(t)
    assert 50 <= len(s) <= 90
    assert 25_000 <= (y["students_primary"] + y["students_junior"]).sum() <= 52_000
    assert 10 <= s["township"].nunique() <= 17
    assert 200 <= len(t["villages"]) <= 320
    tp = s[s["type"] == "teaching_point"]
    assert len(tp) >= 10
    parents = s.set_index("school_id").loc[tp["parent_school_id"], "type"]
    assert set(parents) <= {"primary", "nine_year"}
    tp_students = y[y["school_id"].isin(tp["school_id"])]["students_primary"]
    assert tp_students.max() < 100 and tp_students.median() < 50
    tp_teachers = y[y["school_id"].isin(tp["school_id"])]["teachers_primary"]
    assert tp_teachers.between(1, 4).all()
    assert s["boarding"].sum() >= 5
    assert (s["type"] == "nine_year").any()


def test_plain_calibration() -> None:
    t = county("plain")
    s, y = t["schools"], latest(t)
    assert 60 <= len(s) <= 120
    assert 40_000 <= (y["students_primary"] + y["students_junior"]).sum() <= 80_000
    assert (s["type"] == "teaching_point").sum() <= 0.15 * len(s)
    boarding = s[s["boarding"] == 1]["type"]
    assert "primary" not in set(boarding)  # plains: no boarding for primary pupils


def test_urban_calibration() -> None:
    t = county("urban")
    s, y = t["schools"], latest(t)
    assert 36 <= len(s) <= 52
    pupils = (y["students_primary"] + y["students_junior"]).sum()
    assert 45_000 <= pupils <= 60_000
    total = (y["students_primary"] + y["students_junior"] + y["students_senior"]).sum()
    assert 0.20 <= y["migrant_students"].sum() / total <= 0.32
    assert (s["locale"] == "urban").mean() > 0.7
    assert {"twelve_year", "complete_middle", "special"} <= set(s["type"])
    assert (s["affiliation"] == "city").any()
    big = t["classes"]
    assert (big["size"] >= 56).sum() > 0  # 大班额 in crowded urban schools


@pytest.mark.parametrize("profile", PROFILES)
def test_out_of_scope_and_special_schools(profile: str) -> None:
    s, y = county(profile)["schools"], latest(county(profile))
    assert (s["ownership"] == "private").any()
    assert (s["type"] == "special").any()
    cm = s.loc[s["type"] == "complete_middle", "school_id"]
    assert len(cm) == 1
    assert (y[y["school_id"].isin(cm)]["students_senior"] > 0).all()
    assert s["school_id"].str.fullmatch(r"\d{10}").all()
    assert s["county_code"].str.fullmatch(r"\d{6}").all()
    assert s["county_code"].nunique() == 1
    assert s["school_id"].str.startswith(s["county_code"].iloc[0]).all()
    assert s["name"].is_unique


@pytest.mark.parametrize("profile", PROFILES)
def test_geography(profile: str) -> None:
    t = county(profile)
    s, v = t["schools"], t["villages"]
    for frame in (s, v, t["sites"]):
        assert frame["lon"].between(113.3, 114.8).all()
        assert frame["lat"].between(36.8, 38.6).all()
    seat = s[s["locale"] == "urban"][["lon", "lat"]].median()
    km = np.hypot((s["lon"] - seat["lon"]) * 88.0, (s["lat"] - seat["lat"]) * 111.3)
    by_locale = km.groupby(s["locale"]).median()
    if "rural" in by_locale and profile != "urban":
        assert by_locale["urban"] < by_locale["town"] < by_locale["rural"] + 5
    assert km.max() < 60  # inside one county


@pytest.mark.parametrize("profile", PROFILES)
def test_villages_match_enrolment(profile: str) -> None:
    t = county(profile)
    v, y = t["villages"], latest(t)
    children = v["children_primary"].sum() + v["children_junior"].sum()
    pupils = (y["students_primary"] + y["students_junior"]).sum()
    assert 0.9 < children / pupils < 1.1
    assert (v["population"] >= v["children_primary"] + v["children_junior"]).all()
    assert v["village_id"].is_unique
    assert set(v["terrain"]) <= {"plain", "hill", "mountain"}


# ------------------------------------------------------------------ internal consistency


@pytest.mark.parametrize("profile", PROFILES)
def test_roster_agrees_with_aggregates(profile: str) -> None:
    t = county(profile)
    agg = roster_aggregates(t["teachers"])
    y = latest(t).set_index("school_id")
    for stage in ("primary", "junior"):
        for sub in SUBCOUNTS:
            roster = agg[sub].xs(stage, level="stage").reindex(y.index, fill_value=0)
            pd.testing.assert_series_equal(
                y[f"{sub}_{stage}"].astype(int), roster.astype(int), check_names=False)
    assert 1_000 <= len(t["teachers"]) <= 6_000


@pytest.mark.parametrize("profile", PROFILES)
def test_classes_agree_with_school_years(profile: str) -> None:
    t = county(profile)
    c = t["classes"]
    g = c.groupby(["school_id", "year", "stage"])["size"].agg(["size", "sum"])
    y = t["school_years"].set_index(["school_id", "year"])
    for stage in ("primary", "junior"):
        part = g.xs(stage, level="stage")
        rows = y.loc[part.index]
        assert (rows[f"classes_{stage}"] == part["size"]).all()
        assert (rows[f"students_{stage}"] == part["sum"]).all()
        offered = y[y[f"students_{stage}"] > 0]
        assert len(offered) == len(part)  # every taught stage is listed
    assert c["size"].between(1, 120).all()
    assert ((c["stage"] == "primary") & c["grade"].between(1, 6) |
            (c["stage"] == "junior") & c["grade"].between(7, 9)).all()


@pytest.mark.parametrize("profile", PROFILES)
def test_teacher_rules(profile: str) -> None:
    t = county(profile)
    te, s = t["teachers"], t["schools"].set_index("school_id")
    year = int(t["school_years"]["year"].max())
    age = year - te["birth_year"]
    assert age.between(22, 60).all()
    assert (te["years_at_school"] <= age - 17).all()
    assert (te["rural_service_years"] <= age - 17).all()
    rot = te["last_rotation_year"].dropna()
    assert (rot >= te.loc[rot.index, "birth_year"] + 17).all()
    expected = te["birth_year"] + np.where(te["gender"] == "male", 60, 55)
    assert (te["retirement_year"] == expected).all()
    offered = [stage in TYPE_STAGES[typ] for stage, typ in
               zip(te["stage"], s.loc[te["school_id"], "type"], strict=True)]
    assert all(offered)
    assert te["teacher_id"].is_unique


@pytest.mark.parametrize("profile", PROFILES)
def test_school_years_plausible(profile: str) -> None:
    t = county(profile)
    y = t["school_years"]
    total = y["students_primary"] + y["students_junior"] + y["students_senior"]
    assert (y["indoor_sports_area"] <= y["teaching_aux_area"]).all()
    for part in ("migrant_students", "left_behind_students", "disabled_students"):
        assert (y[part] <= total).all()
    assert (y["design_capacity"] > 0).all()
    per_pupil = y["equipment_value"] / total
    assert 1_000 < per_pupil.median() < 10_000  # yuan, not 万元
    # enrolment drifts from year to year but not wildly
    wide = y.pivot(index="school_id", columns="year", values="students_primary")
    wide = wide[wide.min(axis=1) > 0]
    change = wide.iloc[:, -1] / wide.iloc[:, 0]
    assert change.between(0.5, 2.0).all() and (change != 1).mean() > 0.5


@pytest.mark.parametrize("profile", PROFILES)
def test_county_sheets(profile: str) -> None:
    t = county(profile)
    fin = t["county_finance"]
    assert len(fin) >= 3 and fin["year"].is_monotonic_increasing
    assert (fin["edu_appropriation"] < fin["recurrent_revenue"]).all()
    assert (fin.drop(columns="year") > 0).all().all()
    checks = t["county_checks"]
    assert set(checks["key"]) <= set(COUNTY_CHECK_KEYS_BY_KEY)
    assert len(checks) >= 20
    for key, value in zip(checks["key"], checks["value"], strict=True):
        kind = COUNTY_CHECK_KEYS_BY_KEY[key].kind
        if kind == "rate":
            assert 0 <= float(value) <= 1
        elif kind == "bool":
            assert value in ("0", "1")
    sv = t["survey"]
    share = sv["satisfied"].sum() / sv["respondents"].sum()
    assert 0.8 <= share <= 0.97 and (sv["satisfied"] <= sv["respondents"]).all()
    assert 1 <= len(t["sites"]) <= 10


def test_three_growths_sometimes_fail() -> None:
    """Across seeds the 三个增长 check must be able to fail as well as pass."""
    outcomes = set()
    for seed in range(12):
        fin = synthesize("mountain", seed, schools=10, years=4)["county_finance"]
        g = fin.drop(columns="year").pct_change().iloc[1:]
        ok = ((g["edu_appropriation"] > g["recurrent_revenue"]).all() and
              (g[["per_student_spending_primary", "per_student_spending_junior",
                  "per_student_public_funds_primary",
                  "per_student_public_funds_junior"]] > 0).all().all())
        outcomes.add(bool(ok))
    assert outcomes == {True, False}


# ------------------------------------------------------------------ inequality


@pytest.mark.parametrize("profile", PROFILES)
def test_county_is_not_trivially_balanced(profile: str) -> None:
    t = county(profile)
    p = in_scope_primary(t)
    n = p["students_primary"]
    cvs = {key: weighted_cv(p[key], n) for key in
           ("teaching_aux_area", "sports_area", "equipment_value")}
    assert any(0.1 < cv < 1.2 for cv in cvs.values()), cvs
    per100 = 100 / n
    values = {
        "above_degree": p["above_degree_teachers_primary"] * per100,
        "backbone": p["backbone_teachers_primary"] * per100,
        "pe_art": p["pe_art_teachers_primary"] * per100,
        "space": p["teaching_aux_area"] / n,
        "sports": p["sports_area"] / n,
        "equipment": p["equipment_value"] / n,
        "multimedia": p["multimedia_classrooms"] * per100,
    }
    below = pd.DataFrame({k: v < PRIMARY_2017[k] for k, v in values.items()})
    assert below.any(axis=1).sum() >= 1  # someone fails a quality-2017 standard
    assert not below.all(axis=None)      # …but not everyone fails everything


def test_rural_and_urban_differ() -> None:
    """Rural schools: space but few specialist teachers; urban: crowded."""
    t = county("mountain")
    s = t["schools"].set_index("school_id")
    p = in_scope_primary(t).set_index("school_id")
    locale = s.loc[p.index, "locale"]
    n = p["students_primary"]
    space = p["teaching_aux_area"].groupby(locale).sum() / n.groupby(locale).sum()
    size = n.groupby(locale).median()
    assert space["rural"] > space["urban"]
    assert size["urban"] > size["rural"]


def test_old_census_year_validates_with_ages_measured_at_that_year(tmp_path) -> None:
    from junheng.data.io import write_workbook
    from junheng.data.synth import synthesize
    from junheng.data.validate import validate_workbook

    tables = synthesize("mountain", 1, schools=20, year=2012)
    report = validate_workbook(write_workbook(tables, tmp_path / "old.xlsx"))
    assert report.ok, report.to_text("en")
    assert not [i for i in report.warnings if i.rule == "retired_on_post"]
