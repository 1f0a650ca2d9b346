"""Validation of the census workbook (数据校验): one test per rule.

Each test corrupts the valid county of ``conftest.py`` in one place, writes it
(``.xlsx`` with Chinese headers unless said otherwise), validates it and checks
that the report names the rule, the sheet, the Excel row and the column header
as the clerk sees them in the file.
"""

from __future__ import annotations

import re
import string
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import LATEST_YEAR, TEACHER_COUNTS, excel_row, make_valid_tables
from junheng.data.limits import LIMITS
from junheng.data.schema import SHEETS
from junheng.data.validate import Issue, ValidationReport, roster_aggregates, validate_workbook
from junheng.i18n import MESSAGES, Msg, tr

# Row indexes into the fixture tables.
PRIMARY, JUNIOR, NINE_YEAR, RURAL_PRIMARY, TEACHING_POINT, COMPLETE = range(6)
Y2024 = {s: s for s in range(6)}  # school_years row of each school in 2024
Y2025 = {s: 6 + s for s in range(6)}  # ... and in the latest year
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


# ------------------------------------------------------------------ helpers


def check(write, tables: dict[str, pd.DataFrame], form: str = "xlsx",  # type: ignore[no-untyped-def]
          lang: str = "zh") -> ValidationReport:
    report = validate_workbook(write(tables, form=form, lang=lang))
    assert_renders(report)
    return report


def only(report: ValidationReport, rule: str, severity: str = "error",
         allow: tuple[str, ...] = ()) -> Issue:
    """The one issue of ``rule``; no other error (except rules in ``allow``) may appear."""
    others = {i.rule for i in report.errors} - {rule, *allow}
    assert not others, report.to_text("en")
    found = [i for i in report.issues if i.rule == rule]
    assert len(found) == 1, report.to_text("en")
    assert found[0].severity == severity
    return found[0]


def at(issue: Issue, sheet: str, row: int | None, column: str | None,
       cell: str | None = None) -> None:
    assert (issue.sheet, issue.row, issue.column) == (sheet, row, column), issue
    if cell is not None:
        assert issue.cell == cell, issue


def set_cell(tables: dict[str, pd.DataFrame], sheet: str, index: int, column: str,
             value: Any) -> None:
    tables[sheet].at[index, column] = value


def append_row(tables: dict[str, pd.DataFrame], sheet: str, row: dict[str, Any]) -> int:
    """Append ``row`` to ``sheet`` and return its frame index."""
    frame = tables[sheet]
    new = pd.DataFrame([row], columns=frame.columns, dtype=object)
    tables[sheet] = pd.concat([frame, new], ignore_index=True)
    return len(tables[sheet]) - 1


def assert_renders(report: ValidationReport) -> None:
    """Every issue and the whole report render in zh and en without placeholders."""
    for lang in ("zh", "en"):
        text = report.to_text(lang)
        assert not PLACEHOLDER.search(text), text
        for issue in report.issues:
            message = issue.message(lang)
            assert message and not PLACEHOLDER.search(message), (issue, message)
            if lang == "en":
                # English text apart from the data itself (values, headers, sheet names)
                values: list[Any] = []
                for value in issue.params.values():
                    if not isinstance(value, Msg):
                        values.extend(value if isinstance(value, list | tuple) else [value])
                stripped = message
                for value in sorted(map(str, values), key=len, reverse=True):
                    stripped = stripped.replace(value, "")
                assert not CJK.search(stripped), (issue.rule, message)
        report.to_frame(lang)


# ------------------------------------------------------------------ the valid county


@pytest.mark.parametrize(("form", "lang"), [("xlsx", "zh"), ("xlsx", "en"), ("csv", "zh"),
                                            ("csv", "en"), ("csv-gbk", "zh")])
def test_valid_county_has_no_errors_and_no_warnings(write, valid_tables, form, lang):
    report = check(write, valid_tables, form, lang)
    assert report.issues == []
    assert report.ok
    assert set(report.tables) == {s.key for s in SHEETS}
    assert len(report.tables["schools"]) == 6
    assert len(report.tables["school_years"]) == 12
    assert len(report.tables["teachers"]) == 20


def test_valid_county_is_typed_with_excel_rows(write, valid_tables):
    report = check(write, valid_tables)
    years = report.tables["school_years"]
    assert years["year"].dtype == "Int64"
    assert years["students_primary"].tolist()[:2] == [116, 0]
    assert years["_row"].tolist() == list(range(2, 14))
    assert report.tables["schools"]["boarding"].tolist() == [False, False, True, True, False,
                                                             True]
    assert report.tables["villages"]["children_primary_2027"].tolist()[:3] == [200, 90, 44]


def test_roster_definitions_give_the_fixture_teacher_counts(write, valid_tables):
    """Pins the 统计口径: degree above the legal minimum per stage, title 一级+, county+."""
    teachers = check(write, valid_tables).tables["teachers"]
    agg = roster_aggregates(teachers)
    for sid, stages in TEACHER_COUNTS.items():
        for stage, counts in stages.items():
            got = tuple(int(x) for x in agg.loc[(sid, stage)]) if (sid, stage) in agg.index \
                else (0, 0, 0, 0, 0)
            assert got == counts, (sid, stage)


def test_valid_report_text_says_valid_in_both_languages(write, valid_tables):
    report = check(write, valid_tables)
    assert report.to_text("zh").startswith("校验通过")
    assert report.to_text("en").startswith("Valid")


# ------------------------------------------------------------------ where the error is named


@pytest.mark.parametrize(
    ("form", "lang", "sheet", "column"),
    [
        ("xlsx", "zh", "school_years", "小学在校生数"),
        ("xlsx", "en", "school_years", "students_primary"),
        ("csv", "zh", "school_years.csv", "小学在校生数"),
        ("csv", "en", "school_years.csv", "students_primary"),
        ("csv-gbk", "zh", "school_years.csv", "小学在校生数"),
    ],
)
def test_negative_count_names_sheet_row_and_column_in_every_file_form(write, valid_tables,
                                                                      form, lang, sheet,
                                                                      column):
    set_cell(valid_tables, "school_years", Y2024[PRIMARY], "students_primary", -5)
    issue = only(check(write, valid_tables, form, lang), "negative")
    at(issue, sheet, excel_row(Y2024[PRIMARY]), column, cell="C2")
    assert issue.to_dict()["value"] == "-5"  # as Excel shows it, not -5.0
    assert "值「-5」" in issue.describe("zh")


def test_chinese_sheet_names_are_read_and_reported(write, valid_tables):
    set_cell(valid_tables, "school_years", Y2024[JUNIOR], "teaching_aux_area", -10.5)
    path = write(valid_tables)
    wb = load_workbook(path)
    for sheet in SHEETS:
        wb[sheet.key].title = sheet.zh
    wb.save(path)
    report = validate_workbook(path)
    issue = only(report, "negative")
    at(issue, "学校年度统计", 3, "教学及辅助用房面积", cell="H3")
    assert_renders(report)


def test_blank_rows_keep_the_row_number_excel_shows(write, valid_tables):
    set_cell(valid_tables, "schools", NINE_YEAR, "type", "大学")
    path = write(valid_tables)
    wb = load_workbook(path)
    wb["schools"].insert_rows(1)  # header moves to row 2
    wb["schools"].insert_rows(4)  # an empty row between data rows
    wb.save(path)
    issue = only(validate_workbook(path), "enum_invalid")
    # frame row 2 -> Excel row 4 -> +1 (row above header) +1 (blank row above it)
    at(issue, "schools", 6, "办学类型", cell="F6")


def test_headers_with_key_in_brackets_and_fullwidth_spaces_are_accepted(write, valid_tables):
    tables = valid_tables
    tables["schools"] = tables["schools"].rename(
        columns={"school_id": "学校标识码（school_id）", "name": " 学校\u3000名称 "})
    report = check(write, tables, lang="en")
    assert report.ok, report.to_text("en")


# ------------------------------------------------------------------ sheets and columns


def test_missing_required_sheet_is_an_error_naming_the_sheet(write, valid_tables):
    del valid_tables["school_years"]
    report = check(write, valid_tables)
    # the class list now points to school years that do not exist
    issue = only(report, "sheet_missing", allow=("unknown_school_year",))
    assert issue.params["sheet_key"] == "school_years"
    assert "学校年度统计" in issue.message("zh")
    assert "school_years" in issue.message("en")
    assert not report.ok
    # every school now lacks yearly data: listed as warnings, not errors
    assert {i.rule for i in report.warnings} == {"school_no_years"}


def test_missing_schools_sheet_makes_every_reference_unknown(write, valid_tables):
    del valid_tables["schools"]
    report = check(write, valid_tables)
    rules = {i.rule for i in report.errors}
    assert {"sheet_missing", "unknown_school"} <= rules
    assert [i.params["sheet_key"] for i in report.errors if i.rule == "sheet_missing"] == \
        ["schools"]


def test_optional_sheets_may_be_absent(write, valid_tables):
    for key in ("teachers", "classes", "villages", "travel", "sites", "county_finance",
                "county_checks", "survey"):
        del valid_tables[key]
    report = check(write, valid_tables)
    assert report.ok and report.issues == []
    assert report.tables["teachers"].empty


def test_missing_required_column_names_sheet_and_column(write, valid_tables):
    valid_tables["school_years"] = valid_tables["school_years"].drop(
        columns=["students_primary"])
    report = check(write, valid_tables)
    issue = only(report, "column_missing")
    at(issue, "school_years", None, None)
    assert issue.params["column_key"] == "students_primary"
    assert "小学在校生数" in issue.message("zh")
    assert "students_primary" in issue.message("en")


def test_missing_optional_column_is_unknown_not_an_error(write, valid_tables):
    valid_tables["schools"] = valid_tables["schools"].drop(columns=["lon", "lat", "township"])
    report = check(write, valid_tables)
    assert report.ok and report.issues == []
    assert report.tables["schools"]["lon"].isna().all()


def test_duplicate_column_is_an_error_naming_both_columns(write, valid_tables):
    frame = valid_tables["survey"]
    frame.insert(3, "dup", frame["respondents"])
    valid_tables["survey"] = frame.rename(columns={"dup": "respondents"})
    issue = only(check(write, valid_tables), "column_duplicate")
    at(issue, "survey", 1, "有效样本数", cell="D1")
    assert issue.params["first"] == "B"


def test_duplicate_projection_column_is_an_error(write, valid_tables):
    frame = valid_tables["villages"]
    frame.insert(len(frame.columns), "dup", frame["children_primary_2027"])
    valid_tables["villages"] = frame.rename(columns={"dup": "children_primary_2027"})
    issue = only(check(write, valid_tables), "column_duplicate")
    at(issue, "villages", 1, "children_primary_2027", cell="K1")
    assert issue.params["first"] == "J"


def test_unknown_column_is_a_warning_naming_the_header(write, valid_tables):
    valid_tables["schools"]["备注"] = "无"
    report = check(write, valid_tables)
    issue = only(report, "column_unknown", severity="warning")
    at(issue, "schools", 1, "备注", cell="N1")
    assert report.ok


def test_unknown_sheet_is_a_warning_naming_the_sheet(write, valid_tables):
    path = write(valid_tables)
    wb = load_workbook(path)
    wb.create_sheet("草稿").append(["学校", "备注"])
    wb.save(path)
    report = validate_workbook(path)
    issue = only(report, "sheet_unknown", severity="warning")
    assert issue.sheet == "草稿"
    assert "草稿" in issue.message("zh") and "草稿" in issue.message("en")
    assert report.ok
    assert_renders(report)


def test_same_table_twice_is_an_error_naming_the_second_sheet(write, valid_tables):
    path = write(valid_tables)
    wb = load_workbook(path)
    wb.copy_worksheet(wb["schools"]).title = "学校基本信息"
    wb.save(path)
    report = validate_workbook(path)
    issue = only(report, "sheet_twice")
    assert issue.sheet == "学校基本信息"
    assert "学校基本信息" in issue.message("zh")
    assert_renders(report)


def test_required_sheet_with_header_only_is_an_error(write, valid_tables):
    valid_tables["schools"] = valid_tables["schools"].iloc[0:0]
    report = check(write, valid_tables)
    rules = {i.rule for i in report.errors}
    assert "sheet_no_rows" in rules
    issue = next(i for i in report.errors if i.rule == "sheet_no_rows")
    assert issue.sheet == "schools"


def test_empty_sheet_is_an_error_when_required_and_a_warning_when_optional(write,
                                                                          valid_tables):
    path = write(valid_tables)
    wb = load_workbook(path)
    for key in ("schools", "survey"):
        ws = wb[key]
        ws.delete_rows(1, ws.max_row)
    wb.save(path)
    report = validate_workbook(path)
    assert_renders(report)
    empty = {(i.sheet, i.severity) for i in report.issues if i.rule == "sheet_no_header"}
    assert empty == {("schools", "error"), ("survey", "warning")}


# ------------------------------------------------------------------ cell types


@pytest.mark.parametrize(
    ("sheet", "index", "column", "value", "rule", "header", "cell"),
    [
        ("school_years", Y2024[PRIMARY], "students_primary", "一百", "type_int", "小学在校生数",
         "C2"),
        ("school_years", Y2024[PRIMARY], "computers", 12.5, "type_int", "教学用计算机台数",
         "L2"),
        ("school_years", Y2024[JUNIOR], "sports_area", "约2000", "type_number",
         "体育运动场(馆)面积", "J3"),
        ("school_years", Y2024[JUNIOR], "equipment_value", "nan", "type_number",
         "教学仪器设备资产值", "K3"),
        ("school_years", Y2024[JUNIOR], "equipment_value", "inf", "type_number",
         "教学仪器设备资产值", "K3"),
        ("schools", RURAL_PRIMARY, "boarding", "偶尔", "type_bool", "是否寄宿制", "L5"),
        ("schools", RURAL_PRIMARY, "lon", "东经114度", "type_number", "经度", "J5"),
        ("teachers", 3, "teacher_id", pd.Timestamp("2020-05-01").to_pydatetime(),
         "type_text", "教师编号", "A5"),
        ("teachers", 3, "birth_year", "一九九八", "type_year", "出生年份", "E5"),
        ("teachers", 3, "certified", 2, "type_bool", "持教师资格证", "M5"),
        ("county_finance", 0, "recurrent_revenue", True, "type_number", "财政经常性收入", "B2"),
    ],
)
def test_wrong_type_names_sheet_row_and_column(write, valid_tables, sheet, index, column,
                                               value, rule, header, cell):
    set_cell(valid_tables, sheet, index, column, value)
    # an unreadable longitude leaves the latitude alone
    issue = only(check(write, valid_tables), rule, allow=("coords_half",))
    at(issue, sheet, excel_row(index), header, cell=cell)


@pytest.mark.parametrize(
    ("sheet", "index", "column", "value", "header"),
    [
        ("schools", NINE_YEAR, "type", "大学", "办学类型"),
        ("schools", NINE_YEAR, "ownership", "集体", "举办者"),
        ("schools", NINE_YEAR, "locale", "郊区", "城乡分类"),
        ("teachers", 0, "subject", "书法", "任教学科"),
        ("teachers", 0, "degree", "博士后", "最高学历"),
        ("teachers", 0, "gender", "X", "性别"),
        ("classes", 0, "stage", "高中", "学段"),
        ("villages", 0, "terrain", "高原", "地形"),
        ("survey", 0, "group", "校友", "调查对象"),
    ],
)
def test_value_not_in_allowed_set_names_the_column(write, valid_tables, sheet, index, column,
                                                   value, header):
    set_cell(valid_tables, sheet, index, column, value)
    report = check(write, valid_tables)
    # a class or teacher whose stage/degree is unreadable no longer counts in the aggregates
    issue = only(report, "enum_invalid", allow=("classes_count_mismatch",
                                                "classes_students_mismatch",
                                                "roster_count_mismatch"))
    at(issue, sheet, excel_row(index), header)
    assert issue.value == value
    assert "、" in issue.message("zh") and ", " in issue.message("en")


def test_enum_accepts_chinese_labels_and_english_keys_in_any_case(write, valid_tables):
    set_cell(valid_tables, "schools", NINE_YEAR, "type", "九年一贯制学校")
    set_cell(valid_tables, "schools", PRIMARY, "locale", "Urban")
    set_cell(valid_tables, "teachers", 0, "degree", " 本科 ")
    set_cell(valid_tables, "schools", PRIMARY, "boarding", "否")
    report = check(write, valid_tables)
    assert report.ok and report.issues == []
    assert report.tables["schools"]["type"][NINE_YEAR] == "nine_year"


def test_numbers_written_as_text_with_thousands_separators_are_accepted(write, valid_tables):
    set_cell(valid_tables, "school_years", Y2024[PRIMARY], "books", "3,480")
    set_cell(valid_tables, "school_years", Y2024[PRIMARY], "equipment_value", " 255200 ")
    report = check(write, valid_tables)
    assert report.ok, report.to_text("en")
    assert report.tables["school_years"]["books"][0] == 3480


@pytest.mark.parametrize(
    ("sheet", "index", "column", "header"),
    [
        ("schools", PRIMARY, "name", "学校名称"),
        ("schools", PRIMARY, "county_code", "县区代码"),
        ("teachers", 5, "degree", "最高学历"),
        ("classes", 2, "class_no", "班号"),
        ("travel", 1, "km", "距离"),
        ("county_checks", 1, "value", "数值"),
    ],
)
def test_empty_required_cell_names_sheet_row_and_column(write, valid_tables, sheet, index,
                                                        column, header):
    set_cell(valid_tables, sheet, index, column, None)
    issue = only(check(write, valid_tables), "cell_empty", allow=("roster_count_mismatch",))
    at(issue, sheet, excel_row(index), header)


# ------------------------------------------------------------------ bounds


@pytest.mark.parametrize(
    ("sheet", "index", "column", "value", "header"),
    [
        ("school_years", Y2024[JUNIOR], "teaching_aux_area", -1, "教学及辅助用房面积"),
        ("school_years", Y2024[JUNIOR], "sports_area", -0.5, "体育运动场(馆)面积"),
        ("school_years", Y2024[JUNIOR], "equipment_value", -2000, "教学仪器设备资产值"),
        ("school_years", Y2024[JUNIOR], "public_funds", "-650", "公用经费支出"),
        ("school_years", Y2024[JUNIOR], "books", -1, "图书册数"),
        ("school_years", Y2024[JUNIOR], "classes_junior", -3, "初中班数"),
        ("county_finance", 1, "edu_appropriation", -3.3e8, "预算内教育经费拨款"),
        ("sites", 0, "build_cost_per_place", -1.0, "每学位建设成本"),
        ("travel", 0, "km", -1.2, "距离"),
        ("villages", 0, "population", -3200, "常住人口"),
        ("teachers", 0, "training_hours_5y", -8, "近五年培训学时"),
        ("survey", 0, "respondents", -420, "有效样本数"),
    ],
)
def test_negative_count_area_or_money_names_sheet_row_and_column(write, valid_tables, sheet,
                                                                 index, column, value, header):
    set_cell(valid_tables, sheet, index, column, value)
    report = check(write, valid_tables)
    # an unreadable class count leaves the students without classes: no second error
    issue = only(report, "negative")
    at(issue, sheet, excel_row(index), header)
    assert "负数" in issue.message("zh") and "negative" in issue.message("en")


def test_value_below_minimum_names_the_minimum(write, valid_tables):
    set_cell(valid_tables, "sites", 1, "max_capacity", 0)
    issue = only(check(write, valid_tables), "below_min")
    at(issue, "sites", 3, "最大学位数", cell="D3")
    assert issue.params["min"] == "1"


@pytest.mark.parametrize(
    ("sheet", "index", "column", "value", "header"),
    [
        ("teachers", 0, "years_at_school", 61, "本校连续任教年限"),
        ("teachers", 0, "rural_service_years", 75, "农村/薄弱学校任教年限"),
        ("classes", 0, "grade", 10, "年级"),
    ],
)
def test_value_above_maximum_names_the_maximum(write, valid_tables, sheet, index, column,
                                               value, header):
    set_cell(valid_tables, sheet, index, column, value)
    issue = only(check(write, valid_tables), "above_max")
    at(issue, sheet, excel_row(index), header)


# ------------------------------------------------------------------ years


@pytest.mark.parametrize(
    ("sheet", "index", "column", "value", "header"),
    [
        ("school_years", Y2024[RURAL_PRIMARY], "year", 2099, "学年"),
        ("school_years", Y2024[RURAL_PRIMARY], "year", 1900, "学年"),
        ("county_finance", 0, "year", 1899, "年度"),
        ("county_checks", 0, "year", 3025, "年度"),
        ("teachers", 0, "last_rotation_year", 2090, "最近一次交流轮岗年份"),
        ("teachers", 1, "retirement_year", 2150, "预计退休年份"),
        ("teachers", 1, "birth_year", 1850, "出生年份"),
    ],
)
def test_impossible_year_names_sheet_row_and_column(write, valid_tables, sheet, index, column,
                                                    value, header):
    set_cell(valid_tables, sheet, index, column, value)
    issue = only(check(write, valid_tables), "year_impossible")
    at(issue, sheet, excel_row(index), header)
    assert issue.params["earliest"] == 1949


def test_next_school_year_is_possible_but_the_one_after_is_not(write, valid_tables):
    import datetime

    this_year = datetime.date.today().year
    set_cell(valid_tables, "county_finance", 0, "year", this_year + 1)
    assert check(write, valid_tables).ok
    set_cell(valid_tables, "county_finance", 0, "year", this_year + 2)
    issue = only(check(write, valid_tables), "year_impossible")
    assert issue.params["latest"] == this_year + 1


def test_expected_retirement_in_the_future_is_not_an_error(write, valid_tables):
    """预计退休年份 lies in the future by definition (bug: it was capped at next year)."""
    set_cell(valid_tables, "teachers", 19, "retirement_year", 2060)  # born 1992
    report = check(write, valid_tables)
    assert report.ok, report.to_text("en")
    assert report.tables["teachers"]["retirement_year"][19] == 2060


def test_expected_retirement_after_the_oldest_teaching_age_is_an_error(write, valid_tables):
    set_cell(valid_tables, "teachers", 19, "retirement_year", 2070)  # born 1992: age 78
    issue = only(check(write, valid_tables), "year_after_career")
    at(issue, "teachers", 21, "预计退休年份", cell="P21")
    assert issue.params["max_age"] == 70


@pytest.mark.parametrize(("value", "rule"), [("1800", "year_impossible"),
                                             ("2090", "year_impossible"),
                                             ("二〇一五", "type_year"), ("2015.5", "type_year")])
def test_impossible_certification_year_in_county_checks_is_an_error(write, valid_tables, value,
                                                                    rule):
    append_row(valid_tables, "county_checks",
               {"key": "basic_balance_certified_year", "value": value, "year": None})
    issue = only(check(write, valid_tables), rule)
    at(issue, "county_checks", 7, "数值", cell="B7")


def test_possible_certification_year_in_county_checks_is_accepted(write, valid_tables):
    append_row(valid_tables, "county_checks",
               {"key": "basic_balance_certified_year", "value": "2015", "year": None})
    assert check(write, valid_tables).issues == []


def test_year_given_as_a_date_cell_is_read_as_its_year(write, valid_tables):
    set_cell(valid_tables, "county_finance", 0, "year",
             pd.Timestamp("2024-09-01").to_pydatetime())
    report = check(write, valid_tables)
    assert report.ok, report.to_text("en")
    assert report.tables["county_finance"]["year"][0] == 2024


@pytest.mark.parametrize("birth", [2015, 1940 + 9])
def test_teacher_too_young_or_too_old_is_an_error(write, valid_tables, birth):
    set_cell(valid_tables, "teachers", 2, "birth_year", birth)
    issue = only(check(write, valid_tables), "teacher_age")
    at(issue, "teachers", 4, "出生年份", cell="E4")


def test_years_at_school_longer_than_a_career_is_an_error(write, valid_tables):
    set_cell(valid_tables, "teachers", 11, "years_at_school", 20)  # born 1999
    issue = only(check(write, valid_tables), "years_exceed_career")
    at(issue, "teachers", 13, "本校连续任教年限", cell="J13")


@pytest.mark.parametrize(("column", "header"), [("last_rotation_year", "最近一次交流轮岗年份"),
                                                ("retirement_year", "预计退休年份")])
def test_year_before_the_teacher_could_work_is_an_error(write, valid_tables, column, header):
    set_cell(valid_tables, "teachers", 3, column, 2005)  # born 1998
    issue = only(check(write, valid_tables), "year_before_career")
    at(issue, "teachers", 5, header)


# ------------------------------------------------------------------ uniqueness, references


def test_duplicate_school_id_names_both_rows(write, valid_tables):
    row = valid_tables["schools"].iloc[RURAL_PRIMARY].to_dict()
    index = append_row(valid_tables, "schools", row)
    issue = only(check(write, valid_tables), "duplicate_key")
    at(issue, "schools", excel_row(index), "学校标识码", cell="A8")
    assert issue.params["first_row"] == 5


def test_duplicate_school_year_row_is_an_error(write, valid_tables):
    row = valid_tables["school_years"].iloc[Y2024[COMPLETE]].to_dict()
    index = append_row(valid_tables, "school_years", row)
    issue = only(check(write, valid_tables), "duplicate_key")
    at(issue, "school_years", excel_row(index), "学年")
    assert issue.params == {"first_row": 7, "columns": "school_id+year"}


@pytest.mark.parametrize(
    ("sheet", "index", "column", "value", "header", "first_row"),
    [
        ("teachers", 1, "teacher_id", "T0001", "教师编号", 2),
        ("villages", 2, "village_id", "V01", "村(社区)编号", 2),
        ("sites", 1, "site_id", "P01", "选址编号", 2),
        ("travel", 1, "to_id", "2130000001", "终点(学校/选址)编号", 2),
        ("county_finance", 1, "year", 2024, "年度", 2),
        ("survey", 2, "group", "家长", "调查对象", 2),
        ("classes", 1, "grade", 1, "班号", 2),
    ],
)
def test_duplicate_id_names_the_later_row_and_the_first(write, valid_tables, sheet, index,
                                                        column, value, header, first_row):
    set_cell(valid_tables, sheet, index, column, value)
    # the renamed village's travel rows now point nowhere
    issue = only(check(write, valid_tables), "duplicate_key", allow=("unknown_village",))
    at(issue, sheet, excel_row(index), header)
    assert issue.params["first_row"] == first_row


@pytest.mark.parametrize(
    ("sheet", "index", "column", "header", "allow"),
    [
        ("school_years", Y2024[RURAL_PRIMARY], "school_id", "学校标识码", ()),
        ("schools", TEACHING_POINT, "parent_school_id", "所属学校", ()),
        ("teachers", 14, "school_id", "任教学校", ("roster_count_mismatch",)),
        ("classes", 12, "school_id", "学校标识码",
         ("classes_count_mismatch", "classes_students_mismatch")),
    ],
)
def test_row_pointing_to_unknown_school_names_sheet_row_and_column(write, valid_tables, sheet,
                                                                   index, column, header,
                                                                   allow):
    set_cell(valid_tables, sheet, index, column, "9999999999")
    issue = only(check(write, valid_tables), "unknown_school", allow=allow)
    at(issue, sheet, excel_row(index), header)
    assert issue.value == "9999999999"


def test_travel_from_unknown_village_and_to_unknown_place_are_errors(write, valid_tables):
    set_cell(valid_tables, "travel", 2, "from_id", "V99")
    set_cell(valid_tables, "travel", 3, "to_id", "X01")
    report = check(write, valid_tables)
    at(only(report, "unknown_village", allow=("unknown_destination",)), "travel", 4,
       "起点(村)编号", cell="A4")
    at(only(report, "unknown_destination", allow=("unknown_village",)), "travel", 5,
       "终点(学校/选址)编号", cell="B5")


def test_site_with_a_school_id_is_an_error(write, valid_tables):
    set_cell(valid_tables, "sites", 1, "site_id", "2130000002")
    issue = only(check(write, valid_tables), "site_id_is_school")
    at(issue, "sites", 3, "选址编号")


def test_school_that_is_its_own_parent_is_an_error(write, valid_tables):
    set_cell(valid_tables, "schools", TEACHING_POINT, "parent_school_id", "2130000005")
    issue = only(check(write, valid_tables), "parent_is_self")
    at(issue, "schools", 6, "所属学校", cell="M6")


def test_two_counties_in_one_workbook_is_an_error_on_the_minority_rows(write, valid_tables):
    set_cell(valid_tables, "schools", COMPLETE, "county_code", "130124")
    issue = only(check(write, valid_tables), "county_mixed")
    at(issue, "schools", 7, "县区代码", cell="C7")
    assert issue.params["count"] == 2
    assert "130123、130124" in issue.message("zh")
    assert "130123, 130124" in issue.message("en")  # no Chinese list separator in English


def test_unknown_school_year_in_classes_is_an_error(write, valid_tables):
    row = valid_tables["classes"].iloc[0].to_dict() | {"year": 2023, "class_no": "9"}
    index = append_row(valid_tables, "classes", row)
    issue = only(check(write, valid_tables), "unknown_school_year")
    at(issue, "classes", excel_row(index), "学年")


# ------------------------------------------------------------------ school_years consistency


def test_students_of_a_stage_the_school_does_not_teach_is_an_error(write, valid_tables):
    set_cell(valid_tables, "school_years", Y2024[PRIMARY], "students_junior", 30)
    set_cell(valid_tables, "school_years", Y2024[PRIMARY], "classes_junior", 1)
    issue = only(check(write, valid_tables), "stage_not_offered")
    at(issue, "school_years", 2, "初中在校生数", cell="D2")
    assert issue.params["type"] == "primary"


def test_senior_students_in_a_teaching_point_is_an_error(write, valid_tables):
    set_cell(valid_tables, "school_years", Y2024[TEACHING_POINT], "students_senior", 5)
    issue = only(check(write, valid_tables), "stage_not_offered")
    at(issue, "school_years", 6, "高中在校生数")


def test_students_without_classes_is_an_error(write, valid_tables):
    set_cell(valid_tables, "school_years", Y2024[RURAL_PRIMARY], "classes_primary", 0)
    issue = only(check(write, valid_tables), "students_without_classes")
    at(issue, "school_years", 5, "小学班数", cell="F5")


def test_classes_without_students_is_an_error(write, valid_tables):
    set_cell(valid_tables, "school_years", Y2024[RURAL_PRIMARY], "students_primary", 0)
    report = check(write, valid_tables)
    # migrant/left-behind/disabled pupils now exceed the 0 students
    issue = only(report, "classes_without_students", allow=("part_exceeds_whole",))
    at(issue, "school_years", 5, "小学班数")
    assert {i.rule for i in report.warnings} == {"teachers_without_students"}


@pytest.mark.parametrize(("students", "classes"), [(1000, 4), (3, 4)])
def test_average_class_size_outside_1_to_120_is_an_error(write, valid_tables, students,
                                                         classes):
    set_cell(valid_tables, "school_years", Y2024[PRIMARY], "students_primary", students)
    set_cell(valid_tables, "school_years", Y2024[PRIMARY], "classes_primary", classes)
    issue = only(check(write, valid_tables), "class_average_impossible",
                 allow=("part_exceeds_whole",))
    at(issue, "school_years", 2, "小学班数")
    assert (issue.params["min"], issue.params["max"]) == (1, 120)


@pytest.mark.parametrize("stage", ["primary", "junior"])
@pytest.mark.parametrize("sub", ["above_degree", "mid_title", "backbone", "pe_art"])
def test_teacher_subcount_larger_than_teacher_count_is_an_error(write, valid_tables, stage,
                                                                sub):
    set_cell(valid_tables, "school_years", Y2024[NINE_YEAR], f"{sub}_teachers_{stage}", 9)
    issue = only(check(write, valid_tables), "subcount_exceeds")
    assert issue.sheet == "school_years" and issue.row == 4
    zh = {"above_degree": "高于规定学历教师数", "mid_title": "中级及以上职称教师数",
          "backbone": "县级及以上骨干教师数", "pe_art": "体育、艺术专任教师数"}[sub]
    assert issue.column == {"primary": "小学", "junior": "初中"}[stage] + zh
    assert issue.params["total"] == (3 if stage == "primary" else 2)


@pytest.mark.parametrize(
    ("column", "value", "header"),
    [
        ("indoor_sports_area", 1e6, "其中:室内体育用房面积"),
        ("migrant_students", 500, "随迁子女"),
        ("left_behind_students", 500, "留守儿童"),
        ("disabled_students", 500, "残疾学生"),
    ],
)
def test_part_larger_than_its_whole_is_an_error(write, valid_tables, column, value, header):
    set_cell(valid_tables, "school_years", Y2024[COMPLETE], column, value)
    issue = only(check(write, valid_tables), "part_exceeds_whole")
    at(issue, "school_years", 7, header)


# ------------------------------------------------------------------ roster vs aggregates


@pytest.mark.parametrize("stage", ["primary", "junior"])
@pytest.mark.parametrize("sub", ["teachers", "above_degree_teachers", "mid_title_teachers",
                                 "backbone_teachers", "pe_art_teachers"])
def test_teacher_column_disagreeing_with_roster_is_an_error(write, valid_tables, stage, sub):
    index = Y2025[NINE_YEAR]
    given = TEACHER_COUNTS["2130000003"][stage][
        ("teachers", "above_degree_teachers", "mid_title_teachers", "backbone_teachers",
         "pe_art_teachers").index(sub)]
    set_cell(valid_tables, "school_years", index, f"{sub}_{stage}", given - 1 if given else 0)
    if not given:  # 0 in the roster: claim one more
        set_cell(valid_tables, "school_years", index, f"{sub}_{stage}", 1)
    # one teacher fewer than its sub-counts also breaks subcount_exceeds
    issue = only(check(write, valid_tables), "roster_count_mismatch",
                 allow=("subcount_exceeds",))
    assert (issue.sheet, issue.row) == ("school_years", excel_row(index))
    assert issue.column.startswith({"primary": "小学", "junior": "初中"}[stage])
    assert issue.params["roster"] == given
    assert issue.params["school"] == "2130000003"
    assert issue.params["year"] == LATEST_YEAR


@pytest.mark.parametrize(
    ("teacher", "column", "value", "mismatch"),
    [
        # a junior teacher with 专科 is not above the junior minimum (本科)
        (7, "degree", "associate", "above_degree_teachers_junior"),
        # a primary teacher with 专科 is above the primary minimum
        (2, "degree", "associate", "above_degree_teachers_primary"),
        # 二级 is not an intermediate title; 一级 is
        (0, "title", "second", "mid_title_teachers_primary"),
        (2, "title", "first", "mid_title_teachers_primary"),
        # 校级 backbone does not count; 县级 does
        (0, "backbone", "school", "backbone_teachers_primary"),
        (1, "backbone", "county", "backbone_teachers_primary"),
        # PE, music and art count; IT does not
        (2, "subject", "it", "pe_art_teachers_primary"),
        (0, "subject", "art", "pe_art_teachers_primary"),
    ],
)
def test_roster_change_breaks_the_aggregate_it_defines(write, valid_tables, teacher, column,
                                                       value, mismatch):
    set_cell(valid_tables, "teachers", teacher, column, value)
    school = valid_tables["teachers"].at[teacher, "school_id"]
    issue = only(check(write, valid_tables), "roster_count_mismatch")
    assert issue.params["school"] == school
    headers = dict(zip(
        ("above_degree_teachers_junior", "above_degree_teachers_primary",
         "mid_title_teachers_primary", "backbone_teachers_primary", "pe_art_teachers_primary"),
        ("初中高于规定学历教师数", "小学高于规定学历教师数", "小学中级及以上职称教师数",
         "小学县级及以上骨干教师数", "小学体育、艺术专任教师数"), strict=True))
    assert issue.column == headers[mismatch]


def test_teacher_moved_to_another_school_breaks_both_schools_counts(write, valid_tables):
    set_cell(valid_tables, "teachers", 15, "school_id", "2130000001")  # T0016 to 城关小学
    report = check(write, valid_tables)
    mismatches = {(i.params["school"], i.column) for i in report.errors
                  if i.rule == "roster_count_mismatch"}
    assert ("2130000001", "小学专任教师数") in mismatches
    assert ("2130000004", "小学专任教师数") in mismatches
    assert {i.rule for i in report.errors} == {"roster_count_mismatch"}


def test_school_missing_from_the_roster_disagrees_with_its_teacher_count(write, valid_tables):
    """A roster without a school derives 0 teachers for it (bug: such schools were skipped)."""
    frame = valid_tables["teachers"]
    valid_tables["teachers"] = frame[frame["school_id"] != "2130000005"].reset_index(drop=True)
    report = check(write, valid_tables)
    issues = [i for i in report.errors if i.rule == "roster_count_mismatch"]
    assert {i.rule for i in report.errors} == {"roster_count_mismatch"}
    assert {(i.row, i.column) for i in issues} == {
        (excel_row(Y2025[TEACHING_POINT]), "小学专任教师数"),
        (excel_row(Y2025[TEACHING_POINT]), "小学高于规定学历教师数")}
    assert all(i.params["roster"] == 0 for i in issues)


def test_roster_is_compared_with_the_latest_year_only(write, valid_tables):
    set_cell(valid_tables, "school_years", Y2024[JUNIOR], "teachers_junior", 6)
    assert check(write, valid_tables).ok


def test_teacher_of_a_stage_the_school_does_not_teach_is_an_error(write, valid_tables):
    set_cell(valid_tables, "teachers", 16, "stage", "junior")  # the teaching point
    report = check(write, valid_tables)
    issue = only(report, "teacher_stage_not_offered", allow=("roster_count_mismatch",))
    at(issue, "teachers", 18, "任教学段", cell="C18")


# ------------------------------------------------------------------ classes


@pytest.mark.parametrize("size", [0, 121, -3])
def test_class_size_outside_1_to_120_names_sheet_row_and_column(write, valid_tables, size):
    set_cell(valid_tables, "classes", 5, "size", size)
    issue = only(check(write, valid_tables), "class_size_range",
                 allow=("classes_students_mismatch",))
    at(issue, "classes", 7, "班额(人数)", cell="F7")
    assert (issue.params["min"], issue.params["max"]) == (1, 120)


@pytest.mark.parametrize("size", [1, 120])
def test_class_size_bounds_are_inclusive(write, valid_tables, size):
    set_cell(valid_tables, "classes", 12, "size", size)  # the teaching point's only class
    set_cell(valid_tables, "school_years", Y2025[TEACHING_POINT], "students_primary", size)
    report = check(write, valid_tables)
    assert not [i for i in report.errors if i.rule == "class_size_range"]


def test_super_large_class_is_only_a_warning(write, valid_tables):
    set_cell(valid_tables, "classes", 0, "size", 70)
    set_cell(valid_tables, "school_years", Y2025[PRIMARY], "students_primary", 160)
    set_cell(valid_tables, "school_years", Y2025[PRIMARY], "design_capacity", 200)
    report = check(write, valid_tables)
    issue = only(report, "class_size_large", severity="warning")
    at(issue, "classes", 2, "班额(人数)")
    assert report.ok


def test_grade_outside_the_stage_is_an_error(write, valid_tables):
    set_cell(valid_tables, "classes", 4, "grade", 3)  # a junior class in grade 3
    issue = only(check(write, valid_tables), "grade_stage_mismatch")
    at(issue, "classes", 6, "年级", cell="D6")


def test_class_count_disagreeing_with_class_list_is_an_error(write, valid_tables):
    set_cell(valid_tables, "school_years", Y2025[JUNIOR], "classes_junior", 4)
    issue = only(check(write, valid_tables), "classes_count_mismatch")
    at(issue, "school_years", excel_row(Y2025[JUNIOR]), "初中班数", cell="G9")
    assert (issue.params["listed"], issue.params["given"]) == (3, 4)


def test_students_disagreeing_with_class_sizes_is_an_error(write, valid_tables):
    set_cell(valid_tables, "classes", 13, "size", 45)  # 县第一中学 junior: 44 -> 45
    issue = only(check(write, valid_tables), "classes_students_mismatch")
    at(issue, "school_years", excel_row(Y2025[COMPLETE]), "初中在校生数", cell="D13")
    assert (issue.params["listed"], issue.params["given"]) == (91, 90)


def test_missing_class_row_breaks_both_counts(write, valid_tables):
    valid_tables["classes"] = valid_tables["classes"].drop(index=1).reset_index(drop=True)
    report = check(write, valid_tables)
    assert {i.rule for i in report.errors} == {"classes_count_mismatch",
                                               "classes_students_mismatch"}
    assert {i.row for i in report.errors} == {excel_row(Y2025[PRIMARY])}


# ------------------------------------------------------------------ coordinates


def test_coordinates_outside_china_name_the_longitude_column(write, valid_tables):
    set_cell(valid_tables, "schools", JUNIOR, "lon", 2.35)
    set_cell(valid_tables, "schools", JUNIOR, "lat", 48.85)
    issue = only(check(write, valid_tables), "coords_outside_china")
    at(issue, "schools", 3, "经度", cell="J3")
    assert "swapped" not in issue.message("en")


def test_swapped_coordinates_are_reported_with_a_hint_in_the_report_language(write,
                                                                           valid_tables):
    set_cell(valid_tables, "schools", JUNIOR, "lon", 38.01)
    set_cell(valid_tables, "schools", JUNIOR, "lat", 114.52)
    issue = only(check(write, valid_tables), "coords_outside_china")
    assert "填反" in issue.message("zh")
    assert "swapped" in issue.message("en")
    assert not CJK.search(issue.message("en"))  # bug: the Chinese hint leaked into English


def test_school_far_from_the_county_is_an_error(write, valid_tables):
    set_cell(valid_tables, "schools", RURAL_PRIMARY, "lon", 117.5)  # ~260 km east
    issue = only(check(write, valid_tables), "coords_far")
    at(issue, "schools", 5, "经度")
    assert issue.params["km"] > 150


def test_school_somewhat_far_from_the_county_is_a_warning(write, valid_tables):
    set_cell(valid_tables, "schools", RURAL_PRIMARY, "lat", 38.8)  # ~90 km north
    report = check(write, valid_tables)
    issue = only(report, "coords_far_warning", severity="warning")
    at(issue, "schools", 5, "经度")
    assert report.ok


@pytest.mark.parametrize(("sheet", "index"), [("villages", 1), ("sites", 0)])
def test_village_or_site_far_from_the_schools_is_an_error(write, valid_tables, sheet, index):
    set_cell(valid_tables, sheet, index, "lat", 40.5)
    issue = only(check(write, valid_tables), "coords_far")
    at(issue, sheet, excel_row(index), "经度")


def test_half_a_coordinate_names_the_missing_one(write, valid_tables):
    set_cell(valid_tables, "schools", COMPLETE, "lat", None)
    issue = only(check(write, valid_tables), "coords_half")
    at(issue, "schools", 7, "纬度", cell="K7")


# ------------------------------------------------------------------ other sheets


def test_children_exceeding_population_is_an_error(write, valid_tables):
    set_cell(valid_tables, "villages", 2, "population", 60)
    issue = only(check(write, valid_tables), "children_exceed_population")
    at(issue, "villages", 4, "常住人口", cell="F4")
    assert issue.params == {"children": 68, "population": 60}


def test_satisfied_exceeding_respondents_is_an_error(write, valid_tables):
    set_cell(valid_tables, "survey", 1, "satisfied", 151)
    issue = only(check(write, valid_tables), "satisfied_exceed_respondents")
    at(issue, "survey", 3, "满意人数", cell="C3")


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("junior_retention_rate_3y", "96%", "check_rate_invalid"),
        ("junior_retention_rate_3y", "1.5", "check_rate_invalid"),
        ("layout_plan_ok", "基本合理", "check_bool_invalid"),
        ("teacher_avg_pay", "-1", "check_number_invalid"),
        ("teacher_avg_pay", "九万八", "check_number_invalid"),
    ],
)
def test_county_check_value_of_the_wrong_kind_is_an_error(write, valid_tables, key, value,
                                                          rule):
    index = valid_tables["county_checks"].index[
        valid_tables["county_checks"]["key"] == key][0]
    set_cell(valid_tables, "county_checks", index, "value", value)
    issue = only(check(write, valid_tables), rule)
    at(issue, "county_checks", excel_row(index), "数值", cell=f"B{excel_row(index)}")


def test_unknown_county_check_key_is_a_warning(write, valid_tables):
    set_cell(valid_tables, "county_checks", 4, "key", "free_lunch")
    report = check(write, valid_tables)
    at(only(report, "check_key_unknown", severity="warning"), "county_checks", 6, "核查项")
    assert report.ok


# ------------------------------------------------------------------ warnings


@pytest.mark.parametrize(
    ("sheet", "index", "column", "value", "rule", "header"),
    [
        ("travel", 4, "km", 250.0, "travel_far", "距离"),
        ("teachers", 5, "training_hours_5y", 2500, "training_hours_high", "近五年培训学时"),
        ("teachers", 4, "retirement_year", 2024, "retired_on_post", "预计退休年份"),
        ("school_years", Y2024[PRIMARY], "design_capacity", 60, "over_capacity",
         "设计规模(学位数)"),
        ("school_years", Y2024[RURAL_PRIMARY], "teachers_primary", 1,
         "students_per_teacher_high", "小学专任教师数"),
        ("school_years", Y2024[PRIMARY], "teachers_junior", 1, "teachers_without_students",
         "初中专任教师数"),
        ("school_years", Y2024[PRIMARY], "classes_primary", 1, "class_average_large",
         "小学班数"),
        ("schools", TEACHING_POINT, "parent_school_id", None, "teaching_point_no_parent",
         "所属学校"),
    ],
)
def test_suspicious_value_is_a_warning_that_does_not_fail(write, valid_tables, sheet, index,
                                                          column, value, rule, header):
    set_cell(valid_tables, sheet, index, column, value)
    report = check(write, valid_tables)
    issue = only(report, rule, severity="warning")
    at(issue, sheet, excel_row(index), header)
    assert report.ok and report.errors == [] and report.warnings == [issue]


def test_school_without_yearly_data_is_a_warning(write, valid_tables):
    frame = valid_tables["school_years"]
    valid_tables["school_years"] = frame[frame["school_id"] != "2130000006"]
    valid_tables["teachers"] = valid_tables["teachers"][
        valid_tables["teachers"]["school_id"] != "2130000006"]
    valid_tables["classes"] = valid_tables["classes"][
        valid_tables["classes"]["school_id"] != "2130000006"]
    report = check(write, valid_tables)
    at(only(report, "school_no_years", severity="warning"), "schools", 7, "学校标识码")
    assert report.ok


def test_warnings_are_listed_apart_from_errors_in_the_text_report(write, valid_tables):
    set_cell(valid_tables, "travel", 4, "km", 250.0)
    set_cell(valid_tables, "survey", 1, "satisfied", 151)
    report = check(write, valid_tables)
    assert not report.ok
    assert [i.rule for i in report.errors] == ["satisfied_exceed_respondents"]
    assert [i.rule for i in report.warnings] == ["travel_far"]
    text = report.to_text("zh")
    errors_at, warnings_at = text.index("错误（必须修改）"), text.index("警告（请核实")
    assert errors_at < text.index("满意人数") < warnings_at < text.index("距离 250")
    assert "1 个错误，1 个警告" in text
    en = report.to_text("en")
    assert "Errors (must be fixed)" in en and "Warnings" in en and "row 3" in en


# ------------------------------------------------------------------ everything at once


def _break_everything(tables: dict[str, pd.DataFrame]) -> None:
    s, y, t, c = "schools", "school_years", "teachers", "classes"
    set_cell(tables, s, PRIMARY, "type", "大学")
    set_cell(tables, s, JUNIOR, "lon", 38.01)
    set_cell(tables, s, JUNIOR, "lat", 114.52)
    set_cell(tables, s, RURAL_PRIMARY, "lon", 117.5)
    set_cell(tables, s, COMPLETE, "county_code", "130124")
    set_cell(tables, s, TEACHING_POINT, "parent_school_id", "2130000005")
    set_cell(tables, y, Y2024[PRIMARY], "students_primary", "一百")
    set_cell(tables, y, Y2024[JUNIOR], "teaching_aux_area", -1)
    set_cell(tables, y, Y2024[NINE_YEAR], "pe_art_teachers_junior", 9)
    set_cell(tables, y, Y2024[RURAL_PRIMARY], "year", 2099)
    set_cell(tables, y, Y2024[COMPLETE], "migrant_students", 5000)
    set_cell(tables, y, Y2025[JUNIOR], "classes_junior", 4)
    set_cell(tables, y, Y2025[NINE_YEAR], "teachers_primary", 7)
    set_cell(tables, t, 1, "teacher_id", "T0001")
    set_cell(tables, t, 2, "birth_year", 2015)
    set_cell(tables, t, 3, "degree", None)
    set_cell(tables, c, 5, "size", 130)
    set_cell(tables, "villages", 2, "population", 60)
    set_cell(tables, "travel", 2, "from_id", "V99")
    set_cell(tables, "travel", 4, "km", 250.0)
    set_cell(tables, "sites", 1, "site_id", "2130000002")
    set_cell(tables, "county_checks", 2, "value", "96%")
    set_cell(tables, "survey", 1, "satisfied", 151)


EVERYTHING = {
    "enum_invalid", "coords_outside_china", "coords_far", "county_mixed", "parent_is_self",
    "type_int", "negative", "subcount_exceeds", "year_impossible", "part_exceeds_whole",
    "classes_count_mismatch", "roster_count_mismatch", "duplicate_key", "teacher_age",
    "cell_empty", "class_size_range", "children_exceed_population", "unknown_village",
    "site_id_is_school", "check_rate_invalid", "satisfied_exceed_respondents",
}


@pytest.mark.parametrize(("form", "lang"), [("xlsx", "zh"), ("csv-gbk", "en")])
def test_every_problem_is_reported_in_one_run(write, valid_tables, form, lang):
    _break_everything(valid_tables)
    report = check(write, valid_tables, form, lang)
    assert {i.rule for i in report.errors} >= EVERYTHING
    assert "travel_far" in {i.rule for i in report.warnings}
    # errors first, then warnings; within each, sheets in schema order and rows ascending
    severities = [i.severity for i in report.issues]
    assert severities == sorted(severities, key=lambda s: s != "error")


def test_every_issue_renders_with_location_in_both_languages(write, valid_tables):
    _break_everything(valid_tables)
    report = check(write, valid_tables)
    for issue in report.issues:
        zh, en = issue.describe("zh"), issue.describe("en")
        assert not PLACEHOLDER.search(zh) and not PLACEHOLDER.search(en)
        if issue.row is not None:
            assert f"第 {issue.row} 行" in zh and f"row {issue.row}" in en
        if issue.column is not None:
            assert f"列「{issue.column}」" in zh and f"column '{issue.column}'" in en
    frame = report.to_frame("en")
    assert list(frame.columns) == ["severity", "sheet", "row", "column", "cell", "value",
                                   "rule", "message"]
    assert len(frame) == len(report.issues)


def test_a_failing_rule_is_reported_and_the_other_rules_still_run(write, valid_tables,
                                                                  monkeypatch):
    import junheng.data.validate as validate_module

    def broken(*_: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(validate_module, "_check_classes", broken)
    set_cell(valid_tables, "school_years", Y2024[PRIMARY], "students_primary", -5)
    set_cell(valid_tables, "survey", 1, "satisfied", 151)
    report = check(write, valid_tables)
    rules = [i.rule for i in report.errors]
    assert sorted(rules) == ["check_failed", "negative", "satisfied_exceed_respondents"]
    failed = next(i for i in report.errors if i.rule == "check_failed")
    assert failed.params["check"] == "broken"  # the function's name
    assert "broken" in failed.message("en") and "boom" in failed.message("zh")


def _rule_codes_in_source() -> set[str]:
    root = Path(__file__).resolve().parents[1] / "src" / "junheng" / "data"
    text = (root / "validate.py").read_text(encoding="utf-8") + (root / "io.py").read_text(
        encoding="utf-8")
    patterns = [r"\.(?:error|warn)\(\s*\"(\w+)\"", r"_Bad\(\s*\"(\w+)\"",
                r"FileProblem\(\s*\"(\w+)\"", r"Issue\(\s*\"(?:error|warning)\",\s*\"(\w+)\"",
                r"else \"warning\", \"(\w+)\"", r"_to_\w+\(value, \"(\w+)\"\)",
                r"Msg\(\"(\w+)\""]
    return {code for p in patterns for code in re.findall(p, text)}


def test_every_rule_in_the_validator_has_a_message_in_both_languages():
    codes = _rule_codes_in_source()
    assert len(codes) > 50
    assert codes <= set(MESSAGES), codes - set(MESSAGES)


def test_every_message_template_is_well_formed_in_both_languages():
    for code, (zh, en) in MESSAGES.items():
        assert CJK.search(zh), code
        assert not CJK.search(en), code
        fields_zh = {f for _, f, _, _ in string.Formatter().parse(zh) if f}
        fields_en = {f for _, f, _, _ in string.Formatter().parse(en) if f}
        for name in fields_zh | fields_en:
            assert name.isidentifier(), (code, name)
        params = {name: "X" for name in fields_zh | fields_en}
        assert "{" not in tr(code, "zh", **params) and "{" not in tr(code, "en", **params)


# ------------------------------------------------------------------ malformed files


def _only_file_problem(report: ValidationReport, rule: str) -> Issue:
    assert_renders(report)
    assert [i.rule for i in report.issues] == [rule], report.to_text("en")
    assert not report.ok and report.tables == {}
    return report.issues[0]


def test_missing_path_is_reported_not_raised(tmp_path):
    _only_file_problem(validate_workbook(tmp_path / "nope.xlsx"), "file_not_found")


def test_empty_file_is_reported(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    issue = _only_file_problem(validate_workbook(path), "file_empty")
    assert "0" in issue.message("zh")


def test_text_file_is_not_a_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("学校名称,学生数\n城关小学,120\n", encoding="utf-8")
    _only_file_problem(validate_workbook(path), "file_not_workbook")


def test_password_protected_workbook_is_reported(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
                     + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 1024)
    issue = _only_file_problem(validate_workbook(path), "file_encrypted")
    assert "密码" in issue.message("zh") and "password" in issue.message("en")


def test_legacy_xls_file_is_reported(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048)
    _only_file_problem(validate_workbook(path), "file_legacy_xls")


def test_truncated_workbook_is_reported(write, valid_tables, tmp_path):
    data = write(valid_tables).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    report = validate_workbook(path)
    assert_renders(report)
    assert [i.rule for i in report.issues] == ["file_unreadable"]


def test_zip_that_is_not_a_workbook_is_reported(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not a spreadsheet")
    _only_file_problem(validate_workbook(path), "file_unreadable")


def test_workbook_with_corrupt_sheet_data_is_reported(write, valid_tables, tmp_path):
    source = write(valid_tables)
    path = tmp_path / "garbled.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet1"):
                data = data[: len(data) // 3]  # cut the XML mid-element
            zout.writestr(item, data)
    report = validate_workbook(path)
    assert_renders(report)
    assert not report.ok


def test_too_large_file_is_refused_before_parsing(write, valid_tables, monkeypatch):
    path = write(valid_tables)
    monkeypatch.setitem(LIMITS["file"], "max_megabytes", 0.001)
    issue = _only_file_problem(validate_workbook(path), "file_too_large")
    assert issue.params["limit"] == 0.001


def test_sheet_with_too_many_rows_is_refused_and_named(write, valid_tables, monkeypatch):
    path = write(valid_tables)
    monkeypatch.setitem(LIMITS["file"], "max_rows_per_sheet", 5)
    issue = _only_file_problem(validate_workbook(path), "sheet_too_many_rows")
    assert issue.sheet == "schools"
    assert "schools" in issue.message("zh") and "5" in issue.message("en")


def test_stray_cell_in_the_last_excel_cell_is_refused_not_a_crash(tmp_path):
    """Bug: calamine asked for a 1048576 x 16384 grid (500 GB) and aborted the process."""
    from openpyxl import Workbook

    path = tmp_path / "stray.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "学校基本信息"
    ws.append(["学校标识码", "学校名称"])
    ws.append(["2130000001", "城关小学"])
    ws["XFD1048576"] = "x"
    wb.save(path)
    issue = _only_file_problem(validate_workbook(path), "sheet_too_many_cells")
    assert issue.sheet == "学校基本信息"
    assert (issue.params["rows"], issue.params["columns"]) == (1048576, 16384)


def _with_sheet_data(source: Path, target: Path, part: str, body: str) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w",
                                                          zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                text = data.decode("utf-8")
                start = text.index("<sheetData>") + len("<sheetData>")
                data = (text[:start] + body + text[text.index("</sheetData>"):]).encode()
            zout.writestr(item, data)
    return target


def test_sheet_reaching_far_without_cell_references_is_refused(write, valid_tables, tmp_path):
    """Rows and cells without r="A1" references are placed one after the other."""
    body = ('<row><c t="inlineStr"><is><t>学校标识码</t></is></c></row>' + "<row/>" * 30_000
            + "<row>" + "<c/>" * 2_000 + "<c><v>1</v></c></row>")
    path = _with_sheet_data(write(valid_tables), tmp_path / "far.xlsx",
                            "xl/worksheets/sheet1.xml", body)
    issue = _only_file_problem(validate_workbook(path), "sheet_too_many_cells")
    assert (issue.params["rows"], issue.params["columns"]) == (30_002, 2_001)


def test_extent_of_a_sheet_larger_than_a_read_chunk_is_measured(write, valid_tables, tmp_path,
                                                                 monkeypatch):
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="AB{r}" t="inlineStr">'
                   f"<is><t>第{r}行</t></is></c></row>" for r in range(1, 30_001))
    path = _with_sheet_data(write(valid_tables), tmp_path / "long.xlsx",
                            "xl/worksheets/sheet2.xml", body)  # > 2 MB of XML
    monkeypatch.setitem(LIMITS["file"], "max_cells_per_sheet", 30_000 * 28 - 1)
    issue = _only_file_problem(validate_workbook(path), "sheet_too_many_cells")
    assert issue.sheet == "school_years"
    assert (issue.params["rows"], issue.params["columns"]) == (30_000, 28)


def test_sheet_with_too_many_cells_is_refused_and_named(write, valid_tables, monkeypatch):
    path = write(valid_tables)
    monkeypatch.setitem(LIMITS["file"], "max_cells_per_sheet", 90)  # schools: 7 x 13 = 91
    issue = _only_file_problem(validate_workbook(path), "sheet_too_many_cells")
    assert issue.sheet == "schools"
    assert (issue.params["rows"], issue.params["columns"]) == (7, 13)


def test_csv_wider_than_excel_is_reported_not_a_crash(write, valid_tables):
    """Bug: column letters beyond ZZZ raised ValueError for a very wide CSV header."""
    folder = write(valid_tables, form="csv")
    header = ",".join(["group", "respondents", "satisfied"] + [f"x{i}" for i in range(19_000)])
    (folder / "survey.csv").write_text(header + "\nparents,10,5\n", encoding="utf-8")
    report = validate_workbook(folder)
    assert_renders(report)
    assert report.ok
    last = report.warnings[-1]
    assert last.rule == "column_unknown" and last.column == "x18999"
    assert last.cell == "R1C19003"  # no Excel letters that far right


def test_single_csv_file_asks_for_a_folder(write, valid_tables):
    folder = write(valid_tables, form="csv")
    _only_file_problem(validate_workbook(folder / "schools.csv"), "single_csv")


def test_folder_without_csv_files_is_reported(tmp_path):
    (tmp_path / "readme.txt").write_text("hello", encoding="utf-8")
    _only_file_problem(validate_workbook(tmp_path), "folder_no_csv")


def test_csv_in_an_unknown_encoding_is_reported(write, valid_tables):
    folder = write(valid_tables, form="csv")
    (folder / "survey.csv").write_bytes(b"group,respondents\xff\xfe\x80\n")
    _only_file_problem(validate_workbook(folder), "csv_encoding")


def test_csv_folder_with_an_empty_file_reports_that_sheet(write, valid_tables):
    folder = write(valid_tables, form="csv")
    (folder / "survey.csv").write_bytes(b"")
    report = validate_workbook(folder)
    assert_renders(report)
    issue = only(report, "sheet_no_header", severity="warning")
    assert issue.sheet == "survey.csv"


def test_csv_folder_with_an_extra_file_warns_about_it(write, valid_tables):
    folder = write(valid_tables, form="csv")
    (folder / "备注.csv").write_text("说明\n无\n", encoding="utf-8")
    report = validate_workbook(folder)
    assert_renders(report)
    assert only(report, "sheet_unknown", severity="warning").sheet == "备注.csv"


# ------------------------------------------------------------------ the command


def test_validate_command_exits_1_with_the_report_when_invalid(write, valid_tables):
    from junheng.cli.main import cli

    good = write(make_valid_tables())
    set_cell(valid_tables, "school_years", Y2024[PRIMARY], "students_primary", -5)
    bad = write(valid_tables)
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", str(good)])
    assert ok.exit_code == 0, ok.output
    zh = runner.invoke(cli, ["validate", str(bad)])
    assert zh.exit_code == 1
    assert "小学在校生数" in zh.output and "不能为负数" in zh.output
    en = runner.invoke(cli, ["validate", str(bad), "--lang", "en"])
    assert en.exit_code == 1
    assert "Must not be negative" in en.output and "row 2" in en.output
    missing = runner.invoke(cli, ["validate", str(Path(bad).with_name("nope.xlsx"))])
    assert missing.exit_code == 1 and "Traceback" not in missing.output
