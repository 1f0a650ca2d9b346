"""The validated census (县域学校普查数据) as typed tables.

``load_census(path)`` is the one door from a workbook into the pipeline:
it validates, and either returns a :class:`Census` or raises
:class:`DataError` carrying the full :class:`ValidationReport`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from junheng.data.schema import SHEETS
from junheng.data.validate import ValidationReport, empty_table, validate_workbook


class DataError(ValueError):
    """The workbook is invalid; ``report`` lists every problem (sheet/row/column)."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        first = report.errors[0].describe("en") if report.errors else "invalid workbook"
        super().__init__(f"{len(report.errors)} errors in {report.path}; first: {first}")


@dataclass
class Census:
    """Typed census tables keyed by sheet (English column keys, ``_row`` = Excel row)."""

    tables: dict[str, pd.DataFrame]
    source: Path | None = None
    report: ValidationReport | None = None

    def __getitem__(self, sheet: str) -> pd.DataFrame:
        return self.tables.get(sheet, empty_table(next(s for s in SHEETS if s.key == sheet)))

    def has(self, sheet: str) -> bool:
        """Whether the workbook holds rows for ``sheet``."""
        return sheet in self.tables and not self.tables[sheet].empty

    @property
    def county_code(self) -> str:
        return str(self["schools"]["county_code"].dropna().iloc[0])

    @property
    def county_name(self) -> str:
        return str(self["schools"]["county_name"].dropna().iloc[0])

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self["school_years"]["year"].dropna().unique())


def load_census(path: str | Path) -> Census:
    """Validate and load a census workbook; raise :class:`DataError` when invalid."""
    report = validate_workbook(path)
    if not report.ok:
        raise DataError(report)
    return Census(report.tables, Path(path), report)
