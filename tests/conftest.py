"""Shared fixtures: a small, hand-made, fully valid county (示例县).

Six schools of several types (two primaries, a junior, a nine-year school, a
complete middle school and a teaching point attached to a primary), two school
years, a teacher roster that agrees with the latest year's teacher columns, a
class list that agrees with the latest year's classes/students, and every
optional sheet. Every number below was chosen by hand so that the county
produces neither errors nor warnings; the tests corrupt one cell at a time.

Tables use the English column keys and ``object`` dtype, so a test can put any
value of any type in any cell. The Excel row of frame row ``i`` is ``i + 2``.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from junheng.data.io import write_workbook

COUNTY = {"county_code": "130123", "county_name": "示例县"}

SCHOOLS: list[dict[str, Any]] = [
    {"school_id": "2130000001", "name": "城关小学", "township": "城关镇", "type": "primary",
     "ownership": "public", "affiliation": "county", "locale": "urban",
     "lon": 114.500, "lat": 38.000, "boarding": 0, "parent_school_id": None},
    {"school_id": "2130000002", "name": "城关初级中学", "township": "城关镇", "type": "junior",
     "ownership": "public", "affiliation": "county", "locale": "urban",
     "lon": 114.520, "lat": 38.010, "boarding": 0, "parent_school_id": None},
    {"school_id": "2130000003", "name": "河西九年一贯制学校", "township": "河西乡",
     "type": "nine_year", "ownership": "public", "affiliation": "county", "locale": "town",
     "lon": 114.420, "lat": 37.950, "boarding": 1, "parent_school_id": None},
    {"school_id": "2130000004", "name": "北山小学", "township": "北山乡", "type": "primary",
     "ownership": "public", "affiliation": "county", "locale": "rural",
     "lon": 114.550, "lat": 38.120, "boarding": 1, "parent_school_id": None},
    {"school_id": "2130000005", "name": "北山村教学点", "township": "北山乡",
     "type": "teaching_point", "ownership": "public", "affiliation": "county",
     "locale": "rural", "lon": 114.580, "lat": 38.150, "boarding": 0,
     "parent_school_id": "2130000004"},
    {"school_id": "2130000006", "name": "县第一中学", "township": "城关镇",
     "type": "complete_middle", "ownership": "public", "affiliation": "county",
     "locale": "urban", "lon": 114.490, "lat": 38.020, "boarding": 1,
     "parent_school_id": None},
]
SCHOOL_IDS = [s["school_id"] for s in SCHOOLS]
LATEST_YEAR = 2025
YEARS = (2024, 2025)

# (school, students P/J/S, classes P/J) per year; average class sizes 12-50,
# at most 30 pupils per teacher.
_ENROLMENT = {
    2024: {
        "2130000001": (116, 0, None, 4, 0),
        "2130000002": (0, 144, None, 0, 3),
        "2130000003": (58, 44, None, 2, 1),
        "2130000004": (41, 0, None, 2, 0),
        "2130000005": (13, 0, None, 1, 0),
        "2130000006": (0, 88, 96, 0, 2),
    },
    2025: {
        "2130000001": (120, 0, None, 4, 0),
        "2130000002": (0, 150, None, 0, 3),
        "2130000003": (60, 45, None, 2, 1),
        "2130000004": (40, 0, None, 2, 0),
        "2130000005": (12, 0, None, 1, 0),
        "2130000006": (0, 90, 100, 0, 2),
    },
}

# Teacher columns of school_years for the latest year, counted by hand from
# ROSTER below: (teachers, above_degree, mid_title, backbone, pe_art) per stage.
# Definitions (validate.roster_aggregates): above degree = associate+ (primary)
# or bachelor+ (junior); mid title = first or senior; backbone = county level
# or above; PE/art = pe, music, art.
TEACHER_COUNTS: dict[str, dict[str, tuple[int, int, int, int, int]]] = {
    "2130000001": {"primary": (4, 3, 2, 1, 1), "junior": (0, 0, 0, 0, 0)},
    "2130000002": {"primary": (0, 0, 0, 0, 0), "junior": (5, 4, 3, 2, 2)},
    "2130000003": {"primary": (3, 3, 1, 0, 1), "junior": (2, 1, 1, 1, 0)},
    "2130000004": {"primary": (2, 1, 0, 0, 0), "junior": (0, 0, 0, 0, 0)},
    "2130000005": {"primary": (1, 1, 0, 0, 0), "junior": (0, 0, 0, 0, 0)},
    "2130000006": {"primary": (0, 0, 0, 0, 0), "junior": (3, 3, 2, 1, 1)},
}
# The year before: teacher columns only (there is no roster for it).
_TEACHER_COUNTS_2024 = {
    "2130000001": {"primary": (4, 3, 2, 1, 1), "junior": (0, 0, 0, 0, 0)},
    "2130000002": {"primary": (0, 0, 0, 0, 0), "junior": (5, 3, 3, 2, 2)},
    "2130000003": {"primary": (3, 2, 1, 0, 1), "junior": (2, 1, 1, 1, 0)},
    "2130000004": {"primary": (2, 1, 0, 0, 0), "junior": (0, 0, 0, 0, 0)},
    "2130000005": {"primary": (1, 1, 0, 0, 0), "junior": (0, 0, 0, 0, 0)},
    "2130000006": {"primary": (0, 0, 0, 0, 0), "junior": (3, 2, 2, 1, 1)},
}
_SUBS = ("teachers", "above_degree_teachers", "mid_title_teachers", "backbone_teachers",
         "pe_art_teachers")

# teacher_id, school, stage, subject, birth_year, gender, degree, title, backbone
_ROSTER = [
    # 2130000001 primary: 4 teachers; above 3 (bachelor, associate, postgraduate),
    # mid 2 (senior, first), backbone 1 (county), PE/art 1 (music)
    ("T0001", "2130000001", "primary", "chinese", 1980, "female", "bachelor", "senior", "county"),
    ("T0002", "2130000001", "primary", "math", 1988, "male", "associate", "first", "school"),
    ("T0003", "2130000001", "primary", "music", 1995, "female", "secondary", "second", "none"),
    ("T0004", "2130000001", "primary", "english", 1998, "female", "postgraduate", "third",
     "none"),
    # 2130000002 junior: 5; above 4 (bachelor x3, postgraduate; associate is not above for
    # junior), mid 3, backbone 2 (city, national), PE/art 2 (pe, art)
    ("T0005", "2130000002", "junior", "math", 1976, "male", "bachelor", "senior", "city"),
    ("T0006", "2130000002", "junior", "pe", 1985, "male", "bachelor", "first", "national"),
    ("T0007", "2130000002", "junior", "art", 1990, "female", "associate", "first", "school"),
    ("T0008", "2130000002", "junior", "physics", 1993, "male", "bachelor", "second", "none"),
    ("T0009", "2130000002", "junior", "chinese", 1997, "female", "postgraduate", "none", "none"),
    # 2130000003 nine-year, primary: 3; above 3, mid 1, backbone 0, PE/art 1
    ("T0010", "2130000003", "primary", "chinese", 1983, "female", "associate", "first",
     "school"),
    ("T0011", "2130000003", "primary", "pe", 1991, "male", "bachelor", "second", "none"),
    ("T0012", "2130000003", "primary", "math", 1999, "female", "bachelor", "third", "none"),
    # 2130000003 nine-year, junior: 2; above 1, mid 1, backbone 1 (province), PE/art 0
    ("T0013", "2130000003", "junior", "math", 1979, "male", "bachelor", "senior", "province"),
    ("T0014", "2130000003", "junior", "english", 1994, "female", "associate", "second", "none"),
    # 2130000004 primary: 2; above 1, nothing else
    ("T0015", "2130000004", "primary", "chinese", 1972, "male", "secondary", "second", "none"),
    ("T0016", "2130000004", "primary", "math", 1996, "female", "associate", "none", "none"),
    # 2130000005 teaching point: 1; above 1
    ("T0017", "2130000005", "primary", "other", 1986, "male", "associate", "second", "school"),
    # 2130000006 complete middle, junior: 3; above 3, mid 2, backbone 1 (county), PE/art 1
    ("T0018", "2130000006", "junior", "chinese", 1981, "female", "bachelor", "first",
     "county"),
    ("T0019", "2130000006", "junior", "music", 1989, "female", "bachelor", "senior", "none"),
    ("T0020", "2130000006", "junior", "biology", 1992, "male", "postgraduate", "second",
     "school"),
]

# class sizes of the latest year: (school, stage, grade, class_no, size)
_CLASSES = [
    ("2130000001", "primary", 1, "1", 30),
    ("2130000001", "primary", 2, "1", 30),
    ("2130000001", "primary", 3, "1", 28),
    ("2130000001", "primary", 4, "1", 32),
    ("2130000002", "junior", 7, "1", 50),
    ("2130000002", "junior", 8, "1", 49),
    ("2130000002", "junior", 9, "1", 51),
    ("2130000003", "primary", 1, "1", 31),
    ("2130000003", "primary", 2, "1", 29),
    ("2130000003", "junior", 7, "1", 45),
    ("2130000004", "primary", 1, "1", 21),
    ("2130000004", "primary", 2, "1", 19),
    ("2130000005", "primary", 1, "1", 12),
    ("2130000006", "junior", 7, "1", 44),
    ("2130000006", "junior", 8, "1", 46),
]


def _school_years() -> list[dict[str, Any]]:
    rows = []
    for year in YEARS:
        counts = TEACHER_COUNTS if year == LATEST_YEAR else _TEACHER_COUNTS_2024
        for sid in SCHOOL_IDS:
            sp, sj, ss, cp, cj = _ENROLMENT[year][sid]
            total = sp + sj + (ss or 0)
            row: dict[str, Any] = {
                "school_id": sid, "year": year,
                "students_primary": sp, "students_junior": sj, "students_senior": ss,
                "classes_primary": cp, "classes_junior": cj,
                "teaching_aux_area": 4.5 * total + 300.0,
                "indoor_sports_area": 120.0,
                "sports_area": 8.0 * total + 500.0,
                "equipment_value": 2200.0 * total,
                "computers": max(2, total // 8),
                "books": 30 * total,
                "multimedia_classrooms": max(1, (cp + cj) // 1),
                "music_rooms": 1, "art_rooms": 1,
                "music_room_area": 80.0, "art_room_area": 75.5,
                "public_funds": 650.0 * total,
                "design_capacity": total + 40,
                "migrant_students": total // 10,
                "left_behind_students": total // 5,
                "disabled_students": 1,
            }
            for stage in ("primary", "junior"):
                for sub, value in zip(_SUBS, counts[sid][stage], strict=True):
                    row[f"{sub}_{stage}"] = value
            rows.append(row)
    return rows


def _teachers() -> list[dict[str, Any]]:
    rows = []
    for i, (tid, sid, stage, subject, birth, gender, degree, title, backbone) in enumerate(
            _ROSTER):
        age = 2026 - birth
        rows.append({
            "teacher_id": tid, "school_id": sid, "stage": stage, "subject": subject,
            "birth_year": birth, "gender": gender, "degree": degree, "title": title,
            "backbone": backbone,
            "years_at_school": min(5 + i % 4, age - 22),
            "rural_service_years": (i % 3) * 2,
            "training_hours_5y": 240.0 + 10 * i,
            "certified": 1, "on_post": 1,
            "last_rotation_year": 2021 if i % 4 == 0 else None,
            # expected retirement: 60 (men) / 55 (women); some rows leave it empty
            "retirement_year": (birth + (60 if gender == "male" else 55)) if i % 3 else None,
        })
    return rows


def _classes() -> list[dict[str, Any]]:
    return [{"school_id": sid, "year": LATEST_YEAR, "stage": stage, "grade": grade,
             "class_no": no, "size": size} for sid, stage, grade, no, size in _CLASSES]


VILLAGES = [
    {"village_id": "V01", "name": "东关村", "township": "城关镇", "lon": 114.51, "lat": 38.01,
     "population": 3200, "children_primary": 210, "children_junior": 105, "terrain": "plain",
     "children_primary_2027": 200},
    {"village_id": "V02", "name": "河西村", "township": "河西乡", "lon": 114.43, "lat": 37.96,
     "population": 1800, "children_primary": 95, "children_junior": 50, "terrain": "plain",
     "children_primary_2027": 90},
    {"village_id": "V03", "name": "北山村", "township": "北山乡", "lon": 114.57, "lat": 38.14,
     "population": 900, "children_primary": 48, "children_junior": 20, "terrain": "mountain",
     "children_primary_2027": 44},
    {"village_id": "V04", "name": "南营村", "township": "城关镇", "lon": 114.47, "lat": 37.98,
     "population": 1200, "children_primary": 70, "children_junior": 40, "terrain": "hill",
     "children_primary_2027": None},
]
TRAVEL = [
    {"from_id": "V01", "to_id": "2130000001", "km": 1.2, "minutes": 8},
    {"from_id": "V01", "to_id": "2130000002", "km": 1.5, "minutes": 10},
    {"from_id": "V02", "to_id": "2130000003", "km": 0.8, "minutes": 6},
    {"from_id": "V03", "to_id": "2130000005", "km": 1.1, "minutes": 12},
    {"from_id": "V03", "to_id": "2130000004", "km": 3.4, "minutes": 25},
    {"from_id": "V04", "to_id": "P01", "km": 0.9, "minutes": None},
]
SITES = [
    {"site_id": "P01", "lon": 114.47, "lat": 37.985, "max_capacity": 900,
     "build_cost_per_place": 35000.0, "fixed_cost": 5_000_000.0},
    {"site_id": "P02", "lon": 114.53, "lat": 38.05, "max_capacity": 450,
     "build_cost_per_place": 32000.0, "fixed_cost": None},
]
COUNTY_FINANCE = [
    {"year": 2024, "recurrent_revenue": 1.25e9, "edu_appropriation": 3.1e8,
     "per_student_spending_primary": 9800.0, "per_student_spending_junior": 12500.0,
     "per_student_public_funds_primary": 720.0, "per_student_public_funds_junior": 930.0},
    {"year": 2025, "recurrent_revenue": 1.31e9, "edu_appropriation": 3.3e8,
     "per_student_spending_primary": 10100.0, "per_student_spending_junior": 12900.0,
     "per_student_public_funds_primary": 740.0, "per_student_public_funds_junior": 960.0},
]
COUNTY_CHECKS = [
    {"key": "teacher_avg_pay", "value": "98000", "year": 2025, "evidence": "县人社局2025年报"},
    {"key": "civil_servant_avg_pay", "value": "96500", "year": 2025, "evidence": None},
    {"key": "junior_retention_rate_3y", "value": "0.97", "year": 2025, "evidence": None},
    {"key": "layout_plan_ok", "value": "是", "year": 2025, "evidence": "县政府批复文件"},
    {"key": "no_key_schools", "value": "1", "year": None, "evidence": None},
]
SURVEY = [
    {"group": "parents", "respondents": 420, "satisfied": 391},
    {"group": "teachers", "respondents": 150, "satisfied": 139},
    {"group": "students", "respondents": 300, "satisfied": 276},
]


def make_valid_tables() -> dict[str, pd.DataFrame]:
    """A fresh copy of the valid county; every cell can be overwritten by any value."""

    def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
        return pd.DataFrame(copy.deepcopy(rows), dtype=object)

    schools = [{"school_id": s["school_id"], "name": s["name"], **COUNTY,
                **{k: v for k, v in s.items() if k not in ("school_id", "name")}}
               for s in SCHOOLS]
    return {
        "schools": frame(schools),
        "school_years": frame(_school_years()),
        "teachers": frame(_teachers()),
        "classes": frame(_classes()),
        "villages": frame(VILLAGES),
        "travel": frame(TRAVEL),
        "sites": frame(SITES),
        "county_finance": frame(COUNTY_FINANCE),
        "county_checks": frame(COUNTY_CHECKS),
        "survey": frame(SURVEY),
    }


def excel_row(index: int) -> int:
    """Excel row of frame row ``index`` (the header is row 1)."""
    return index + 2


def write_tables(tables: dict[str, pd.DataFrame], target: Path, *, form: str = "xlsx",
                 lang: str = "zh") -> Path:
    """Write ``tables`` under ``target`` (a folder) as ``county.xlsx`` or a CSV folder.

    ``form`` is ``"xlsx"``, ``"csv"`` (UTF-8 with BOM, as pandas writes) or
    ``"csv-gbk"`` (what Excel on Chinese Windows saves).
    """
    target.mkdir(parents=True, exist_ok=True)
    if form == "xlsx":
        return write_workbook(tables, target / "county.xlsx", lang=lang)
    folder = target / "county"
    if folder.exists():
        shutil.rmtree(folder)
    write_workbook(tables, folder, lang=lang)
    if form == "csv-gbk":
        for file in folder.glob("*.csv"):
            text = file.read_text(encoding="utf-8-sig")
            file.write_bytes(text.encode("gbk"))
    else:
        assert form == "csv", form
    return folder


@pytest.fixture
def valid_tables() -> dict[str, pd.DataFrame]:
    """The valid county as tables with English column keys (a fresh copy per test)."""
    return make_valid_tables()


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``write(tables, form="xlsx", lang="zh") -> path`` into a fresh folder of tmp_path."""
    counter = iter(range(1_000_000))

    def _write(tables: dict[str, pd.DataFrame], form: str = "xlsx", lang: str = "zh") -> Path:
        return write_tables(tables, tmp_path / f"w{next(counter)}", form=form, lang=lang)

    return _write
