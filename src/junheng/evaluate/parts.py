"""School parts (学校学段): scope filtering and the split of one-through schools.

The official tables list each stage of a nine-year, twelve-year or complete
middle school as its own row (standards.md §1.2); the facility amounts of
such a school are divided between its parts by pupil weights 1 : 1.1 : 1.32
(§1.7, Decisions #4), while teacher counts are taken per stage as reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from junheng.data.census import Census
from junheng.data.schema import STAGES, TYPE_STAGES
from junheng.data.validate import roster_aggregates
from junheng.standards.loader import Rules

TEACHER_COUNTS = ("teachers", "above_degree_teachers", "mid_title_teachers",
                  "backbone_teachers", "pe_art_teachers")


@dataclass(frozen=True)
class Exclusion:
    """A school (or one stage of it) left out of a stage's evaluation, with the reason code."""

    school_id: str
    name: str
    stage: str
    reason: str  # code rendered by junheng.evaluate.texts


def split_shares(students: dict[str, float], weights: dict[str, float]) -> dict[str, float]:
    """Share of a school's facilities that belongs to each stage part.

    standards.md §1.7 (C, dyhzdl): nine-year primary = A / (A + 1.1 B), junior =
    1.1 B / (A + 1.1 B); complete middle junior = B / (B + 1.2 C) (= 1.1 B / (1.1 B +
    1.32 C)); twelve-year primary = A / (A + 1.1 B + 1.32 C), junior = 1.1 B / (…).
    """
    weighted = {s: weights[s] * max(float(n), 0.0) for s, n in students.items()}
    total = sum(weighted.values())
    if total <= 0:
        return dict.fromkeys(students, 0.0)
    return {s: w / total for s, w in weighted.items()}


def _teacher_columns(census: Census, rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Fill empty per-stage teacher counts from the roster for the roster's (latest) year."""
    if not census.has("teachers") or year != max(census.years):
        return rows
    agg = roster_aggregates(census["teachers"])
    rows = rows.copy()
    for stage in STAGES:
        for count in TEACHER_COUNTS:
            col = f"{count}_{stage}"
            idx = pd.MultiIndex.from_arrays([rows["school_id"], [stage] * len(rows)])
            derived = agg[count].reindex(idx).to_numpy()
            has_roster = rows["school_id"].isin(set(census["teachers"]["school_id"])).to_numpy()
            fill = rows[col].isna().to_numpy() & has_roster
            values = rows[col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            values[fill] = np.nan_to_num(derived[fill].astype(float), nan=0.0)
            rows[col] = pd.array(np.where(np.isnan(values), pd.NA, values), dtype="Float64")
    return rows


def school_parts(census: Census, rules: Rules, year: int) -> tuple[pd.DataFrame, list[Exclusion]]:
    """One row per in-scope school part of ``year``, and the exclusions with reasons.

    Columns: school_id, name, type, locale, township, stage, students, share,
    split (bool) and one column per census amount the rules use (already split).
    """
    schools = census["schools"].set_index("school_id")
    years = census["school_years"]
    rows = years[years["year"] == year]
    rows = _teacher_columns(census, rows, year)
    scope = rules.scope
    tp_min = scope.get("teaching_point_min_students")
    amounts = sorted({ind.numerator for ind in rules.indicators if not ind.per_stage_column}
                     | {"indoor_sports_area"})
    per_stage = sorted({ind.numerator for ind in rules.indicators if ind.per_stage_column})
    records: list[dict[str, object]] = []
    excluded: list[Exclusion] = []
    in_year = set(rows["school_id"])
    for sid, school in schools.iterrows():
        stype = school["type"]
        stages = [s for s in TYPE_STAGES.get(stype, ()) if s in STAGES]
        if sid not in in_year:
            excluded.extend(Exclusion(sid, school["name"], s, "no_year_data") for s in stages)
    for rec in rows.to_dict("records"):
        sid = rec["school_id"]
        school = schools.loc[sid]
        stype = school["type"]
        students = {s: _num(rec.get(f"students_{s}")) for s in ("primary", "junior", "senior")}
        stages = [s for s in TYPE_STAGES.get(stype, ()) if s in STAGES]
        reason = None
        if school["ownership"] not in scope["ownership"]:
            reason = f"ownership_{school['ownership']}"
        elif school["affiliation"] not in scope["affiliation"]:
            reason = f"affiliation_{school['affiliation']}"
        elif stype == "teaching_point":
            if tp_min is None:
                reason = "teaching_point"
            elif students["primary"] < tp_min:
                reason = "teaching_point_small"
        elif stype not in scope["types"]:
            reason = f"type_{stype}"
        if reason is not None:
            excluded.extend(Exclusion(sid, school["name"], s, reason) for s in stages)
            continue
        shares = split_shares(students, rules.split_weights)
        split = sum(1 for n in students.values() if n > 0) > 1
        for stage in stages:
            if students[stage] <= 0:
                excluded.append(Exclusion(sid, school["name"], stage, "no_students"))
                continue
            share = shares[stage] if split else 1.0
            row: dict[str, object] = {
                "school_id": sid, "name": school["name"], "type": stype,
                "locale": school["locale"], "township": school.get("township"),
                "lon": school.get("lon"), "lat": school.get("lat"), "stage": stage,
                "students": students[stage], "share": share, "split": split,
                "_row": rec["_row"],
            }
            for col in amounts:
                value = rec.get(col)
                row[col] = np.nan if _missing(value) else float(value) * share
            for col in per_stage:
                value = rec.get(f"{col}_{stage}")
                row[col] = np.nan if _missing(value) else float(value)
            for col in ("classes", "music_rooms", "art_rooms", "music_room_area",
                        "art_room_area", "design_capacity", "public_funds"):
                value = rec.get(f"classes_{stage}") if col == "classes" else rec.get(col)
                row[col] = np.nan if _missing(value) else float(value)
            records.append(row)
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        frame = pd.DataFrame(columns=["school_id", "name", "type", "locale", "township", "lon",
                                      "lat", "stage", "students", "share", "split", "_row",
                                      *amounts, *per_stage])
    return frame, excluded


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _num(value: object) -> float:
    return 0.0 if _missing(value) else float(value)  # type: ignore[arg-type]
