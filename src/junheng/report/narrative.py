"""Plain-language text of a report (报告文字): the verdict paragraph and what schools need."""

from __future__ import annotations

from typing import Any

from junheng.evaluate import Evaluation
from junheng.evaluate.texts import stage_name


def _h(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def verdict_paragraph(ev: Evaluation, lang: str) -> str:
    """One paragraph an inspector can read aloud: result, coefficients, schools, checks."""
    word = {True: _h(lang, "通过", "passes"), False: _h(lang, "未通过", "does not pass"),
            None: _h(lang, "尚不能判定", "cannot yet be decided")}[ev.passes]
    parts = [_h(lang, f"{ev.county_name} {ev.year} 学年{ev.rules.name_zh}结论：{word}。",
                f"{ev.county_name}, school year {ev.year}, {ev.rules.name_en}: the county "
                f"{word}.")]
    for stage, st in ev.stages.items():
        name = stage_name(stage, lang)
        if st.schools_evaluated == 0:
            continue
        if ev.rules.cv_test == "composite":
            if st.composite is None:
                continue
            ok = st.cv_pass
            parts.append(_h(
                lang,
                f"{name}纳入测算 {st.schools_evaluated} 所学校，综合差异系数 {st.composite:.3f}，"
                f"{'不超过' if ok else '超过'}规定的 {st.composite_threshold:.2f}。",
                f"In {name}, {st.schools_evaluated} schools count; the composite coefficient "
                f"is {st.composite:.3f}, {'within' if ok else 'above'} the limit of "
                f"{st.composite_threshold:.2f}."))
        else:
            over = [ev.rules.indicator(k).name(lang) for k, i in st.indicators.items()
                    if i.cv_pass is False]
            failing = sum(1 for s in st.schools if s.passes is False)
            sep = "、" if lang == "zh" else ", "
            limit = ev.rules.cv_threshold[stage]
            if over:
                cv_text = _h(lang, f"{len(over)} 项差异系数超过 {limit:.2f}（{sep.join(over)}）",
                             f"{len(over)} coefficients exceed {limit:.2f} ({sep.join(over)})")
            else:
                cv_text = _h(lang, "各项差异系数均不超过规定值",
                             "every coefficient is within its limit")
            parts.append(_h(
                lang,
                f"{name}纳入测算 {st.schools_evaluated} 所学校，{cv_text}；"
                f"{failing} 所学校未达到“至少 6 项达标、其余不低于 85%”的要求。",
                f"In {name}, {st.schools_evaluated} schools count; {cv_text}; {failing} schools "
                f"fail the per-school rule."))
    failed = [c["name"] for c in ev.government.values() if c["pass"] is False]
    missing = [c["name"] for c in ev.government.values() if c["pass"] is None]
    if ev.government:
        parts.append(_h(
            lang,
            f"政府保障、教育质量与社会认可度等 {len(ev.government)} 项中，"
            f"{len(failed)} 项未达标，{len(missing)} 项因缺少数据未评估。",
            f"Of {len(ev.government)} government, quality and recognition checks, "
            f"{len(failed)} fail and {len(missing)} could not be assessed for lack of data."))
    return "".join(parts) if lang == "zh" else " ".join(parts)


_UNITS = {"ceil": ("", ""), "area": ("m²", "m²"), "money": ("元", "yuan")}


def needs_text(ev: Evaluation, gaps: dict[str, float], lang: str) -> str:
    """What a school part needs, in real units: 缺高于规定学历教师 2 人、教学及辅助用房 50 m²…"""
    items = []
    for key, gap in gaps.items():
        if gap <= 0:
            continue
        spec = ev.rules.indicator(key)
        unit = spec.unit if lang == "zh" else spec.unit_en
        amount = f"{gap:,.0f}" if spec.gap in ("ceil", "money") else f"{gap:,.2f}"
        label = spec.name(lang)
        items.append(f"{label} {amount} {unit}" if lang == "en" else f"{label}缺 {amount}{unit}")
    return ("；" if lang == "zh" else "; ").join(items)


# Data each check method needs, for "not assessed" rows (证据/所需数据).
NEEDED = {
    "music_art_rooms": ("学校年度统计中的音乐/美术专用教室数及面积",
                        "music/art rooms and areas in school_years"),
    "school_size": ("学校年度统计中的在校生数", "pupils in school_years"),
    "class_size": ("班级表（每班人数）", "the classes sheet (pupils per class)"),
    "small_school_funding": ("学校公用经费支出及县级生均公用经费",
                             "school public funds and county per-pupil public funds"),
    "teacher_pay": ("县级核查数据 teacher_avg_pay、civil_servant_avg_pay",
                    "county_checks teacher_avg_pay, civil_servant_avg_pay"),
    "roster_share": ("教师名册", "the teacher roster"),
    "rotation": ("教师名册（本校任教年限、最近交流年份）",
                 "the teacher roster (years at school, last rotation year)"),
    "three_growths": ("县级教育经费（本年及上年）", "county_finance for this and last year"),
    "survey": ("社会认可度调查", "the survey sheet"),
}


def evidence_needed(spec: dict[str, Any], lang: str) -> str:
    """What data a check needs (shown where it was not assessed)."""
    if spec["method"] == "facts":
        keys = [*spec.get("min", {}), *spec.get("true", [])]
        return _h(lang, "县级核查数据：", "county_checks: ") + ", ".join(keys)
    zh, en = NEEDED.get(spec["method"], ("", ""))
    return _h(lang, zh, en)
