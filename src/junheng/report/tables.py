"""Tidy tables of an evaluation, shared by every report format (Excel, HTML, PDF).

Each function turns an :class:`~junheng.evaluate.Evaluation` into one
DataFrame with headers in the report language; the Excel report writes them
one sheet each, the HTML report renders the same frames.
"""

from __future__ import annotations

import pandas as pd

from junheng.evaluate import Evaluation
from junheng.evaluate.texts import stage_name, text


def _h(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _yes(flag: bool | None, lang: str) -> str:
    if flag is None:
        return _h(lang, "未评估", "not assessed")
    return _h(lang, "是", "yes") if flag else _h(lang, "否", "no")


def verdict_table(ev: Evaluation, lang: str) -> pd.DataFrame:
    rows = [
        (_h(lang, "县区", "County"), f"{ev.county_name}（{ev.county_code}）"),
        (_h(lang, "学年", "Year"), str(ev.year)),
        (_h(lang, "评估标准", "Standard"), ev.rules.name(lang)),
        (_h(lang, "规则文件", "Rule file"), f"{ev.rules.id} v{ev.rules.version}"),
        (_h(lang, "依据", "Document"), ev.rules.document),
        (_h(lang, "资源配置达标", "Resource allocation passes"),
         _yes(ev.resource_allocation_pass, lang)),
        (_h(lang, "总体结论", "Overall verdict"), _yes(ev.passes, lang)),
    ]
    rows += [(_h(lang, "原因", "Reason"), r) for r in ev.reasons(lang)]
    return pd.DataFrame(rows, columns=[_h(lang, "项目", "Item"), _h(lang, "内容", "Value")])


def coefficient_table(ev: Evaluation, lang: str) -> pd.DataFrame:
    rows = []
    for stage, st in ev.stages.items():
        for key, ind in st.indicators.items():
            spec = ev.rules.indicator(key)
            rows.append({
                _h(lang, "学段", "Stage"): stage_name(stage, lang),
                _h(lang, "指标", "Indicator"): spec.name(lang),
                _h(lang, "指标代码", "Key"): key,
                _h(lang, "单位", "Unit"): spec.unit if lang == "zh" else spec.unit_en,
                _h(lang, "县域均值", "County mean"): ind.mean,
                _h(lang, "标准值", "Standard"): ind.standard,
                _h(lang, "差异系数", "Coefficient"): ind.cv,
                _h(lang, "系数上限", "Threshold"): ind.cv_threshold,
                _h(lang, "达标", "Pass"): _yes(ind.cv_pass, lang) if ind.cv_threshold else "",
            })
        if st.composite is not None:
            rows.append({
                _h(lang, "学段", "Stage"): stage_name(stage, lang),
                _h(lang, "指标", "Indicator"): _h(lang, "综合差异系数", "Composite coefficient"),
                _h(lang, "指标代码", "Key"): "composite",
                _h(lang, "差异系数", "Coefficient"): st.composite,
                _h(lang, "系数上限", "Threshold"): st.composite_threshold,
                _h(lang, "达标", "Pass"): _yes(st.cv_pass, lang) if st.composite_threshold
                else _h(lang, "仅供参考", "for information"),
            })
    return pd.DataFrame(rows)


def school_table(ev: Evaluation, lang: str) -> pd.DataFrame:
    """One row per school part: values, pass flags and gaps in real units."""
    rows = []
    for stage, st in ev.stages.items():
        for s in st.schools:
            row: dict[str, object] = {
                _h(lang, "学段", "Stage"): stage_name(stage, lang),
                _h(lang, "学校标识码", "School id"): s.school_id,
                _h(lang, "学校名称", "School"): s.name,
                _h(lang, "城乡", "Locale"): s.locale,
                _h(lang, "学生数", "Pupils"): int(s.students),
                _h(lang, "拆分比例", "Split share"): s.share if s.split else None,
            }
            for key, value in s.values.items():
                spec = ev.rules.indicator(key)
                row[spec.name(lang)] = value
            for key, gap in s.gaps.items():
                spec = ev.rules.indicator(key)
                unit = spec.unit if lang == "zh" else spec.unit_en
                row[_h(lang, f"缺口:{spec.name_zh}({unit})", f"Gap: {spec.name_en} ({unit})")] = gap
            if s.meets:
                row[_h(lang, "达标项数", "Standards met")] = s.met
                row[_h(lang, "学校达标", "School passes")] = _yes(s.passes, lang)
            rows.append(row)
    return pd.DataFrame(rows)


def excluded_table(ev: Evaluation, lang: str) -> pd.DataFrame:
    rows = [{
        _h(lang, "学段", "Stage"): stage_name(stage, lang),
        _h(lang, "学校标识码", "School id"): e.school_id,
        _h(lang, "学校名称", "School"): e.name,
        _h(lang, "原因", "Reason"): text(e.reason, lang),
    } for stage, st in ev.stages.items() for e in st.excluded]
    return pd.DataFrame(rows)


def checks_table(ev: Evaluation, lang: str) -> pd.DataFrame:
    parts = {"government": ("政府保障程度", "Government"), "quality": ("教育质量", "Quality"),
             "recognition": ("社会认可度", "Recognition"), "veto": ("一票否决", "Veto")}
    rows = [{
        _h(lang, "部分", "Part"): parts.get(c["part"], (c["part"], c["part"]))[
            1 if lang == "en" else 0],
        _h(lang, "项目", "Check"): c["name"],
        _h(lang, "结果", "Result"): _yes(c["pass"], lang),
        _h(lang, "情况", "Detail"): c["detail"],
        _h(lang, "涉及学校", "Schools concerned"): "、".join(map(str, c.get("evidence", []))),
        _h(lang, "依据", "Source"): c.get("source", ""),
    } for c in ev.government.values()]
    return pd.DataFrame(rows)


def ledger_table(ev: Evaluation, lang: str) -> pd.DataFrame:
    rows = [{
        _h(lang, "学校标识码", "School id"): r["school_id"],
        _h(lang, "学校名称", "School"): r["name"],
        _h(lang, "学年", "Year"): r["year"],
        _h(lang, "大班额(≥56)班数", "Large classes (>= 56)"): r["large"],
        _h(lang, "超大班额(≥66)班数", "Super-large (>= 66)"): r["super_large"],
        _h(lang, "最大班额", "Largest class"): r["max_size"],
        _h(lang, "已销号", "Struck off"): _yes(r["struck_off"], lang),
    } for r in ev.diagnostics.get("large_class_ledger", [])]
    return pd.DataFrame(rows)


def all_tables(ev: Evaluation, lang: str) -> dict[str, pd.DataFrame]:
    """Every table of the evaluation report, keyed by sheet title."""
    return {
        _h(lang, "结论", "Verdict"): verdict_table(ev, lang),
        _h(lang, "差异系数", "Coefficients"): coefficient_table(ev, lang),
        _h(lang, "学校指标与缺口", "Schools"): school_table(ev, lang),
        _h(lang, "未纳入测算学校", "Excluded"): excluded_table(ev, lang),
        _h(lang, "政府保障与质量", "Checks"): checks_table(ev, lang),
        _h(lang, "大班额台账", "Large classes"): ledger_table(ev, lang),
    }
