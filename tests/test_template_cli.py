"""The template workbook and the command-line frame (exit codes, languages)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from junheng.cli.main import cli
from junheng.data.schema import SHEETS
from junheng.data.validate import validate_workbook


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_has_every_sheet_and_column_with_dropdowns(tmp_path: Path, lang: str) -> None:
    out = tmp_path / "t.xlsx"
    res = CliRunner().invoke(cli, ["template", "--out", str(out), "--lang", lang])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    assert wb.sheetnames[0] == ("填表说明" if lang == "zh" else "instructions")
    for sheet in SHEETS:
        ws = wb[sheet.key]
        headers = [c.value for c in ws[1]]
        expected = [c.zh if lang == "zh" else c.key for c in sheet.columns]
        assert headers == expected
        # the other language's name sits in each header's note
        for cell, col in zip(ws[1], sheet.columns, strict=True):
            assert (col.key if lang == "zh" else col.zh) in cell.comment.text
        enum_cols = [i for i, c in enumerate(sheet.columns) if c.enum is not None]
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        assert len(lists) >= len(enum_cols)
    school_type = [dv for dv in wb["schools"].data_validations.dataValidation
                   if dv.type == "list" and ("教学点" in dv.formula1 or "teaching_point" in
                                             dv.formula1)]
    assert school_type


def test_empty_template_is_reported_as_having_no_rows_not_crashing(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    CliRunner().invoke(cli, ["template", "--out", str(out)])
    report = validate_workbook(out)
    assert not report.ok
    assert {i.rule for i in report.errors} == {"sheet_no_rows"}
    assert not report.warnings  # the instructions sheet is not an "unknown sheet"


def test_template_refuses_a_non_xlsx_name(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["template", "--out", str(tmp_path / "t.csv")])
    assert res.exit_code == 2


def test_validate_exit_codes_and_languages(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    res = runner.invoke(cli, ["validate", str(bad)])
    assert res.exit_code == 1
    assert "不是 Excel 工作簿" in res.output
    res = runner.invoke(cli, ["validate", str(bad), "--lang", "en"])
    assert res.exit_code == 1 and "Not an Excel workbook" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(cli, ["validate"])
    assert res.exit_code == 2


def test_validate_writes_the_problem_list(tmp_path: Path) -> None:
    runner = CliRunner()
    tpl = tmp_path / "t.xlsx"
    runner.invoke(cli, ["template", "--out", str(tpl)])
    report = tmp_path / "issues.csv"
    res = runner.invoke(cli, ["validate", str(tpl), "--report", str(report)])
    assert res.exit_code == 1
    text = report.read_text(encoding="utf-8-sig")
    assert "sheet_no_rows" in text and "schools" in text


def test_commands_not_built_yet_say_so(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["serve"])
    assert res.exit_code == 2
    assert "尚未实现" in res.output


def test_every_validation_rule_is_documented() -> None:
    from junheng.i18n import MESSAGES

    doc = (Path(__file__).parents[1] / "docs" / "data-format.md").read_text(encoding="utf-8")
    codes = [k for k in MESSAGES if not k.startswith(("report_", "where_"))]
    missing = [k for k in codes if f"`{k}`" not in doc]
    assert not missing, f"docs/data-format.md lacks rules {missing}"
    for sheet in SHEETS:
        for col in sheet.columns:
            assert f"`{col.key}`" in doc


def test_synth_command_is_reproducible_and_valid(tmp_path: Path) -> None:
    runner = CliRunner()
    a, b = tmp_path / "a.xlsx", tmp_path / "b"
    for out in (a, b):
        res = runner.invoke(cli, ["synth", "--profile", "urban", "--seed", "3", "--out",
                                  str(out), "--schools", "30"])
        assert res.exit_code == 0, res.output
    ra, rb = validate_workbook(a), validate_workbook(b)  # .xlsx and CSV folder
    assert ra.ok and rb.ok
    for key in ("schools", "school_years", "teachers"):
        left = ra.tables[key].drop(columns="_row")
        right = rb.tables[key].drop(columns="_row")
        assert left.equals(right), key
    res = runner.invoke(cli, ["synth", "--profile", "urban", "--seed", "3", "--out",
                              str(tmp_path / "c.xlsx"), "--schools", "1"])
    assert res.exit_code == 2


def test_demo_runs_the_pipeline_and_prints_the_verdicts(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "demo"), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "County basic balance" in res.output and "County quality balance" in res.output
    for standard in ("basic-2012", "quality-2017"):
        assert (tmp_path / "demo" / standard / "evaluation.json").exists()
        assert (tmp_path / "demo" / standard / "evaluation.xlsx").exists()
    import json

    for planner in ("layout", "catchment", "rotation", "groups", "budget", "quotas"):
        folder = tmp_path / "demo" / "plans" / planner
        plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        assert plan["planner"] == planner and plan["status"] in ("optimal", "feasible")
        assert plan["actions"] and (folder / "plan.xlsx").exists()
    page = (tmp_path / "demo" / "plans" / "layout" / "plan.html").read_text(encoding="utf-8")
    assert "Map: before and after" in page and "<svg" in page
    for name in ("Quality high-school places allocated to schools", "Budget plan",
                 "School alliances, groups and zones"):
        assert name in res.output
    budget = json.loads((tmp_path / "demo" / "plans" / "budget" / "plan.json").read_text(
        encoding="utf-8"))
    assert budget["budget"]["spent"] <= budget["parameters"]["budget"]


def test_param_lists_are_split_only_for_list_fields() -> None:
    from junheng.cli.run import parse_params
    from junheng.plan.layout import LayoutParameters
    from junheng.plan.rotation import RotationParameters

    got = parse_params(("must_keep=a,b", "max_schools=3"), "zh", LayoutParameters)
    assert got == {"must_keep": ["a", "b"], "max_schools": 3}
    got = parse_params(("pinned=t1", "core_subjects=chinese,math", "exchanges_only=true"),
                       "zh", RotationParameters)
    assert got["pinned"] == ["t1"]  # list[str]
    assert got["core_subjects"] == "chinese,math"  # a dict field: left for the type check
    assert got["exchanges_only"] is True
    assert parse_params(('must_close=["x"]',), "en", LayoutParameters) == {"must_close": ["x"]}
