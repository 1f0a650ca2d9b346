"""Wording of evaluation results (reasons, exclusions) in Chinese and English."""

from __future__ import annotations

from typing import Any

from junheng.i18n import render

STAGE_NAMES = {"primary": ("小学", "primary"), "junior": ("初中", "junior")}

TEXTS: dict[str, tuple[str, str]] = {
    "ownership_private": ("民办学校，不在测算范围", "private school, out of scope"),
    "affiliation_city": ("市属学校，不在测算范围", "city-run school, out of scope"),
    "affiliation_province": ("省属学校，不在测算范围", "province-run school, out of scope"),
    "teaching_point": ("教学点，不在测算范围", "teaching point, out of scope"),
    "teaching_point_small": ("不足 50 人的教学点，不在测算范围",
                             "teaching point under 50 pupils, out of scope"),
    "type_special": ("特殊教育学校，不在测算范围", "special-education school, out of scope"),
    "type_teaching_point": ("教学点，不在测算范围", "teaching point, out of scope"),
    "no_students": ("该学段无在校生", "no pupils in this stage"),
    "no_year_data": ("缺少该学年数据", "no data for this year"),
    "reason_cv": ("{stage}：{indicator}差异系数 {cv:.3f} > {threshold:.2f}",
                  "{stage}: difference coefficient of {indicator} {cv:.3f} > {threshold:.2f}"),
    "reason_cv_undefined": ("{stage}：{indicator}县域均值为 0，差异系数无法计算",
                            "{stage}: the county mean of {indicator} is 0; no coefficient"),
    "reason_composite": ("{stage}：综合差异系数 {cv:.3f} > {threshold:.2f}",
                         "{stage}: composite difference coefficient {cv:.3f} > {threshold:.2f}"),
    "reason_schools": ("{stage}：{count} 所学校未达到“至少 6 项达标、其余不低于 85%”的要求"
                       "（{names}）",
                       "{stage}: {count} schools fail the 'at least 6 of 7, rest >= 85 %' "
                       "rule ({names})"),
    "reason_schools_unknown": ("{stage}：{count} 所学校指标数据不全，无法判定是否达标",
                               "{stage}: {count} schools lack data to judge the per-school rule"),
    "reason_no_schools": ("{stage}：没有纳入测算的学校", "{stage}: no school in scope"),
    "reason_check": ("{name}：{detail}", "{name}: {detail}"),
    "reason_check_na": ("{name}：缺少数据，未评估", "{name}: no data, not assessed"),
    "verdict_pass": ("资源配置各项指标均达到要求", "every resource-allocation requirement is met"),
}


def text(code: str, lang: str = "zh", **params: Any) -> str:
    """Render an evaluation text (reasons, exclusions)."""
    return render(TEXTS, code, lang, **params)


def stage_name(stage: str, lang: str = "zh") -> str:
    zh, en = STAGE_NAMES[stage]
    return en if lang == "en" else zh
