"""User-facing messages in Simplified Chinese (default) and English.

Every message has a code; ``tr(code, lang, **params)`` renders it. Code,
identifiers and logs stay English; what a clerk reads is Chinese by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Msg:
    """A message used as a parameter of another one, rendered in the same language."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return tr(self.code, "zh", **self.params)

MESSAGES: dict[str, tuple[str, str]] = {
    # --- reading the file
    "file_not_found": ("找不到文件：{path}", "File not found: {path}"),
    "file_empty": ("文件是空的（0 字节）：{path}", "The file is empty (0 bytes): {path}"),
    "file_too_large": (
        "文件太大：{mb} MB，超过上限 {limit} MB。请拆分或删除无关工作表后再导入。",
        "The file is too large: {mb} MB, above the limit of {limit} MB. Split it or remove "
        "unrelated sheets.",
    ),
    "file_encrypted": (
        "文件设置了打开密码，无法读取。"
        "请在 Excel 中取消密码（文件→信息→保护工作簿）后另存为 .xlsx。",
        "The workbook is password-protected. Remove the password in Excel and save it as .xlsx.",
    ),
    "file_legacy_xls": (
        "这是旧版 .xls 文件（或已加密）。请在 Excel 中另存为 .xlsx 格式后再导入。",
        "This is a legacy .xls file (or an encrypted one). Save it as .xlsx in Excel and retry.",
    ),
    "file_not_workbook": (
        "不是 Excel 工作簿（.xlsx）：{path}。请使用 junheng template 生成的模板填写。",
        "Not an Excel workbook (.xlsx): {path}. Fill in the template from `junheng template`.",
    ),
    "file_unreadable": (
        "文件已损坏，无法读取：{path}（{detail}）",
        "The file is corrupt and cannot be read: {path} ({detail})",
    ),
    "single_csv": (
        "只给了一个 CSV 文件。"
        "CSV 格式请把各表（schools.csv、school_years.csv…）放在同一文件夹，并给出文件夹路径。",
        "A single CSV file was given. Put one CSV per sheet (schools.csv, school_years.csv, …) "
        "in a folder and pass the folder.",
    ),
    "folder_no_csv": (
        "文件夹中没有 CSV 文件：{path}",
        "The folder holds no CSV files: {path}",
    ),
    "csv_encoding": (
        "CSV 文件编码无法识别（应为 UTF-8 或 GBK）：{path}",
        "Cannot decode the CSV file (expected UTF-8 or GBK): {path}",
    ),
    "sheet_twice": (
        "工作表「{sheet}」与另一个工作表对应同一张表，请删除重复的一个。",
        "Sheet '{sheet}' is a second copy of a table; remove one of them.",
    ),
    "sheet_too_many_rows": (
        "工作表「{sheet}」有 {rows} 行，超过上限 {limit} 行。",
        "Sheet '{sheet}' has {rows} rows, above the limit of {limit}.",
    ),
    "sheet_too_many_cells": (
        "工作表「{sheet}」的使用范围达 {rows} 行 × {columns} 列，超过 {limit} 个单元格的上限。"
        "请删除表格右侧和下方多余的内容（含空格、格式）后再导入。",
        "Sheet '{sheet}' spans {rows} rows x {columns} columns, above the limit of {limit} "
        "cells. Delete stray content (even spaces or formatting) right of and below the table.",
    ),
    # --- sheets and columns
    "sheet_missing": (
        "缺少必需的工作表「{sheet_zh}」（{sheet_key}）。",
        "Required sheet '{sheet_key}' ({sheet_zh}) is missing.",
    ),
    "sheet_unknown": (
        "无法识别的工作表「{sheet}」，已忽略。",
        "Unknown sheet '{sheet}' was ignored.",
    ),
    "sheet_no_header": (
        "工作表是空的，没有表头。",
        "The sheet is empty: no header row.",
    ),
    "sheet_no_rows": (
        "工作表只有表头，没有数据行。",
        "The sheet has a header but no data rows.",
    ),
    "column_missing": (
        "缺少必需的列「{column_zh}」（{column_key}）。",
        "Required column '{column_key}' ({column_zh}) is missing.",
    ),
    "column_unknown": (
        "无法识别的列，已忽略。",
        "Unknown column, ignored.",
    ),
    "column_duplicate": (
        "该列与第 {first} 列是同一字段，请删除其中一列。",
        "This column repeats column {first}; remove one of them.",
    ),
    # --- cells
    "cell_empty": ("必填项为空。", "Required value is empty."),
    "type_int": ("应为整数。", "Must be a whole number."),
    "type_number": ("应为数字。", "Must be a number."),
    "type_year": ("应为四位年份，如 2025。", "Must be a four-digit year such as 2025."),
    "type_bool": ("应为 1（是）或 0（否）。", "Must be 1 (yes) or 0 (no)."),
    "type_text": ("应为文字。", "Must be text."),
    "enum_invalid": (
        "不是允许的取值；可选：{allowed}。",
        "Not an allowed value; allowed: {allowed}.",
    ),
    "negative": ("不能为负数。", "Must not be negative."),
    "below_min": ("不能小于 {min}。", "Must be at least {min}."),
    "above_max": ("不能大于 {max}。", "Must be at most {max}."),
    "year_impossible": (
        "年份不合理：应在 {earliest}–{latest} 之间。",
        "Impossible year: must be between {earliest} and {latest}.",
    ),
    # --- tables
    "duplicate_key": (
        "重复：与第 {first_row} 行的 {columns} 相同。",
        "Duplicate: same {columns} as row {first_row}.",
    ),
    "unknown_school": (
        "学校标识码在「学校基本信息」表中不存在。",
        "This school id is not in the 'schools' sheet.",
    ),
    "unknown_village": (
        "村(社区)编号在「村(社区)」表中不存在。",
        "This village id is not in the 'villages' sheet.",
    ),
    "unknown_destination": (
        "编号既不是学校也不是候选校址。",
        "This id is neither a school nor a candidate site.",
    ),
    "county_mixed": (
        "一个工作簿只能包含一个县区；本表出现了 {count} 个县区代码：{codes}。",
        "One workbook holds one county; this sheet has {count} county codes: {codes}.",
    ),
    "stage_not_offered": (
        "{type_zh}不应有{stage_zh}学生（办学类型与学段不符）。",
        "A school of type {type} cannot have {stage} students (type and stage disagree).",
    ),
    "classes_without_students": (
        "有班级但该学段在校生数为 0。",
        "Classes are reported but the stage has no students.",
    ),
    "students_without_classes": (
        "有在校生但班数为 0 或空。",
        "Students are reported but the number of classes is 0 or empty.",
    ),
    "class_average_impossible": (
        "平均班额 {average} 人，超出 {min}–{max} 人的合理范围。",
        "Average class size {average} is outside the plausible range {min}-{max}.",
    ),
    "class_average_large": (
        "平均班额 {average} 人，超过 {limit} 人，请核实。",
        "Average class size {average} exceeds {limit}; please check.",
    ),
    "subcount_exceeds": (
        "大于该学段专任教师数 {total}。",
        "Larger than the stage's full-time teachers ({total}).",
    ),
    "part_exceeds_whole": (
        "大于「{whole_zh}」{whole}。",
        "Larger than '{whole_key}' ({whole}).",
    ),
    "teachers_without_students": (
        "该学段没有学生却有专任教师 {teachers} 人，请核实。",
        "The stage has {teachers} teachers but no students; please check.",
    ),
    "students_per_teacher_high": (
        "生师比 {ratio}:1，超过 {limit}:1，请核实教师数。",
        "{ratio} pupils per teacher, above {limit}; check the teacher count.",
    ),
    "over_capacity": (
        "在校生 {students} 人，超过设计学位数 {capacity} 的 {factor} 倍，请核实。",
        "{students} pupils exceed {factor} x the design capacity of {capacity}; please check.",
    ),
    "coords_half": (
        "经度和纬度必须同时填写或同时留空。",
        "Longitude and latitude must both be given or both be empty.",
    ),
    "coords_outside_china": (
        "坐标（{lon}, {lat}）不在中国境内{hint}。",
        "Coordinates ({lon}, {lat}) are outside China{hint}.",
    ),
    "hint_coords_swapped": ("（经纬度可能填反了）", " (longitude and latitude look swapped)"),
    "coords_far": (
        "距本县其他学校的中心 {km} km，超过 {limit} km，坐标可能有误。",
        "{km} km from the centre of the county's other schools, beyond {limit} km; the "
        "coordinates are probably wrong.",
    ),
    "coords_far_warning": (
        "距本县其他学校的中心 {km} km（超过 {limit} km），请核实坐标。",
        "{km} km from the centre of the county's schools (more than {limit} km); check the "
        "coordinates.",
    ),
    "school_no_years": (
        "该学校在「学校年度统计」表中没有数据。",
        "This school has no row in 'school_years'.",
    ),
    "teaching_point_no_parent": (
        "教学点未填写所属学校。",
        "The teaching point has no parent school.",
    ),
    "parent_is_self": ("所属学校不能是本校。", "A school cannot be its own parent."),
    # --- teachers
    "teacher_age": (
        "出生年份 {birth_year} 意味着 {age} 岁，超出 {min}–{max} 岁的专任教师范围。",
        "Birth year {birth_year} means age {age}, outside the range {min}-{max} for a "
        "full-time teacher.",
    ),
    "years_exceed_career": (
        "年限 {years} 年超过可能的工作年限（{age} 岁 − {min_age}）。",
        "{years} years exceed the possible career ({age} years old − {min_age}).",
    ),
    "year_before_career": (
        "年份 {year} 早于该教师 {min_age} 岁（出生于 {birth_year}）。",
        "Year {year} is before the teacher turned {min_age} (born {birth_year}).",
    ),
    "year_after_career": (
        "年份 {year} 晚于该教师 {max_age} 岁（出生于 {birth_year}）。",
        "Year {year} is after the teacher turns {max_age} (born {birth_year}).",
    ),
    "retired_on_post": (
        "预计退休年份 {year} 已过，但标记为在岗，请核实。",
        "Retirement year {year} has passed but the teacher is marked on post; please check.",
    ),
    "training_hours_high": (
        "近五年培训 {hours} 学时，超过 {limit}，请核实。",
        "{hours} training hours in five years exceed {limit}; please check.",
    ),
    "teacher_stage_not_offered": (
        "所在学校是{type_zh}，没有{stage_zh}学段。",
        "The school is of type {type} and has no {stage} stage.",
    ),
    "roster_count_mismatch": (
        "与教师名册不一致：名册中{school}在{stage_zh}有 {roster} 人，"
        "此处填 {given}（{year} 学年）。",
        "Disagrees with the teacher roster: the roster has {roster} for school {school}, "
        "stage {stage}, this cell says {given} (year {year}).",
    ),
    # --- classes
    "class_size_range": (
        "班额 {size} 人不在 {min}–{max} 人范围内。",
        "Class size {size} is outside {min}-{max}.",
    ),
    "class_size_large": (
        "超大班额：{size} 人（≥ {limit}）。",
        "Super-large class: {size} pupils (≥ {limit}).",
    ),
    "grade_stage_mismatch": (
        "{grade} 年级不属于{stage_zh}学段。",
        "Grade {grade} is not in the {stage} stage.",
    ),
    "unknown_school_year": (
        "「学校年度统计」表中没有该校 {year} 学年的数据。",
        "'school_years' has no row for this school in {year}.",
    ),
    "classes_count_mismatch": (
        "与班级表不一致：班级表中该校{stage_zh} {year} 学年有 {listed} 个班，此处填 {given}。",
        "Disagrees with the classes sheet: it lists {listed} classes for stage {stage} in "
        "{year}, this cell says {given}.",
    ),
    "classes_students_mismatch": (
        "与班级表不一致：班级表中该校{stage_zh} {year} 学年班额合计 {listed} 人，此处填 {given}。",
        "Disagrees with the classes sheet: its class sizes sum to {listed} for stage {stage} in "
        "{year}, this cell says {given}.",
    ),
    # --- villages, travel, sites
    "children_exceed_population": (
        "适龄儿童 {children} 人多于常住人口 {population} 人。",
        "{children} school-age children exceed the population of {population}.",
    ),
    "travel_far": ("距离 {km} km 超过 {limit} km，请核实。", "{km} km exceeds {limit} km; check."),
    "site_id_is_school": (
        "选址编号与一所现有学校的标识码相同。",
        "The site id equals an existing school's id.",
    ),
    # --- county facts
    "check_key_unknown": (
        "未知的核查项，已保留但不参与评估。",
        "Unknown check key: kept but not used by the evaluation.",
    ),
    "check_rate_invalid": (
        "比例应为 0–1 之间的小数（如 96% 填 0.96）。",
        "A rate must be a fraction between 0 and 1 (96% is 0.96).",
    ),
    "check_bool_invalid": ("应为 是/否（1/0）。", "Must be yes/no (1/0)."),
    "check_number_invalid": ("应为非负数。", "Must be a non-negative number."),
    "satisfied_exceed_respondents": (
        "满意人数 {satisfied} 多于有效样本 {respondents}。",
        "{satisfied} satisfied exceed {respondents} respondents.",
    ),
    "check_failed": (
        "内部错误：校验规则 {check} 未能完成（{detail}）。"
        "其余校验结果仍然有效；请把此文件报告给开发者。",
        "Internal error: validation rule {check} did not complete ({detail}). The other "
        "results stand; please report this file to the developers.",
    ),
    # --- report wording
    "report_ok": ("校验通过：{path}", "Valid: {path}"),
    "report_invalid": ("校验未通过：{path}", "Invalid: {path}"),
    "report_counts": (
        "{errors} 个错误，{warnings} 个警告。",
        "{errors} errors, {warnings} warnings.",
    ),
    "report_errors": ("错误（必须修改）：", "Errors (must be fixed):"),
    "report_warnings": (
        "警告（请核实，不影响导入）：",
        "Warnings (please check; import proceeds):",
    ),
    "report_more": ("……另有 {count} 条同类问题未列出（完整清单见 --report）。",
                    "… {count} more of the same kind (use --report for the full list)."),
    "where_sheet": ("工作表「{sheet}」", "sheet '{sheet}'"),
    "where_row": ("第 {row} 行", "row {row}"),
    "where_column": ("列「{column}」", "column '{column}'"),
    "where_value": ("值「{value}」", "value '{value}'"),
    "where_cell": ("（单元格 {cell}）", " (cell {cell})"),
}


def _param(value: Any, lang: str) -> Any:
    """A nested message in ``lang``; a list joined with the language's separator."""
    if isinstance(value, Msg):
        return tr(value.code, lang, **value.params)
    if isinstance(value, list | tuple):
        return ("、" if lang == "zh" else ", ").join(str(_param(v, lang)) for v in value)
    return value


def render(catalog: dict[str, tuple[str, str]], code: str, lang: str = "zh",
           **params: Any) -> str:
    """Render ``code`` of a (Chinese, English) message catalog in ``lang`` with ``params``."""
    zh, en = catalog[code]
    template = en if lang == "en" else zh
    params = {k: _param(v, lang) for k, v in params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def tr(code: str, lang: str = "zh", **params: Any) -> str:
    """Render validation/reading message ``code`` in ``lang`` ("zh" or "en")."""
    return render(MESSAGES, code, lang, **params)
