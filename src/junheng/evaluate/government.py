"""Government, quality and recognition checks (政府保障程度、教育质量、社会认可度).

Each check of a rule file names a ``method`` implemented here; its numbers
come from the rule file. A check returns value, threshold, pass and a short
detail; when the workbook cannot answer it, ``pass`` is None ("not
assessed") — never True.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from junheng.data.census import Census
from junheng.data.schema import (
    COUNTY_CHECK_KEYS_BY_KEY,
    COUNTY_FINANCE,
    FALSE_WORDS,
    TRUE_WORDS,
)
from junheng.jsonable import jsonable
from junheng.standards.loader import Rules

Check = dict[str, Any]


def _result(value: Any, threshold: Any, passes: bool | None, detail: str,
            evidence: list[Any] | None = None) -> Check:
    return {"value": value, "threshold": threshold, "pass": passes, "detail": detail,
            "evidence": evidence or []}


def _facts(census: Census, year: int) -> dict[str, str]:
    """county_checks values for ``year`` (rows without a year apply to every year)."""
    checks = census["county_checks"]
    out: dict[str, str] = {}
    for rec in checks.sort_values("year", na_position="first").to_dict("records"):
        if rec["year"] is pd.NA or pd.isna(rec["year"]) or int(rec["year"]) == year:
            out[str(rec["key"])] = str(rec["value"])
    return out


def check_facts(census: Census, year: int, spec: Check, parts: pd.DataFrame, lang: str) -> Check:
    """Facts from ``county_checks``: ``min`` = {key: lowest value}, ``true`` = [yes/no keys]."""
    facts = _facts(census, year)
    details, values, failed, missing = [], {}, False, False
    for key, floor in spec.get("min", {}).items():
        raw = facts.get(key)
        label = COUNTY_CHECK_KEYS_BY_KEY[key].zh if key in COUNTY_CHECK_KEYS_BY_KEY else key
        if raw is None:
            missing = True
            details.append(f"{label}: ?")
            continue
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            missing = True
            continue
        values[key] = value
        failed |= value < floor
        details.append(f"{label} {value:g} {'≥' if value >= floor else '<'} {floor:g}")
    for key in spec.get("true", []):
        raw = facts.get(key)
        label = COUNTY_CHECK_KEYS_BY_KEY[key].zh if key in COUNTY_CHECK_KEYS_BY_KEY else key
        word = raw.strip().lower() if raw is not None else None
        if word in TRUE_WORDS:
            values[key] = True
            details.append(f"{label}: {'是' if lang == 'zh' else 'yes'}")
        elif word in FALSE_WORDS:
            values[key] = False
            failed = True
            details.append(f"{label}: {'否' if lang == 'zh' else 'no'}")
        else:
            missing = True
            details.append(f"{label}: ?")
    passes = False if failed else (None if missing else True)
    threshold = {**spec.get("min", {}), **dict.fromkeys(spec.get("true", []), True)}
    return _result(values, threshold, passes, "；".join(details))


def _school_rows(census: Census, year: int, parts: pd.DataFrame) -> pd.DataFrame:
    """The year's rows of the schools that have an in-scope part."""
    years = census["school_years"]
    rows = years[(years["year"] == year) & years["school_id"].isin(set(parts["school_id"]))]
    return rows.merge(census["schools"][["school_id", "name", "type"]], on="school_id")


def check_music_art_rooms(census: Census, year: int, spec: Check, parts: pd.DataFrame,
                          lang: str) -> Check:
    """standards.md §2.6 #3: ⌈classes / 12⌉ music and art rooms, ≥ 96 / 90 m² each."""
    rows = _school_rows(census, year, parts)
    per = spec["classes_per_room"]
    failing, unknown = [], 0
    for rec in rows.to_dict("records"):
        classes = sum(0 if pd.isna(rec.get(f"classes_{s}")) else int(rec[f"classes_{s}"])
                      for s in ("primary", "junior"))
        need = math.ceil(classes / per) if classes else 0
        for kind, area_min in (("music", spec["music_room_min_area"]),
                               ("art", spec["art_room_min_area"])):
            rooms, area = rec.get(f"{kind}_rooms"), rec.get(f"{kind}_room_area")
            if rooms is None or pd.isna(rooms):
                unknown += 1
                continue
            short = rooms < need
            small = rooms > 0 and area is not None and not pd.isna(area) and area / rooms < area_min
            if short or small:
                failing.append(rec["school_id"])
    failing = sorted(set(failing))
    passes = False if failing else (None if unknown else True)
    detail = (f"{len(failing)} 所学校未达标" if lang == "zh" else f"{len(failing)} schools short")
    return _result(len(failing), 0, passes, detail, failing)


def check_school_size(census: Census, year: int, spec: Check, parts: pd.DataFrame,
                      lang: str) -> Check:
    """standards.md §2.6 #4, Decisions #9: ≤ 2000 pupils, ≤ 2500 for one-through schools."""
    rows = _school_rows(census, year, parts)
    over = []
    for rec in rows.to_dict("records"):
        students = sum(0 if pd.isna(rec.get(f"students_{s}")) else int(rec[f"students_{s}"])
                       for s in ("primary", "junior"))
        cap = spec["max_students_one_through"] if rec["type"] in (
            "nine_year", "twelve_year") else spec["max_students"]
        if students > cap:
            over.append(rec["school_id"])
    detail = f"{len(over)} 所学校超规模" if lang == "zh" else f"{len(over)} schools too large"
    return _result(len(over), 0, not over, detail, over)


def check_class_size(census: Census, year: int, spec: Check, parts: pd.DataFrame,
                     lang: str) -> Check:
    """standards.md §2.6 #5: every class ≤ 45 (primary) / 50 (junior) pupils."""
    caps = spec["max"]
    classes = census["classes"]
    ids = set(parts["school_id"])
    classes = classes[(classes["year"] == year) & classes["school_id"].isin(ids)]
    if classes.empty:
        # no class list: only an average above the cap proves a failure
        over = [r["school_id"] for r in parts.to_dict("records")
                if r.get("classes") and not pd.isna(r["classes"]) and r["classes"] > 0
                and r["students"] / r["classes"] > caps[r["stage"]]]
        detail = (f"无班级名单；{len(over)} 所学校平均班额超标" if lang == "zh"
                  else f"no class list; {len(over)} schools' average class size above the cap")
        return _result(len(over), caps, False if over else None, detail, sorted(set(over)))
    cap = classes["stage"].map(caps)
    over = classes[classes["size"] > cap]
    detail = (f"{len(over)} 个班超过班额上限" if lang == "zh"
              else f"{len(over)} classes above the cap")
    return _result(len(over), caps, over.empty, detail,
                   sorted(set(over["school_id"].tolist())))


def check_small_school_funding(census: Census, year: int, spec: Check, parts: pd.DataFrame,
                               lang: str) -> Check:
    """standards.md §2.6 #6: schools under 100 pupils get public funds for 100."""
    finance = census["county_finance"]
    frow = finance[finance["year"] == year]
    rows = _school_rows(census, year, parts)
    minimum = spec["min_students"]
    short, unknown = [], 0
    for rec in rows.to_dict("records"):
        pupils = {s: (0 if pd.isna(rec.get(f"students_{s}")) else int(rec[f"students_{s}"]))
                  for s in ("primary", "junior")}
        total = sum(pupils.values())
        if total == 0 or total >= minimum:
            continue
        stage = max(pupils, key=pupils.__getitem__)
        rate = frow[f"per_student_public_funds_{stage}"].iloc[0] if not frow.empty else pd.NA
        funds = rec.get("public_funds")
        if pd.isna(rate) or funds is None or pd.isna(funds):
            unknown += 1
            continue
        if funds < minimum * float(rate) - 0.5:
            short.append(rec["school_id"])
    passes = False if short else (None if unknown else True)
    detail = (f"{len(short)} 所小规模学校公用经费不足" if lang == "zh"
              else f"{len(short)} small schools underfunded")
    return _result(len(short), minimum, passes, detail, short)


def check_teacher_pay(census: Census, year: int, spec: Check, parts: pd.DataFrame,
                      lang: str) -> Check:
    """standards.md §2.6 #8: teachers' average pay ≥ local civil servants' average pay."""
    facts = _facts(census, year)
    try:
        teacher = float(facts["teacher_avg_pay"])
        civil = float(facts["civil_servant_avg_pay"])
    except (KeyError, ValueError):
        return _result(None, None, None, "")
    passes = teacher >= civil
    return _result(teacher, civil, passes, f"{teacher:,.0f} {'≥' if passes else '<'} {civil:,.0f}")


def check_roster_share(census: Census, year: int, spec: Check, parts: pd.DataFrame,
                       lang: str) -> Check:
    """Share of on-post teachers meeting a roster condition (training hours, certificate)."""
    teachers = census["teachers"]
    if teachers.empty:
        return _result(None, spec["min_share"], None, "")
    teachers = teachers[teachers["on_post"].fillna(True).astype(bool)]
    column = teachers[spec["field"]]
    known = column.dropna()
    if known.empty:
        return _result(None, spec["min_share"], None, "")
    ok = known >= spec["min_value"] if "min_value" in spec else known.astype(bool)
    share = float(ok.mean())
    complete = len(known) == len(column)
    passes = False if share < spec["min_share"] else (True if complete else None)
    detail = f"{share:.1%}（{int(ok.sum())}/{len(known)}）"
    return _result(round(share, 4), spec["min_share"], passes, detail)


def rotation_eligible(teachers: pd.DataFrame, year: int, spec: Check) -> pd.Series:
    """Teachers eligible to rotate (符合交流条件): on post, ≥ N years at the school, not
    within M years of retirement; those who rotated this year were eligible when they moved."""
    ages = spec["retirement_age"]
    retire = teachers["retirement_year"].astype("Float64")
    derived = teachers["birth_year"].astype("Float64") + teachers["gender"].map(
        {"male": ages["male"], "female": ages["female"]}).astype("Float64")
    retire = retire.fillna(derived)
    on_post = teachers["on_post"].fillna(True).astype(bool)
    moved = (teachers["last_rotation_year"] == year).fillna(False).astype(bool)
    long_enough = (teachers["years_at_school"] >= spec["min_years_at_school"]).fillna(False)
    far_from_retirement = ((retire - year) > spec["years_before_retirement"]).fillna(True)
    return on_post & (moved | (long_enough.astype(bool) & far_from_retirement.astype(bool)))


def check_rotation(census: Census, year: int, spec: Check, parts: pd.DataFrame,
                   lang: str) -> Check:
    """standards.md §2.6 #11: ≥ 10 % of eligible teachers rotated, ≥ 20 % of movers backbone."""
    teachers = census["teachers"]
    if teachers.empty or (teachers["last_rotation_year"].isna().all() and
                          teachers["years_at_school"].isna().all()):
        return _result(None, None, None, "")
    eligible = rotation_eligible(teachers, year, spec)
    moved = (teachers["last_rotation_year"] == year).fillna(False).astype(bool)
    n_eligible, n_moved = int(eligible.sum()), int(moved.sum())
    backbone = int((moved & teachers["backbone"].isin(spec["backbone_levels"])).sum())
    share = n_moved / n_eligible if n_eligible else 0.0
    backbone_share = backbone / n_moved if n_moved else 0.0
    passes = share >= spec["min_share"] and backbone_share >= spec["min_backbone_share"]
    detail = (f"交流 {n_moved}/{n_eligible} = {share:.1%}，骨干占 {backbone_share:.1%}"
              if lang == "zh" else
              f"moved {n_moved}/{n_eligible} = {share:.1%}, backbone {backbone_share:.1%}")
    return _result({"share": round(share, 4), "backbone_share": round(backbone_share, 4),
                    "moved": n_moved, "eligible": n_eligible},
                   {"share": spec["min_share"], "backbone_share": spec["min_backbone_share"]},
                   passes, detail)


def check_three_growths(census: Census, year: int, spec: Check, parts: pd.DataFrame,
                        lang: str) -> Check:
    """standards.md §4 (教育法): appropriation growth > revenue growth; per-pupil spending and
    per-pupil public funds rise; tested as current year against the previous year (U)."""
    finance = census["county_finance"].set_index("year")
    if year not in finance.index or year - 1 not in finance.index:
        return _result(None, None, None, "")
    cur, prev = finance.loc[year], finance.loc[year - 1]

    def growth(col: str) -> float | None:
        a, b = cur[col], prev[col]
        if pd.isna(a) or pd.isna(b) or b == 0:
            return None
        return float(a) / float(b) - 1.0

    parts_ok: dict[str, bool | None] = {}
    g_app, g_rev = growth("edu_appropriation"), growth("recurrent_revenue")
    parts_ok["appropriation_vs_revenue"] = None if g_app is None or g_rev is None else \
        g_app > g_rev
    for col in ("per_student_spending_primary", "per_student_spending_junior",
                "per_student_public_funds_primary", "per_student_public_funds_junior"):
        g = growth(col)
        parts_ok[col] = None if g is None else g > 0
    flags = list(parts_ok.values())
    passes = False if any(f is False for f in flags) else (
        None if any(f is None for f in flags) else True)
    failed = [k for k, v in parts_ok.items() if v is False]
    labels = {c.key: c.zh for c in COUNTY_FINANCE.columns}
    labels["appropriation_vs_revenue"] = "教育拨款增长高于财政经常性收入增长"
    detail = ("未满足：" + "、".join(labels[k] for k in failed) if failed else "均增长") \
        if lang == "zh" else ("not met: " + ", ".join(failed) if failed else "all growing")
    if g_app is not None and g_rev is not None:
        detail += (f"（教育拨款 {g_app:+.1%}，经常性收入 {g_rev:+.1%}）" if lang == "zh" else
                   f" (appropriation {g_app:+.1%}, revenue {g_rev:+.1%})")
    return _result(parts_ok, None, passes, detail)


def check_survey(census: Census, year: int, spec: Check, parts: pd.DataFrame,
                 lang: str) -> Check:
    """standards.md §2.8 / §1.1: satisfied / respondents ≥ 85 %."""
    survey = census["survey"]
    if survey.empty or survey["respondents"].sum() == 0:
        return _result(None, spec["min_share"], None, "")
    share = float(survey["satisfied"].sum() / survey["respondents"].sum())
    return _result(round(share, 4), spec["min_share"], share >= spec["min_share"],
                   f"{share:.1%}")


METHODS: dict[str, Callable[[Census, int, Check, pd.DataFrame, str], Check]] = {
    "facts": check_facts,
    "music_art_rooms": check_music_art_rooms,
    "school_size": check_school_size,
    "class_size": check_class_size,
    "small_school_funding": check_small_school_funding,
    "teacher_pay": check_teacher_pay,
    "roster_share": check_roster_share,
    "rotation": check_rotation,
    "three_growths": check_three_growths,
    "survey": check_survey,
}


def run_checks(census: Census, rules: Rules, year: int, parts: pd.DataFrame,
               lang: str = "zh") -> dict[str, Check]:
    """Run every check of ``rules``; keyed by check key, in rule-file order."""
    out: dict[str, Check] = {}
    for spec in rules.checks:
        method = METHODS.get(spec["method"])
        if method is None:
            raise ValueError(f"rule file check {spec['key']!r}: unknown method "
                             f"{spec['method']!r}")
        result = method(census, year, spec, parts, lang)
        out[spec["key"]] = {
            "part": spec.get("part", "government"),
            "name": spec["name_en"] if lang == "en" else spec["name_zh"],
            **jsonable(result),
            "source": spec.get("source", ""),
        }
    return out
