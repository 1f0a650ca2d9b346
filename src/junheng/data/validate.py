"""Validation of the census workbook (数据校验): every problem at once.

``validate_workbook(path)`` reads the file, types every cell against
:mod:`junheng.data.schema`, runs the cross-sheet rules, and returns a
:class:`ValidationReport` listing every error and warning with sheet, Excel
row, column, value and rule. It never raises on bad input: an unreadable
file is a report with one error. Like pandera's lazy validation, a clerk gets
the whole list in one go instead of fixing one problem per run.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from junheng.data.io import FileProblem, RawSheet, read_raw
from junheng.data.limits import LIMITS
from junheng.data.schema import (
    COUNTY_CHECK_KEYS_BY_KEY,
    FALSE_WORDS,
    SCHOOL_TYPE,
    SHEETS,
    STAGE,
    STAGES,
    TRUE_WORDS,
    TYPE_STAGES,
    Column,
    Sheet,
    header_lookup,
    normalise_header,
)
from junheng.i18n import Msg, tr

Severity = Literal["error", "warning"]

_STAGE_ZH = {"primary": "小学", "junior": "初中", "senior": "高中"}

# Roster → aggregate definitions (统计口径), standards.md §1.4 and §2.2:
# above the legal minimum degree: primary 专科 and above, junior 本科 and above;
# intermediate title: 一级 and above (2015 title reform); backbone: county level
# and above; PE/art: PE, music and art teachers.
ABOVE_DEGREE = {
    "primary": frozenset({"associate", "bachelor", "postgraduate"}),
    "junior": frozenset({"bachelor", "postgraduate"}),
}
MID_TITLE = frozenset({"first", "senior"})
BACKBONE_COUNTY_UP = frozenset({"county", "city", "province", "national"})
PE_ART = frozenset({"pe", "music", "art"})


@dataclass
class Issue:
    """One problem found in the workbook."""

    severity: Severity
    rule: str
    sheet: str | None = None  # sheet name as in the file
    row: int | None = None  # Excel row number (header = 1)
    column: str | None = None  # header as in the file
    value: Any = None
    cell: str | None = None  # Excel reference, e.g. "D7"
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        """The rule broken, in words, without the location."""
        return tr(self.rule, lang, **self.params)

    def describe(self, lang: str = "zh") -> str:
        """Location and rule in one line, e.g. 工作表「学校」第 5 行，列「类型」…"""
        parts = []
        if self.sheet is not None:
            parts.append(tr("where_sheet", lang, sheet=self.sheet))
        if self.row is not None:
            parts.append(tr("where_row", lang, row=self.row))
        if self.column is not None:
            parts.append(tr("where_column", lang, column=self.column))
        if self.value is not None and str(self.value) != "":
            parts.append(tr("where_value", lang, value=_show(self.value)))
        sep = "，" if lang == "zh" else ", "
        where = sep.join(parts)
        if self.cell:
            where += tr("where_cell", lang, cell=self.cell)
        return f"{where}{'：' if lang == 'zh' else ': '}{self.message(lang)}" if where else \
            self.message(lang)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "severity": self.severity,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "value": None if self.value is None else _show(self.value),
            "rule": self.rule,
            "message": self.message(lang),
        }


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)  # Excel shows 120, the reader gives 120.0
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class ValidationReport:
    """Every problem of a workbook, and the typed tables when they could be built."""

    path: Path
    issues: list[Issue]
    tables: dict[str, pd.DataFrame]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        return pd.DataFrame([i.to_dict(lang) for i in self.issues],
                            columns=["severity", "sheet", "row", "column", "cell", "value",
                                     "rule", "message"])

    def to_text(self, lang: str = "zh", per_rule: int = 50) -> str:
        """Human-readable report; at most ``per_rule`` lines per rule and severity."""
        head = tr("report_ok" if self.ok else "report_invalid", lang, path=self.path)
        lines = [head, tr("report_counts", lang, errors=len(self.errors),
                          warnings=len(self.warnings))]
        for title, group in (("report_errors", self.errors), ("report_warnings", self.warnings)):
            if not group:
                continue
            lines.append("")
            lines.append(tr(title, lang))
            shown: dict[str, int] = defaultdict(int)
            for issue in group:
                shown[issue.rule] += 1
                if shown[issue.rule] <= per_rule:
                    lines.append(f"  - {issue.describe(lang)}")
            for rule, count in shown.items():
                if count > per_rule:
                    lines.append("  " + tr("report_more", lang, count=count - per_rule) +
                                 f" [{rule}]")
        return "\n".join(lines)


# ------------------------------------------------------------------ typing cells


class _Bad(Exception):
    def __init__(self, rule: str, **params: Any) -> None:
        self.rule = rule
        self.params = params


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _to_number(value: Any, rule: str) -> float:
    if isinstance(value, bool):
        raise _Bad(rule)
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an int beyond the float range
            raise _Bad(rule) from None
        if not math.isfinite(number):
            raise _Bad(rule)
        return number
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        try:
            number = float(text)
        except ValueError:
            raise _Bad(rule) from None
        if not math.isfinite(number):
            raise _Bad(rule)
        return number
    raise _Bad(rule)


def _to_int(value: Any, rule: str = "type_int") -> int:
    number = _to_number(value, rule)
    if number != int(number) or abs(number) > 2**53:
        raise _Bad(rule)
    return int(number)


def _parse_cell(col: Column, value: Any) -> Any:
    """Typed value of a non-empty cell, or raise :class:`_Bad`."""
    if col.type in ("id", "text"):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, _dt.date | _dt.time | _dt.timedelta):
            if col.type == "id":
                raise _Bad("type_text")
            return str(value)
        return str(value).strip()
    if col.type == "int":
        return _to_int(value)
    if col.type == "float":
        return _to_number(value, "type_number")
    if col.type == "year":
        year = value.year if isinstance(value, _dt.date) else _to_int(value, "type_year")
        limits = LIMITS["years"]
        earliest = limits["earliest"]
        offset = limits.get("latest_offset_by_column", {}).get(col.key, limits["latest_offset"])
        latest = _dt.date.today().year + offset
        if not earliest <= year <= latest:
            raise _Bad("year_impossible", earliest=earliest, latest=latest)
        return year
    if col.type == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise _Bad("type_bool")
    if col.type == "enum":
        assert col.enum is not None
        key = col.enum.parse(str(value))
        if key is None:
            allowed = [f"{k}/{zh}" for k, zh in col.enum.values]
            raise _Bad("enum_invalid", allowed=allowed)
        return key
    raise AssertionError(col.type)


_DTYPES = {
    "id": "string",
    "text": "string",
    "enum": "string",
    "int": "Int64",
    "year": "Int64",
    "float": "Float64",
    "bool": "boolean",
}


def empty_table(sheet: Sheet) -> pd.DataFrame:
    """A typed table of ``sheet`` with no rows (used for absent optional sheets)."""
    frame = pd.DataFrame({c.key: pd.Series([], dtype=_DTYPES[c.type]) for c in sheet.columns})
    frame["_row"] = pd.Series([], dtype="Int64")
    return frame


# ------------------------------------------------------------------ the checker


@dataclass
class _Located:
    """Where a column sits in the file, for messages."""

    header: str
    index: int  # 1-based column index


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.issues: list[Issue] = []
        self.tables: dict[str, pd.DataFrame] = {}
        self.names: dict[str, str] = {}  # sheet key -> name in file
        self.where: dict[str, dict[str, _Located]] = {}  # sheet key -> column key -> location

    # -- recording
    def add(self, severity: Severity, rule: str, sheet: str | None = None,
            row: int | None = None, column: str | None = None, value: Any = None,
            **params: Any) -> None:
        name = self.names.get(sheet, sheet) if sheet else None
        header, cell = None, None
        if sheet and column:
            loc = self.where.get(sheet, {}).get(column)
            if loc is not None:
                header = loc.header
                if row is not None:
                    letter = _letter(loc.index)
                    cell = f"{letter}{row}" if letter.isalpha() else f"R{row}C{loc.index}"
            else:
                header = column
        if isinstance(value, np.generic):
            value = value.item()
        self.issues.append(Issue(severity, rule, name, row, header, value, cell, params))

    def error(self, rule: str, sheet: str | None = None, row: int | None = None,
              column: str | None = None, value: Any = None, **params: Any) -> None:
        self.add("error", rule, sheet, row, column, value, **params)

    def warn(self, rule: str, sheet: str | None = None, row: int | None = None,
             column: str | None = None, value: Any = None, **params: Any) -> None:
        self.add("warning", rule, sheet, row, column, value, **params)

    # -- typing one sheet
    def type_sheet(self, sheet: Sheet, raw: RawSheet | None) -> pd.DataFrame:
        if raw is None:
            if sheet.required:
                self.error("sheet_missing", sheet_key=sheet.key, sheet_zh=sheet.zh)
            return empty_table(sheet)
        self.names[sheet.key] = raw.name
        if not raw.header:
            self.add("error" if sheet.required else "warning", "sheet_no_header", sheet.key)
            return empty_table(sheet)
        lookup = header_lookup(sheet)
        positions: dict[str, int] = {}
        extra: dict[str, int] = {}
        self.where[sheet.key] = {}
        for idx, cell in enumerate(raw.header):
            if _is_empty(cell):
                continue
            text = str(cell).strip()
            key = lookup.get(normalise_header(text))
            is_extra = False
            if key is None and sheet.extra_columns and sheet.extra_columns.match(text):
                key, is_extra = text, True
            if key is None:
                self.where[sheet.key][f"?{idx}"] = _Located(text, idx + 1)
                self.warn("column_unknown", sheet.key, 1, f"?{idx}")
                continue
            if key in positions or key in extra:
                self.where[sheet.key][f"!{idx}"] = _Located(text, idx + 1)
                first = positions[key] if key in positions else extra[key]
                self.error("column_duplicate", sheet.key, 1, f"!{idx}", first=_letter(first + 1))
                continue
            if is_extra:
                extra[key] = idx
            else:
                positions[key] = idx
            self.where[sheet.key][key] = _Located(text, idx + 1)
        for col in sheet.columns:
            if col.required and col.key not in positions:
                self.error("column_missing", sheet.key, column_key=col.key, column_zh=col.zh)
        if sheet.required and not raw.rows:
            self.error("sheet_no_rows", sheet.key)

        data: dict[str, list[Any]] = {c.key: [] for c in sheet.columns}
        data.update({k: [] for k in extra})
        rows: list[int] = []
        extra_col = Column("extra", "", sheet.extra_column_type, min=0.0)
        for number, cells in raw.rows:
            rows.append(number)
            for col in sheet.columns:
                idx = positions.get(col.key)
                value = cells[idx] if idx is not None and idx < len(cells) else None
                data[col.key].append(self.type_cell(sheet, col, number, value, idx is not None))
            for key, idx in extra.items():
                value = cells[idx] if idx < len(cells) else None
                data[key].append(self.type_cell(sheet, extra_col, number, value, True, key))
        frame = pd.DataFrame(
            {c.key: pd.array(data[c.key], dtype=_DTYPES[c.type]) for c in sheet.columns}
        )
        for key in extra:
            frame[key] = pd.array(data[key], dtype=_DTYPES[sheet.extra_column_type])
        frame["_row"] = pd.array(rows, dtype="Int64")
        return frame

    def type_cell(self, sheet: Sheet, col: Column, row: int, value: Any, present: bool,
                  key: str | None = None) -> Any:
        key = key or col.key
        if _is_empty(value):
            if col.nonempty and present:
                self.error("cell_empty", sheet.key, row, key)
            return None
        try:
            typed = _parse_cell(col, value)
        except _Bad as bad:
            self.error(bad.rule, sheet.key, row, key, value, **bad.params)
            return None
        if col.type in ("int", "float") and typed is not None:
            if col.min is not None and typed < col.min:
                if col.min == 0:
                    self.error("negative", sheet.key, row, key, value)
                else:
                    self.error("below_min", sheet.key, row, key, value, min=_fmt(col.min))
                return None
            if col.max is not None and typed > col.max:
                self.error("above_max", sheet.key, row, key, value, max=_fmt(col.max))
                return None
        return typed

    # -- table rules
    def unique(self, sheet: Sheet, frame: pd.DataFrame) -> None:
        for cols in sheet.unique:
            sub = frame[list(cols)]
            mask = sub.notna().all(axis=1)
            seen: dict[tuple[Any, ...], int] = {}
            for row, values in zip(frame.loc[mask, "_row"], sub[mask].itertuples(index=False),
                                   strict=True):
                values = tuple(values)
                if values in seen:
                    self.error("duplicate_key", sheet.key, int(row), cols[-1], values[-1],
                               first_row=seen[values], columns="+".join(cols))
                else:
                    seen[values] = int(row)

    def references(self, sheet_key: str, frame: pd.DataFrame, column: str,
                   known: set[str], rule: str) -> None:
        values = frame[column]
        bad = values.notna() & ~values.isin(known)
        for row, value in zip(frame.loc[bad, "_row"], values[bad], strict=True):
            self.error(rule, sheet_key, int(row), column, value)


def _letter(index: int) -> str:
    """Excel column letter of 1-based ``index``; the number itself beyond ZZZ (wide CSV)."""
    try:
        return get_column_letter(index)
    except ValueError:
        return str(index)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _great_circle_km(lon1: Any, lat1: Any, lon2: float, lat2: float) -> Any:
    lon1, lat1 = np.radians(np.asarray(lon1, float)), np.radians(np.asarray(lat1, float))
    lon2, lat2 = math.radians(lon2), math.radians(lat2)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * math.cos(lat2) * np.sin(
        (lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


# ------------------------------------------------------------------ cross-sheet rules


def _check_coordinates(ck: _Checker, sheet: str, frame: pd.DataFrame,
                       centre: tuple[float, float] | None) -> None:
    lim = LIMITS["coordinates"]
    lon, lat = frame["lon"], frame["lat"]
    half = lon.isna() ^ lat.isna()
    for row, missing_lon in zip(frame.loc[half, "_row"], lon[half].isna(), strict=True):
        ck.error("coords_half", sheet, int(row), "lon" if missing_lon else "lat")
    both = lon.notna() & lat.notna()
    inside = (lon >= lim["lon_min"]) & (lon <= lim["lon_max"]) & (lat >= lim["lat_min"]) & (
        lat <= lim["lat_max"])
    outside = both & ~inside.fillna(False)
    for row, x, y in zip(frame.loc[outside, "_row"], lon[outside], lat[outside], strict=True):
        swapped = lim["lon_min"] <= y <= lim["lon_max"] and lim["lat_min"] <= x <= lim["lat_max"]
        hint = Msg("hint_coords_swapped") if swapped else ""
        ck.error("coords_outside_china", sheet, int(row), "lon", f"{x}, {y}", lon=x, lat=y,
                 hint=hint)
    if centre is None:
        return
    good = both & inside.fillna(False)
    if not good.any():
        return
    km = _great_circle_km(lon[good].to_numpy(float), lat[good].to_numpy(float), *centre)
    for row, x, y, d in zip(frame.loc[good, "_row"], lon[good], lat[good], km, strict=True):
        if d > lim["error_km_from_county"]:
            ck.error("coords_far", sheet, int(row), "lon", f"{x}, {y}", km=round(float(d)),
                     limit=lim["error_km_from_county"])
        elif d > lim["warn_km_from_county"]:
            ck.warn("coords_far_warning", sheet, int(row), "lon", f"{x}, {y}",
                    km=round(float(d)), limit=lim["warn_km_from_county"])


def _county_centre(schools: pd.DataFrame) -> tuple[float, float] | None:
    lim = LIMITS["coordinates"]
    lon, lat = schools["lon"], schools["lat"]
    ok = lon.between(lim["lon_min"], lim["lon_max"]) & lat.between(lim["lat_min"], lim["lat_max"])
    ok = ok.fillna(False)
    if ok.sum() < 3:
        return None
    return float(lon[ok].median()), float(lat[ok].median())


def _check_schools(ck: _Checker, schools: pd.DataFrame) -> None:
    codes = schools["county_code"].dropna().unique()
    if len(codes) > 1:
        counts = schools["county_code"].value_counts()
        minority = set(counts.index[1:])
        for row, value in zip(schools["_row"], schools["county_code"], strict=True):
            if value in minority:
                ck.error("county_mixed", "schools", int(row), "county_code", value,
                         count=len(codes), codes=[str(c) for c in codes[:5]])
    ids = set(schools["school_id"].dropna())
    ck.references("schools", schools, "parent_school_id", ids, "unknown_school")
    is_self = schools["parent_school_id"].notna() & (
        schools["parent_school_id"] == schools["school_id"]).fillna(False)
    for row, value in zip(schools.loc[is_self, "_row"], schools.loc[is_self, "parent_school_id"],
                          strict=True):
        ck.error("parent_is_self", "schools", int(row), "parent_school_id", value)
    tp = (schools["type"] == "teaching_point").fillna(False) & schools["parent_school_id"].isna()
    for row in schools.loc[tp, "_row"]:
        ck.warn("teaching_point_no_parent", "schools", int(row), "parent_school_id")
    _check_coordinates(ck, "schools", schools, _county_centre(schools))


def _check_school_years(ck: _Checker, years: pd.DataFrame, schools: pd.DataFrame) -> None:
    ids = set(schools["school_id"].dropna())
    ck.references("school_years", years, "school_id", ids, "unknown_school")
    covered = set(years["school_id"].dropna())
    for row, sid in zip(schools["_row"], schools["school_id"], strict=True):
        if pd.notna(sid) and sid not in covered:
            ck.warn("school_no_years", "schools", int(row), "school_id", sid)

    types = dict(zip(schools["school_id"], schools["type"], strict=True))
    lim = LIMITS
    for rec in years.to_dict("records"):
        row = int(rec["_row"])
        school_type = types.get(rec["school_id"])
        offered = TYPE_STAGES.get(school_type, ("primary", "junior", "senior")) if isinstance(
            school_type, str) else ("primary", "junior", "senior")
        total_students = 0
        for stage in ("primary", "junior", "senior"):
            students = rec.get(f"students_{stage}")
            if _na(students):
                continue
            total_students += students
            if students > 0 and stage not in offered:
                ck.error("stage_not_offered", "school_years", row, f"students_{stage}", students,
                         type=school_type, type_zh=SCHOOL_TYPE.label(school_type),
                         stage=stage, stage_zh=_STAGE_ZH[stage])
        for stage in STAGES:
            students, classes = rec[f"students_{stage}"], rec[f"classes_{stage}"]
            teachers = rec[f"teachers_{stage}"]
            if not _na(students) and students > 0 and (_na(classes) or classes == 0):
                if not _na(classes):
                    ck.error("students_without_classes", "school_years", row,
                             f"classes_{stage}", classes)
            elif not _na(classes) and classes > 0 and not _na(students) and students == 0:
                ck.error("classes_without_students", "school_years", row, f"classes_{stage}",
                         classes)
            elif not _na(classes) and classes > 0 and not _na(students):
                average = students / classes
                cs = lim["class_size"]
                if average > cs["max"] or average < cs["min"]:
                    ck.error("class_average_impossible", "school_years", row, f"classes_{stage}",
                             classes, average=round(average, 1), min=cs["min"], max=cs["max"])
                elif average > lim["ratios"]["warn_average_class_size"]:
                    ck.warn("class_average_large", "school_years", row, f"classes_{stage}",
                            classes, average=round(average, 1),
                            limit=lim["ratios"]["warn_average_class_size"])
            if not _na(teachers):
                for sub in ("above_degree", "mid_title", "backbone", "pe_art"):
                    value = rec[f"{sub}_teachers_{stage}"]
                    if not _na(value) and value > teachers:
                        ck.error("subcount_exceeds", "school_years", row,
                                 f"{sub}_teachers_{stage}", value, total=teachers)
                if teachers > 0 and not _na(students) and students == 0:
                    ck.warn("teachers_without_students", "school_years", row,
                            f"teachers_{stage}", teachers, teachers=teachers)
                limit = lim["ratios"]["warn_students_per_teacher"]
                if teachers > 0 and not _na(students) and students / teachers > limit:
                    ck.warn("students_per_teacher_high", "school_years", row,
                            f"teachers_{stage}", teachers, ratio=round(students / teachers, 1),
                            limit=limit)
        _part(ck, rec, row, "indoor_sports_area", "teaching_aux_area")
        for part in ("migrant_students", "left_behind_students", "disabled_students"):
            value = rec[part]
            if not _na(value) and value > total_students and _stage_totals_known(rec):
                ck.error("part_exceeds_whole", "school_years", row, part, value,
                         whole=total_students, whole_key="students", whole_zh="在校生总数")
        capacity = rec["design_capacity"]
        factor = lim["ratios"]["warn_students_over_capacity"]
        if not _na(capacity) and capacity > 0 and total_students > factor * capacity:
            ck.warn("over_capacity", "school_years", row, "design_capacity", capacity,
                    students=total_students, capacity=capacity, factor=factor)


def _stage_totals_known(rec: dict[str, Any]) -> bool:
    return not _na(rec.get("students_primary")) and not _na(rec.get("students_junior"))


def _part(ck: _Checker, rec: dict[str, Any], row: int, part: str, whole: str) -> None:
    value, total = rec[part], rec[whole]
    if not _na(value) and not _na(total) and value > total:
        from junheng.data.schema import SCHOOL_YEARS

        ck.error("part_exceeds_whole", "school_years", row, part, value, whole=total,
                 whole_key=whole, whole_zh=SCHOOL_YEARS.column(whole).zh)


def _na(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def roster_aggregates(teachers: pd.DataFrame) -> pd.DataFrame:
    """Teacher counts per school and stage derived from the roster (专任教师名册).

    Columns: ``teachers``, ``above_degree_teachers``, ``mid_title_teachers``,
    ``backbone_teachers``, ``pe_art_teachers``; index (school_id, stage).
    Definitions: standards.md §1.4 (L6–L8) and §2.2 (indicators 1–3).
    """
    t = teachers.dropna(subset=["school_id", "stage"])
    above = np.where(t["stage"] == "primary", t["degree"].isin(ABOVE_DEGREE["primary"]),
                     t["degree"].isin(ABOVE_DEGREE["junior"]))
    flags = pd.DataFrame(
        {
            "school_id": t["school_id"],
            "stage": t["stage"],
            "teachers": 1,
            "above_degree_teachers": above.astype(int),
            "mid_title_teachers": t["title"].isin(MID_TITLE).astype(int),
            "backbone_teachers": t["backbone"].isin(BACKBONE_COUNTY_UP).astype(int),
            "pe_art_teachers": t["subject"].isin(PE_ART).astype(int),
        }
    )
    return flags.groupby(["school_id", "stage"]).sum()


def _check_teachers(ck: _Checker, teachers: pd.DataFrame, schools: pd.DataFrame,
                    years: pd.DataFrame) -> None:
    if teachers.empty:
        return
    ids = set(schools["school_id"].dropna())
    ck.references("teachers", teachers, "school_id", ids, "unknown_school")
    types = dict(zip(schools["school_id"], schools["type"], strict=True))
    # The roster describes the latest census year: ages are measured then, not today.
    census_years = years["year"].dropna()
    now = int(census_years.max()) if not census_years.empty else _dt.date.today().year
    lt = LIMITS["teachers"]
    for rec in teachers.to_dict("records"):
        row = int(rec["_row"])
        school_type = types.get(rec["school_id"])
        stage = rec["stage"]
        if isinstance(school_type, str) and isinstance(stage, str) and \
                stage not in TYPE_STAGES[school_type]:
            ck.error("teacher_stage_not_offered", "teachers", row, "stage", stage,
                     type=school_type, type_zh=SCHOOL_TYPE.label(school_type), stage=stage,
                     stage_zh=STAGE.label(stage))
        birth = rec["birth_year"]
        if _na(birth):
            continue
        age = now - birth
        if not lt["min_age"] <= age <= lt["max_age"]:
            ck.error("teacher_age", "teachers", row, "birth_year", birth, birth_year=birth,
                     age=age, min=lt["min_age"], max=lt["max_age"])
            continue
        for col in ("years_at_school", "rural_service_years"):
            years_value = rec[col]
            if not _na(years_value) and years_value > age - lt["min_age"]:
                ck.error("years_exceed_career", "teachers", row, col, years_value,
                         years=years_value, age=age, min_age=lt["min_age"])
        rotation = rec["last_rotation_year"]
        if not _na(rotation) and rotation < birth + lt["min_age"]:
            ck.error("year_before_career", "teachers", row, "last_rotation_year", rotation,
                     year=rotation, min_age=lt["min_age"], birth_year=birth)
        retirement = rec["retirement_year"]
        if not _na(retirement) and retirement < birth + lt["min_age"]:
            ck.error("year_before_career", "teachers", row, "retirement_year", retirement,
                     year=retirement, min_age=lt["min_age"], birth_year=birth)
        elif not _na(retirement) and retirement > birth + lt["max_age"]:
            ck.error("year_after_career", "teachers", row, "retirement_year", retirement,
                     year=retirement, max_age=lt["max_age"], birth_year=birth)
        elif not _na(retirement) and retirement < now and rec["on_post"] is True:
            ck.warn("retired_on_post", "teachers", row, "retirement_year", retirement,
                    year=retirement)
        hours = rec["training_hours_5y"]
        if not _na(hours) and hours > lt["warn_training_hours_5y"]:
            ck.warn("training_hours_high", "teachers", row, "training_hours_5y", hours,
                    hours=hours, limit=lt["warn_training_hours_5y"])

    # roster vs aggregate counts, for each school's latest year
    if years.empty:
        return
    agg = roster_aggregates(teachers)
    latest = years.dropna(subset=["school_id", "year"]).sort_values("year").groupby(
        "school_id").tail(1)
    # a known school missing from the roster has no teachers by the roster's count
    for rec in latest.to_dict("records"):
        sid = rec["school_id"]
        if sid not in ids:
            continue
        for stage in STAGES:
            counts = agg.loc[(sid, stage)] if (sid, stage) in agg.index else None
            for sub in ("teachers", "above_degree_teachers", "mid_title_teachers",
                        "backbone_teachers", "pe_art_teachers"):
                given = rec[f"{sub}_{stage}"]
                roster = 0 if counts is None else int(counts[sub])
                if not _na(given) and given != roster:
                    ck.error("roster_count_mismatch", "school_years", int(rec["_row"]),
                             f"{sub}_{stage}", given, roster=roster, given=given, school=sid,
                             stage=stage, stage_zh=_STAGE_ZH[stage], year=rec["year"])


def _check_classes(ck: _Checker, classes: pd.DataFrame, schools: pd.DataFrame,
                   years: pd.DataFrame) -> None:
    if classes.empty:
        return
    ids = set(schools["school_id"].dropna())
    ck.references("classes", classes, "school_id", ids, "unknown_school")
    cs = LIMITS["class_size"]
    size = classes["size"]
    out = size.notna() & ((size < cs["min"]) | (size > cs["max"])).fillna(False)
    for row, value in zip(classes.loc[out, "_row"], size[out], strict=True):
        ck.error("class_size_range", "classes", int(row), "size", value, size=value,
                 min=cs["min"], max=cs["max"])
    big = size.notna() & ~out & (size >= cs["warn_above"]).fillna(False)
    for row, value in zip(classes.loc[big, "_row"], size[big], strict=True):
        ck.warn("class_size_large", "classes", int(row), "size", value, size=value,
                limit=cs["warn_above"])
    grade, stage = classes["grade"], classes["stage"]
    wrong = ((stage == "primary") & (grade > 6)) | ((stage == "junior") & (grade < 6))
    wrong = wrong.fillna(False)
    for row, g, s in zip(classes.loc[wrong, "_row"], grade[wrong], stage[wrong], strict=True):
        ck.error("grade_stage_mismatch", "classes", int(row), "grade", g, grade=g, stage=s,
                 stage_zh=STAGE.label(s))

    valid = classes.dropna(subset=["school_id", "year", "stage"])
    valid = valid[valid["school_id"].isin(ids)]
    year_rows = {(r["school_id"], r["year"]): r for r in years.dropna(
        subset=["school_id", "year"]).to_dict("records")}
    seen_missing: set[tuple[str, int]] = set()
    for rec in valid.to_dict("records"):
        key = (rec["school_id"], rec["year"])
        if key not in year_rows and key not in seen_missing:
            seen_missing.add(key)
            ck.error("unknown_school_year", "classes", int(rec["_row"]), "year", rec["year"],
                     year=rec["year"])
    grouped = valid.groupby(["school_id", "year", "stage"]).agg(
        count=("size", "size"), total=("size", lambda s: s.sum(min_count=1)),
        missing=("size", lambda s: int(s.isna().sum())))
    for (sid, year, stage), g in grouped.iterrows():
        rec = year_rows.get((sid, year))
        if rec is None:
            continue
        given_classes = rec[f"classes_{stage}"]
        if not _na(given_classes) and given_classes != g["count"]:
            ck.error("classes_count_mismatch", "school_years", int(rec["_row"]),
                     f"classes_{stage}", given_classes, listed=int(g["count"]),
                     given=given_classes, year=year, stage=stage, stage_zh=STAGE.label(stage))
        given_students = rec[f"students_{stage}"]
        if g["missing"] == 0 and not _na(given_students) and given_students != g["total"]:
            ck.error("classes_students_mismatch", "school_years", int(rec["_row"]),
                     f"students_{stage}", given_students, listed=int(g["total"]),
                     given=given_students, year=year, stage=stage, stage_zh=STAGE.label(stage))


def _check_villages(ck: _Checker, villages: pd.DataFrame, schools: pd.DataFrame) -> None:
    if villages.empty:
        return
    pop = villages["population"]
    children = villages["children_primary"].fillna(0) + villages["children_junior"].fillna(0)
    over = (pop.notna() & (children > pop)).fillna(False)
    for row, c, p in zip(villages.loc[over, "_row"], children[over], pop[over], strict=True):
        ck.error("children_exceed_population", "villages", int(row), "population", p,
                 children=int(c), population=int(p))
    _check_coordinates(ck, "villages", villages, _county_centre(schools))


def _check_travel(ck: _Checker, travel: pd.DataFrame, villages: pd.DataFrame,
                  schools: pd.DataFrame, sites: pd.DataFrame) -> None:
    if travel.empty:
        return
    ck.references("travel", travel, "from_id", set(villages["village_id"].dropna()),
                  "unknown_village")
    destinations = set(schools["school_id"].dropna()) | set(sites["site_id"].dropna())
    ck.references("travel", travel, "to_id", destinations, "unknown_destination")
    limit = LIMITS["ratios"]["warn_km"]
    far = (travel["km"] > limit).fillna(False)
    for row, km in zip(travel.loc[far, "_row"], travel.loc[far, "km"], strict=True):
        ck.warn("travel_far", "travel", int(row), "km", km, km=km, limit=limit)


def _check_sites(ck: _Checker, sites: pd.DataFrame, schools: pd.DataFrame) -> None:
    if sites.empty:
        return
    clash = sites["site_id"].isin(set(schools["school_id"].dropna())).fillna(False)
    for row, value in zip(sites.loc[clash, "_row"], sites.loc[clash, "site_id"], strict=True):
        ck.error("site_id_is_school", "sites", int(row), "site_id", value)
    _check_coordinates(ck, "sites", sites, _county_centre(schools))


def _check_county_checks(ck: _Checker, checks: pd.DataFrame) -> None:
    for rec in checks.to_dict("records"):
        key, value, row = rec["key"], rec["value"], int(rec["_row"])
        if _na(key) or _na(value):
            continue
        spec = COUNTY_CHECK_KEYS_BY_KEY.get(key)
        if spec is None:
            ck.warn("check_key_unknown", "county_checks", row, "key", key)
            continue
        if spec.kind == "bool":
            text = str(value).strip().lower()
            if text not in TRUE_WORDS and text not in FALSE_WORDS:
                ck.error("check_bool_invalid", "county_checks", row, "value", value)
            continue
        if spec.key.endswith("_year"):  # basic_balance_certified_year: a possible year
            try:
                _parse_cell(Column(spec.key, spec.zh, "year"), value)
            except _Bad as bad:
                ck.error(bad.rule, "county_checks", row, "value", value, **bad.params)
            continue
        try:
            number = _to_number(value, "type_number")
        except _Bad:
            number = -1.0
        if spec.kind == "rate" and not 0 <= number <= 1:
            ck.error("check_rate_invalid", "county_checks", row, "value", value)
        elif spec.kind in ("money", "number") and number < 0:
            ck.error("check_number_invalid", "county_checks", row, "value", value)


def _check_survey(ck: _Checker, survey: pd.DataFrame) -> None:
    over = (survey["satisfied"] > survey["respondents"]).fillna(False)
    for row, s, r in zip(survey.loc[over, "_row"], survey.loc[over, "satisfied"],
                         survey.loc[over, "respondents"], strict=True):
        ck.error("satisfied_exceed_respondents", "survey", int(row), "satisfied", s,
                 satisfied=s, respondents=r)


def validate_workbook(path: str | Path) -> ValidationReport:
    """Check a census workbook (.xlsx or CSV folder) and return every problem.

    Never raises for bad input; the report's ``ok`` says whether it can be
    imported, and ``tables`` holds the typed tables (cells that failed their
    type are left empty).
    """
    path = Path(path)
    ck = _Checker(path)
    try:
        raw = read_raw(path)
    except FileProblem as problem:
        # the sheet of a file problem (sheet_twice, …) is its name in the file
        ck.issues.append(Issue("error", problem.code, sheet=problem.params.get("sheet"),
                               params=dict(problem.params)))
        return ValidationReport(path, ck.issues, {})
    except (OSError, ValueError) as exc:  # permission denied, odd paths
        ck.error("file_unreadable", path=str(path), detail=str(exc)[:200])
        return ValidationReport(path, ck.issues, {})
    for name in raw.unknown_sheets:
        ck.issues.append(Issue("warning", "sheet_unknown", sheet=name, params={"sheet": name}))
    for sheet in SHEETS:
        try:
            frame = ck.type_sheet(sheet, raw.sheets.get(sheet.key))
            ck.unique(sheet, frame)
        except Exception as exc:  # a bug here must not hide every other problem
            _check_failed(ck, f"type_sheet:{sheet.key}", exc)
            frame = empty_table(sheet)
        ck.tables[sheet.key] = frame
    t = ck.tables
    rules: list[tuple[Any, tuple[str, ...]]] = [
        (_check_schools, ("schools",)),
        (_check_school_years, ("school_years", "schools")),
        (_check_teachers, ("teachers", "schools", "school_years")),
        (_check_classes, ("classes", "schools", "school_years")),
        (_check_villages, ("villages", "schools")),
        (_check_sites, ("sites", "schools")),
        (_check_travel, ("travel", "villages", "schools", "sites")),
        (_check_county_checks, ("county_checks",)),
        (_check_survey, ("survey",)),
    ]
    for check, sheets in rules:
        try:
            check(ck, *(t[key] for key in sheets))
        except Exception as exc:  # a bug in one rule must not hide the other rules' problems
            _check_failed(ck, check.__name__.lstrip("_"), exc)
    ck.issues.sort(key=lambda i: (i.severity != "error", _sheet_order(i.sheet, ck.names),
                                  i.row or 0))
    return ValidationReport(path, ck.issues, ck.tables)


def _check_failed(ck: _Checker, check: str, exc: Exception) -> None:
    ck.issues.append(Issue("error", "check_failed", params={
        "check": check, "detail": f"{type(exc).__name__}: {exc}"[:200]}))


def _sheet_order(name: str | None, names: dict[str, str]) -> int:
    order = {names.get(s.key, s.key): i for i, s in enumerate(SHEETS)}
    return order.get(name, -1) if name is not None else -1
