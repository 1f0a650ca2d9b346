"""Excel report (评估结果工作簿): one sheet per table, frozen headers, failures marked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from junheng.evaluate import Evaluation
from junheng.report.tables import all_tables

_FAIL = PatternFill("solid", fgColor="F8CBAD")
_HEAD = PatternFill("solid", fgColor="DDEBF7")
_FAIL_WORDS = ("否", "no")


def write_evaluation_xlsx(ev: Evaluation, path: str | Path, lang: str = "zh") -> Path:
    """Write the evaluation tables to ``path`` (.xlsx)."""
    path = Path(path)
    tables = all_tables(ev, lang)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for title, frame in tables.items():
            frame.to_excel(writer, sheet_name=title, index=False)
            ws = writer.sheets[title]
            ws.freeze_panes = "A2" if title not in ("结论", "Verdict") else None
            # print on A4 landscape, all columns on one page width
            ws.page_setup.paperSize = ws.PAPERSIZE_A4
            ws.page_setup.orientation = "landscape"
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
            ws.print_title_rows = "1:1"
            if frame.empty:
                continue
            ws.auto_filter.ref = ws.dimensions
            for idx, column in enumerate(frame.columns, start=1):
                cell = ws.cell(row=1, column=idx)
                cell.font = Font(bold=True)
                cell.fill = _HEAD
                letter = get_column_letter(idx)
                width = max(len(str(column)) * 2, 10)
                ws.column_dimensions[letter].width = min(width, 60)
                series = frame[column]
                if pd.api.types.is_float_dtype(series):
                    fmt = "0.000" if any(k in str(column) for k in ("系数", "oefficient",
                                                                     "hreshold", "上限")) \
                        else "#,##0.00"
                    for row in range(2, len(frame) + 2):
                        ws.cell(row=row, column=idx).number_format = fmt
                if str(column).startswith(("缺口", "Gap")):
                    ws.conditional_formatting.add(
                        f"{letter}2:{letter}{len(frame) + 1}",
                        CellIsRule(operator="greaterThan", formula=["0"], fill=_FAIL))
                if series.dtype == object and series.isin(_FAIL_WORDS).any():
                    rng = f"{letter}2:{letter}{len(frame) + 1}"
                    ws.conditional_formatting.add(rng, FormulaRule(
                        formula=[f'OR({letter}2="否",{letter}2="no")'], fill=_FAIL))
            ws.column_dimensions["A"].width = 24
            if title in ("结论", "Verdict"):
                ws.column_dimensions["B"].width = 90
                for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
                    row[0].alignment = Alignment(wrap_text=True, vertical="top")
    return path
