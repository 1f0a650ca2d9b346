"""Reports: HTML in headless Chromium, PDF pages and text, Excel against evaluation.json."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from junheng.cli.run import write_evaluation
from junheng.data.census import load_census
from junheng.data.io import write_workbook
from junheng.data.synth import synthesize
from junheng.evaluate import Evaluation, evaluate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_BROWSER = os.environ.get("JUNHENG_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("county") / "county.xlsx"
    write_workbook(synthesize("mountain", 2, schools=24), path)
    return path


@pytest.fixture(scope="module")
def reports(county: Path, tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, tuple[Evaluation, dict[str, Path]]]:
    census = load_census(county)
    out: dict[str, tuple[Evaluation, dict[str, Path]]] = {}
    for standard, lang in (("quality-2017", "zh"), ("basic-2012", "zh"),
                           ("quality-2017", "en")):
        ev = evaluate(census, standard, lang=lang)
        folder = tmp_path_factory.mktemp(f"{standard}-{lang}")
        out[f"{standard}-{lang}"] = (ev, write_evaluation(ev, folder,
                                                          ["json", "xlsx", "html", "pdf"], lang))
    return out


def _browser_or_skip() -> str:
    if CHROMIUM is None:
        if REQUIRE_BROWSER:
            pytest.fail("chromium is required (JUNHENG_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("chromium not installed")
    return CHROMIUM


@pytest.mark.parametrize("which", ["quality-2017-zh", "basic-2012-zh", "quality-2017-en"])
def test_html_renders_charts_offline_without_console_errors(reports, which: str) -> None:
    chromium = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    ev, files = reports[which]
    html = files["html"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        problems: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
                else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        charts = page.locator("figure.chart svg")
        count = charts.count()
        sizes = [charts.nth(i).bounding_box() for i in range(count)]
        title = page.title()
        body = page.inner_text("body")
        browser.close()
    assert problems == []
    assert requests == [html.as_uri()], f"network requests: {requests}"
    stages = [s for s in ev.stages.values() if s.schools_evaluated]
    n_indicators = len(ev.rules.indicators)
    # per stage: coefficient chart, Lorenz curve, one value chart per indicator; plus the map
    assert count == len(stages) * (2 + n_indicators) + 1
    assert all(b is not None and b["width"] > 100 and b["height"] > 50 for b in sizes)
    assert ev.county_name in title
    if which.endswith("-zh"):
        assert "评估结论" in body and "差异系数" in body
    else:
        assert "Verdict" in body and "评估结论" not in body


def test_html_has_no_external_reference(reports) -> None:
    for _, files in reports.values():
        text = files["html"].read_text(encoding="utf-8")
        refs = re.findall(r'(?:src|href)\s*=\s*"([^"]+)"', text)
        assert not [r for r in refs if not r.startswith("#")], refs
        assert "<script" not in text  # nothing to execute, nothing to fetch


def test_pdf_has_pages_the_verdict_and_embedded_cjk_fonts(reports) -> None:
    from pypdf import PdfReader

    for key in ("quality-2017-zh", "quality-2017-en"):
        ev, files = reports[key]
        reader = PdfReader(files["pdf"])
        assert len(reader.pages) >= 6  # cover, verdict, coefficients, schools, checks, charts
        box = reader.pages[0].mediabox
        assert round(float(box.width) / 72 * 25.4) == 210  # A4
        assert round(float(box.height) / 72 * 25.4) == 297
        text = "".join(p.extract_text() or "" for p in reader.pages[:3])
        compact = re.sub(r"\s+", "", text)
        if key.endswith("zh"):
            assert "评估结论" in compact
            assert f"{ev.county_name}{ev.year}学年" in compact
            assert ("未通过" if ev.passes is False else "通过") in compact
        else:
            assert "Verdict" in text and ev.county_name in text
        fonts = set()
        for page in reader.pages[:2]:
            resources = page["/Resources"]
            for font in resources.get("/Font", {}).values():
                font = font.get_object()
                for descendant in font.get("/DescendantFonts", []):
                    desc = descendant.get_object()["/FontDescriptor"].get_object()
                    assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                    fonts.add(str(desc["/FontName"]))
        assert any("CJK" in f for f in fonts), fonts


def test_excel_reopens_with_every_table_and_the_json_numbers(reports) -> None:
    for key in ("quality-2017-zh", "basic-2012-zh", "quality-2017-en"):
        ev, files = reports[key]
        data = json.loads(files["json"].read_text(encoding="utf-8"))
        sheets = pd.read_excel(files["xlsx"], sheet_name=None, engine="calamine")
        zh = key.endswith("zh")
        names = (["结论", "差异系数", "学校指标与缺口", "未纳入测算学校", "政府保障与质量",
                  "大班额台账"] if zh else ["Verdict", "Coefficients", "Schools", "Excluded",
                                            "Checks", "Large classes"])
        assert list(sheets) == names
        coeff = sheets[names[1]]
        code, cv, stage_col = ("指标代码", "差异系数", "学段") if zh else ("Key", "Coefficient",
                                                                         "Stage")
        stage_names = {"primary": "小学" if zh else "primary", "junior": "初中" if zh else
                       "junior"}
        for stage, st in data["stages"].items():
            for ind_key, ind in st["indicators"].items():
                row = coeff[(coeff[code] == ind_key) & (coeff[stage_col] == stage_names[stage])]
                assert len(row) == 1
                if ind["cv"] is None:
                    assert pd.isna(row[cv].iloc[0])
                else:
                    assert row[cv].iloc[0] == pytest.approx(ind["cv"], abs=1e-6)
        schools = sheets[names[2]]
        id_col = "学校标识码" if zh else "School id"
        pupils_col = "学生数" if zh else "Pupils"
        total = sum(len(st["schools"]) for st in data["stages"].values())
        assert len(schools) == total
        first = data["stages"]["primary"]["schools"][0]
        row = schools[schools[id_col].astype(str) == first["school_id"]].iloc[0]
        assert row[pupils_col] == first["students"]
        for ind_key, value in first["values"].items():
            name = ev.rules.indicator(ind_key).name("zh" if zh else "en")
            assert row[name] == pytest.approx(value, abs=1e-6)
        excluded = sum(len(st["excluded"]) for st in data["stages"].values())
        assert len(sheets[names[3]]) == excluded
        assert len(sheets[names[4]]) == len(data["government"])


def test_english_report_is_in_english(reports) -> None:
    _ev, files = reports["quality-2017-en"]
    text = files["html"].read_text(encoding="utf-8")
    assert "1. Verdict" in text and "Difference coefficients" in text
    assert "一、评估结论" not in text
