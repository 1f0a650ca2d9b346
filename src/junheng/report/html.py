"""HTML report of an evaluation (评估报告), self-contained and printable.

One file, no external request: CSS inline, charts inline SVG. The same HTML
is the source of the PDF (``junheng.report.pdf``). Sections follow the order
an inspector reads: cover, verdict, coefficients, schools, weak schools,
checks, large-class ledger, urban-rural decomposition, charts, data notes.
"""

from __future__ import annotations

import datetime as _dt
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from junheng import __version__
from junheng.evaluate import Evaluation
from junheng.evaluate.texts import stage_name, text
from junheng.report import charts
from junheng.report.narrative import evidence_needed, needs_text, verdict_paragraph

STRINGS: dict[str, tuple[str, str]] = {
    "title": ("均衡发展督导评估报告", "Balanced development evaluation report"),
    "kicker": ("县域义务教育均衡发展", "COMPULSORY EDUCATION · COUNTY BALANCE"),
    "report_word": ("报告", " — report"),
    "county": ("县区", "County"), "year": ("学年", "School year"),
    "standard": ("评估依据", "Standard"), "rules": ("规则文件", "Rule file"),
    "data_file": ("数据文件", "Data file"), "date": ("生成日期", "Generated"),
    "software": ("软件", "Software"),
    "s_verdict": ("一、评估结论", "1. Verdict"),
    "s_coefficients": ("二、校际差异系数", "2. Difference coefficients"),
    "s_schools": ("三、各校指标与缺口", "3. Schools: indicators and gaps"),
    "s_weak": ("四、薄弱学校及所需投入", "4. Weak schools and what they need"),
    "s_checks": ("五、政府保障程度、教育质量与社会认可度",
                 "5. Government, quality and recognition"),
    "s_ledger": ("六、大班额台账", "6. Large-class ledger"),
    "s_decomposition": ("七、城乡差距分解", "7. Urban-rural decomposition"),
    "s_charts": ("八、图表", "8. Charts"),
    "s_notes": ("九、数据说明", "9. Data notes"),
    "indicator": ("指标", "Indicator"), "mean": ("县域均值", "County mean"),
    "standard_value": ("标准值", "Standard"), "cv": ("差异系数", "Coefficient"),
    "threshold": ("上限", "Limit"), "result": ("结果", "Result"),
    "school": ("学校", "School"), "pupils": ("学生数", "Pupils"),
    "met": ("达标项数", "Met"), "met_short": ("达标", "met"), "split": ("拆分", "split"),
    "schools_note": ("红色单元格为未达标准的指标，下方为达到标准所需的缺口（实际单位）。",
                     "Red cells miss the standard; below each, the gap in real units."),
    "no_weak": ("没有未达标的学校。", "No school misses a standard."),
    "part": ("部分", "Part"), "check": ("项目", "Item"), "detail": ("情况", "Detail"),
    "evidence": ("涉及学校 / 所需材料", "Schools concerned / data needed"),
    "large": ("大班额(≥56)", "Large (>= 56)"), "super_large": ("超大班额(≥66)",
                                                             "Super-large (>= 66)"),
    "max_size": ("最大班额", "Largest class"), "struck_off": ("已销号", "Struck off"),
    "no_ledger": ("没有班级名单，或没有大班额。", "No class list, or no large class."),
    "yes": ("是", "yes"),
    "decomposition_note": (
        "按学生数加权的基尼系数与泰尔指数；泰尔指数分解为城区、镇区、乡村三类之间与各类内部两部分，"
        "右侧为各类学校的加权均值。这些指标用于诊断，不参与官方结论。",
        "Pupil-weighted Gini and Theil indices; Theil is split into the part between urban, "
        "town and rural schools and the part within them; right: each group's weighted mean. "
        "Diagnostic only, not part of the official verdict."),
    "between": ("组间", "Between"), "within": ("组内", "Within"),
    "between_share": ("组间占比", "Between share"),
    "excluded": ("未纳入测算的学校", "Schools left out"),
    "split_schools": ("拆分计算的一贯制学校、完全中学", "Schools split into stage parts"),
    "warnings": ("数据校验警告", "Validation warnings"),
    "stage": ("学段", "Stage"), "reason": ("原因", "Reason"), "share": ("拆分比例", "Share"),
    "method_note": (
        "差异系数按学生数加权的总体标准差除以县域均值计算（教督〔2012〕3号附件说明）；"
        "一贯制学校、完全中学的办学条件按小学:初中:高中 = 1:1.1:1.32 拆分，教师按学段统计。",
        "Coefficients are pupil-weighted population standard deviations over the county mean; "
        "one-through schools' facilities are split 1 : 1.1 : 1.32 (primary : junior : "
        "senior), teachers are counted per stage."),
}
PARTS = {"government": ("政府保障程度", "Government"), "quality": ("教育质量", "Quality"),
         "recognition": ("社会认可度", "Recognition"), "veto": ("一票否决", "Veto")}
LOCALES = (("urban", "城区", "urban"), ("town", "镇区", "town"), ("rural", "乡村", "rural"))


def _t(lang: str) -> dict[str, str]:
    return {k: (en if lang == "en" else zh) for k, (zh, en) in STRINGS.items()}


def _f(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def _result(flag: bool | None, lang: str) -> tuple[str, str]:
    if flag is None:
        return ("未评估" if lang == "zh" else "not assessed"), "na"
    return (("达标" if lang == "zh" else "pass"), "pass") if flag else (
        ("未达标" if lang == "zh" else "fail"), "fail")


def _gap_text(ev: Evaluation, key: str, gap: float, lang: str) -> str:
    spec = ev.rules.indicator(key)
    unit = spec.unit if lang == "zh" else spec.unit_en
    amount = f"{gap:,.0f}" if spec.gap in ("ceil", "money") else f"{gap:,.2f}"
    return f"{'缺' if lang == 'zh' else 'short '}{amount}{unit}"


def _stage_context(ev: Evaluation, stage: str, lang: str) -> dict[str, Any]:
    st = ev.stages[stage]
    title = stage_name(stage, lang)
    coefficients = []
    for key, ind in st.indicators.items():
        spec = ev.rules.indicator(key)
        word, cls = _result(ind.cv_pass, lang) if ind.cv_threshold is not None else ("", "")
        coefficients.append({"name": spec.name(lang), "mean": _f(ind.mean),
                             "standard": _f(ind.standard) if ind.standard else "—",
                             "cv": _f(ind.cv, 3), "threshold": _f(ind.cv_threshold),
                             "result": word, "cls": "fail" if cls == "fail" else ""})
    if st.composite is not None:
        flag = st.cv_pass if st.composite_threshold is not None else None
        word = _result(flag, lang)[0] if st.composite_threshold is not None else (
            "仅供参考" if lang == "zh" else "information")
        coefficients.append({"name": "综合差异系数" if lang == "zh" else "Composite",
                             "mean": "", "standard": "", "cv": _f(st.composite, 3),
                             "threshold": _f(st.composite_threshold), "result": word,
                             "cls": "fail" if flag is False else ""})
    has_rule = ev.rules.school_rule is not None
    schools = []
    for s in st.schools:
        cells = []
        for key, value in s.values.items():
            ok = s.meets.get(key)
            gap = s.gaps.get(key, 0.0)
            cells.append({"text": _f(value), "cls": "fail" if ok is False else (
                "na" if key in s.meets and ok is None else ""),
                "gap": _gap_text(ev, key, gap, lang) if gap > 0 else "",
                "title": ev.rules.indicator(key).name(lang)})
        word, cls = _result(s.passes, lang)
        schools.append({"name": s.name, "students": f"{int(s.students):,}", "split": s.split,
                        "cells": cells, "met": s.met, "result": word, "cls": cls})
    weak = [{"name": w["name"], "met": w["met"], "needs": needs_text(ev, w["gaps"], lang)}
            for w in ev.diagnostics.get("weak_schools", {}).get(stage, [])]
    decomposition = []
    for key, d in ev.diagnostics.get("inequality", {}).get(stage, {}).items():
        th = d.get("theil") or {}
        groups = th.get("groups", {})
        decomposition.append({
            "name": ev.rules.indicator(key).name(lang), "gini": _f(d.get("gini"), 3),
            "theil": _f(th.get("total"), 4), "between": _f(th.get("between_locale"), 4),
            "within": _f(th.get("within_locale"), 4),
            "between_share": "—" if th.get("between_share") is None else
            f"{th['between_share']:.1%}",
            "group_means": [_f(groups[g]["mean"]) if g in groups else "—"
                            for g, _, _ in LOCALES]})
    return {
        "key": stage, "title": title, "coefficients": coefficients,
        "indicator_heads": [ev.rules.indicator(k).name(lang) for k in st.indicators],
        "has_rule": has_rule, "schools": schools, "weak": weak,
        "decomposition": decomposition,
        "coefficient_chart": charts.coefficient_chart(ev, stage, lang),
        "lorenz": charts.lorenz_chart(ev, stage, lang),
        "value_charts": [charts.school_values_chart(ev, stage, k, lang) for k in st.indicators],
    }


def render_evaluation_html(ev: Evaluation, lang: str = "zh") -> str:
    """The whole report as one HTML string."""
    env = Environment(loader=PackageLoader("junheng.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    css = resources.files("junheng.report").joinpath("templates", "report.css").read_text(
        encoding="utf-8")
    stages = [_stage_context(ev, s, lang) for s, st in ev.stages.items()
              if charts.stage_has_schools(st)]
    specs = {c["key"]: c for c in ev.rules.checks}
    checks = []
    for key, c in ev.government.items():
        word, cls = _result(c["pass"], lang)
        evidence = "、".join(map(str, c.get("evidence", [])[:12]))
        if c["pass"] is None and key in specs:
            evidence = evidence_needed(specs[key], lang)
        checks.append({"part": PARTS.get(c["part"], (c["part"], c["part"]))[
            1 if lang == "en" else 0], "name": c["name"], "result": word, "cls": cls,
            "detail": c["detail"], "evidence": evidence})
    verdict_word, verdict_class = {
        True: ("通过" if lang == "zh" else "PASS", "pass"),
        False: ("未通过" if lang == "zh" else "FAIL", "fail"),
        None: ("尚不能判定" if lang == "zh" else "UNDECIDED", "na")}[ev.passes]
    excluded = [{"stage": stage_name(s, lang), "name": e.name, "reason": text(e.reason, lang)}
                for s, st in ev.stages.items() for e in st.excluded]
    splits = [{"name": p.name, "stage": stage_name(s, lang), "students": f"{int(p.students):,}",
               "share": f"{p.share:.4f}"}
              for s, st in ev.stages.items() for p in st.schools if p.split]
    ledger = ev.diagnostics.get("large_class_ledger", [])
    return env.get_template("evaluation.html.j2").render(
        ev=ev, lang=lang, t=_t(lang), css=css, stages=stages, checks=checks,
        paragraph=verdict_paragraph(ev, lang), reasons=ev.reasons(lang),
        verdict_word=verdict_word, verdict_class=verdict_class,
        any_weak=any(s["weak"] for s in stages), ledger=ledger,
        locales=[{"label": zh if lang == "zh" else en} for _, zh, en in LOCALES],
        map_svg=charts.school_map(ev, lang), excluded=excluded, splits=splits,
        warnings=ev.data_warnings,
        meta={"version": __version__, "source": ev.source_name,
              "date": _dt.date.today().isoformat()},
    )


def write_evaluation_html(ev: Evaluation, path: str | Path, lang: str = "zh") -> Path:
    path = Path(path)
    path.write_text(render_evaluation_html(ev, lang), encoding="utf-8")
    return path
