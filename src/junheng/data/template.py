"""The empty census workbook (普查填报模板) a bureau fills in.

Every sheet and column of the schema, headers in the chosen language with
the other language's name in a cell note, drop-down lists for every
enumeration and yes/no column, and an instructions sheet first.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from junheng.data.schema import COUNTY_CHECK_KEYS, SHEETS, Column, Sheet

_TYPE_WORDS = {
    "id": ("编码(文本)", "code (text)"),
    "text": ("文本", "text"),
    "int": ("整数", "whole number"),
    "float": ("数字", "number"),
    "enum": ("下拉选择", "choose from list"),
    "bool": ("1=是 / 0=否", "1 = yes / 0 = no"),
    "year": ("四位年份", "four-digit year"),
}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_ROWS_WITH_VALIDATION = 5000


def _label(col: Column, lang: str) -> str:
    return col.zh if lang == "zh" else col.key


def _allowed(col: Column, lang: str) -> list[str]:
    if col.enum is not None:
        return [zh if lang == "zh" else key for key, zh in col.enum.values]
    if col.type == "bool":
        return ["1", "0"]
    return []


def _write_instructions(wb: Workbook, lang: str) -> None:
    zh = lang == "zh"
    ws = wb.create_sheet("填表说明" if zh else "instructions")
    intro = (
        [
            "junheng 县域义务教育学校普查工作簿",
            "每个工作表第一行为表头（中文名称或英文字段名均可），从第二行起每行一条记录。",
            "带橙色表头的列为必填列；空白单元格表示“未知”，不会当作 0。",
            "必需工作表：学校基本信息(schools)、学校年度统计(school_years)；其余为可选。",
            "金额单位为元（不是万元），面积单位为平方米，比例填 0–1 之间的小数。",
            "填好后运行 junheng validate 文件名.xlsx 检查，所有问题会一次列出。",
        ]
        if zh
        else [
            "junheng census workbook for a county's compulsory-education schools",
            "Row 1 of each sheet is the header (Chinese label or English key); one record per "
            "row from row 2.",
            "Orange headers are required columns; an empty cell means 'unknown', never 0.",
            "Required sheets: schools, school_years; the others are optional.",
            "Money in yuan (not 10,000 yuan), areas in m², rates as fractions 0-1.",
            "Check the file with `junheng validate FILE.xlsx`: every problem is listed at once.",
        ]
    )
    for line in intro:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    head = (["工作表", "字段名", "中文名称", "类型", "单位", "必填", "可选值", "说明"]
            if zh else ["sheet", "key", "Chinese label", "type", "unit", "required",
                        "allowed values", "notes"])
    ws.append(head)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for sheet in SHEETS:
        for col in sheet.columns:
            required = ("是" if zh else "yes") if col.required else ""
            ws.append([
                sheet.key if not zh else f"{sheet.zh}({sheet.key})",
                col.key,
                col.zh,
                _TYPE_WORDS[col.type][0 if zh else 1],
                col.unit,
                required,
                "、".join(_allowed(col, lang)) if col.type == "enum" else "",
                col.note,
            ])
    ws.append([])
    ws.append(["县级核查数据(county_checks) 的核查项" if zh else "Keys of county_checks"])
    ws[ws.max_row][0].font = Font(bold=True)
    for check in COUNTY_CHECK_KEYS:
        kind = {"rate": ("比例 0–1", "rate 0-1"), "bool": ("是/否", "yes/no"),
                "money": ("金额(元)", "yuan"), "number": ("数值", "number")}[check.kind]
        ws.append(["county_checks", check.key, check.zh, kind[0 if zh else 1]])
    for idx, width in enumerate((26, 34, 28, 14, 8, 6, 60, 40), start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width


def _write_sheet(wb: Workbook, sheet: Sheet, lang: str) -> None:
    ws = wb.create_sheet(sheet.key)
    for idx, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=idx, value=_label(col, lang))
        other = col.key if lang == "zh" else col.zh
        note = f"{other}" + (f"（{col.unit}）" if col.unit else "") + (
            f"\n{col.note}" if col.note else "")
        cell.comment = Comment(note, "junheng")
        cell.font = Font(bold=True)
        cell.fill = _REQUIRED_FILL if col.required else _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(idx)].width = max(10, len(cell.value) * 2 + 2)
        letter = get_column_letter(idx)
        cells = f"{letter}2:{letter}{_ROWS_WITH_VALIDATION}"
        allowed = _allowed(col, lang)
        if allowed:
            dv = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"',
                                allow_blank=True, showErrorMessage=True)
            dv.error = "请从下拉列表中选择" if lang == "zh" else "Choose a value from the list"
            dv.add(cells)
            ws.add_data_validation(dv)
        elif col.type in ("int", "float") and col.min is not None:
            kind = "whole" if col.type == "int" else "decimal"
            dv = DataValidation(type=kind, operator="greaterThanOrEqual",
                                formula1=str(col.min), allow_blank=True, showErrorMessage=True)
            dv.error = "应为不小于 0 的数" if lang == "zh" else "Must be a number >= 0"
            dv.add(cells)
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


def write_template(path: str | Path, lang: str = "zh") -> Path:
    """Write the empty census workbook to ``path`` (.xlsx) and return the path."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    _write_instructions(wb, lang)
    for sheet in SHEETS:
        _write_sheet(wb, sheet, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
