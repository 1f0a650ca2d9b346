"""Reading and writing census workbooks (.xlsx or a folder of CSV files).

Reading returns raw cells with their Excel row numbers, untouched: typing and
checking happen in :mod:`junheng.data.validate`, so every problem can be
reported at once. A file that cannot be read at all raises
:class:`FileProblem` with a message code, never a library traceback.
"""

from __future__ import annotations

import csv
import html
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from junheng.data.limits import LIMITS
from junheng.data.schema import SHEETS, SHEETS_BY_KEY, normalise_header, sheet_lookup

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls or encrypted .xlsx
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")
# Sheets the template adds for people, skipped silently when reading.
INFO_SHEETS = frozenset({"填表说明", "instructions", "说明"})


class FileProblem(Exception):
    """The file cannot be read as a workbook; ``code`` names the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class RawSheet:
    """A sheet as found in the file: header cells and data rows with row numbers."""

    key: str  # the schema key (``schools``)
    name: str  # the name in the file (``学校基本信息`` or ``schools.csv``)
    header: list[Any]
    rows: list[tuple[int, list[Any]]]  # (Excel row number, cells)


@dataclass
class RawWorkbook:
    path: Path
    sheets: dict[str, RawSheet] = field(default_factory=dict)
    unknown_sheets: list[str] = field(default_factory=list)


def _trim(rows: Iterable[list[Any]]) -> list[tuple[int, list[Any]]]:
    """Drop fully empty rows, keeping the Excel row number (header is row 1)."""
    out: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(rows, start=1):
        if any(c is not None and str(c).strip() != "" for c in cells):
            out.append((number, list(cells)))
    return out


def _split_header(name: str, key: str, numbered: list[tuple[int, list[Any]]]) -> RawSheet:
    if not numbered:
        return RawSheet(key, name, [], [])
    (_, header), *rows = numbered
    return RawSheet(key, name, header, rows)


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise FileProblem("file_empty", path=str(path))
    limit = LIMITS["file"]["max_megabytes"]
    if size > limit * 1024 * 1024:
        raise FileProblem("file_too_large", path=str(path), mb=round(size / 2**20, 1), limit=limit)


def _read_xlsx(path: Path) -> RawWorkbook:
    from python_calamine import CalamineWorkbook

    with path.open("rb") as fh:
        head = fh.read(8)
    if head == _CFB_MAGIC:
        data = path.read_bytes()
        if _ENCRYPTION_MARK in data:
            raise FileProblem("file_encrypted", path=str(path))
        raise FileProblem("file_legacy_xls", path=str(path))
    if not head.startswith(_ZIP_MAGIC):
        raise FileProblem("file_not_workbook", path=str(path))
    if not zipfile.is_zipfile(path):  # starts like a workbook but is cut short or damaged
        raise FileProblem("file_unreadable", path=str(path), detail="zip")
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several private error types
        raise FileProblem("file_unreadable", path=str(path), detail=str(exc)[:200]) from exc
    book = RawWorkbook(path)
    names = sheet_lookup()
    max_rows = LIMITS["file"]["max_rows_per_sheet"]
    try:
        parts = _sheet_parts(path)
        for name in wb.sheet_names:
            key = names.get(normalise_header(name))
            if key is None:
                if normalise_header(name) not in INFO_SHEETS:
                    book.unknown_sheets.append(name)
                continue
            if key in book.sheets:
                raise FileProblem("sheet_twice", path=str(path), sheet=name)
            _check_extent(path, name, parts)
            sheet = wb.get_sheet_by_name(name)
            if sheet.height > max_rows:
                raise FileProblem("sheet_too_many_rows", sheet=name, rows=sheet.height,
                                  limit=max_rows)
            rows = sheet.to_python(skip_empty_area=False)
            book.sheets[key] = _split_header(name, key, _trim(rows))
    except FileProblem:
        raise
    except Exception as exc:
        raise FileProblem("file_unreadable", path=str(path), detail=str(exc)[:200]) from exc
    return book


# Calamine builds a dense grid of a sheet's used range before Python sees it: one
# stray cell at XFD1048576 in a 5 KB file asks for 500 GB and aborts the process.
# So the extent of each sheet is measured from the XML stream first.
_ROW_OR_CELL = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*["']([^"']*)["']""")


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> worksheet part of an .xlsx (empty when it cannot be worked out)."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return {}
        book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
        targets[attrs.get("Id")] = target
    parts = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
        attrs = _ATTR.findall(tag)
        name = next((v for k, v in attrs if k == "name"), None)
        rid = next((v for k, v in attrs if k.endswith(":id") or k == "id"), None)
        if name is not None and targets.get(rid) in names:
            parts[html.unescape(name)] = targets[rid]
    return parts


def _col_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def _extent(zf: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """Rows and columns spanned by the cells of a worksheet part, read as a stream."""
    rows = cols = row = col = 0
    tail = b""
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(1 << 20)
            data = tail + chunk
            cut = data.rfind(b"<") if chunk else len(data)
            data, tail = (data[:cut], data[cut:]) if cut >= 0 else (data, b"")
            for match in _ROW_OR_CELL.finditer(data):
                ref = _REF.search(match.group(2))
                if match.group(1) == b"row":
                    row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                    col = 0
                    continue
                if ref and ref.group(1):
                    col = _col_number(ref.group(1))
                    row = int(ref.group(2)) if ref.group(2) else row
                else:
                    col += 1
                rows, cols = max(rows, row), max(cols, col)
            if not chunk:
                return rows, cols


def _check_extent(path: Path, name: str, parts: dict[str, str]) -> None:
    part = parts.get(name)
    if part is None:
        return
    with zipfile.ZipFile(path) as zf:
        rows, cols = _extent(zf, part)
    max_rows = LIMITS["file"]["max_rows_per_sheet"]
    if rows > max_rows:
        raise FileProblem("sheet_too_many_rows", sheet=name, rows=rows, limit=max_rows)
    max_cells = LIMITS["file"]["max_cells_per_sheet"]
    if rows * cols > max_cells:
        raise FileProblem("sheet_too_many_cells", sheet=name, rows=rows, columns=cols,
                          limit=max_cells)


def _decode_csv(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("csv_encoding", path=str(path))


def _read_csv_folder(path: Path) -> RawWorkbook:
    book = RawWorkbook(path)
    names = sheet_lookup()
    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
    if not files:
        raise FileProblem("folder_no_csv", path=str(path))
    max_rows = LIMITS["file"]["max_rows_per_sheet"]
    for file in files:
        key = names.get(normalise_header(file.stem))
        if key is None:
            book.unknown_sheets.append(file.name)
            continue
        if key in book.sheets:
            raise FileProblem("sheet_twice", path=str(path), sheet=file.name)
        if file.stat().st_size:
            _check_size(file)
        text = _decode_csv(file)
        try:
            rows = list(csv.reader(io.StringIO(text)))
        except csv.Error as exc:
            raise FileProblem("file_unreadable", path=str(file), detail=str(exc)[:200]) from exc
        if len(rows) > max_rows:
            raise FileProblem("sheet_too_many_rows", sheet=file.name, rows=len(rows),
                              limit=max_rows)
        book.sheets[key] = _split_header(file.name, key, _trim(rows))
    return book


def read_raw(path: str | Path) -> RawWorkbook:
    """Read a workbook (.xlsx) or a folder of CSV files into raw cells.

    Raises :class:`FileProblem` for anything that is not a readable workbook:
    missing, empty, too large, password-protected, legacy ``.xls``, corrupt.
    """
    path = Path(path)
    if not path.exists():
        raise FileProblem("file_not_found", path=str(path))
    if path.is_dir():
        return _read_csv_folder(path)
    _check_size(path)
    if path.suffix.lower() == ".csv":
        raise FileProblem("single_csv", path=str(path))
    return _read_xlsx(path)


# ---------------------------------------------------------------- writing


def _header(sheet_key: str, column: str, lang: str) -> str:
    if lang != "zh":
        return column
    try:
        return SHEETS_BY_KEY[sheet_key].column(column).zh
    except KeyError:
        return column  # extra columns (projections) keep their key


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | Path, lang: str = "zh") -> Path:
    """Write census tables (English column keys) as an .xlsx workbook or a CSV folder.

    A path ending in ``.xlsx`` gives a workbook with one sheet per table, in
    the schema's order; any other path is a folder of ``<sheet>.csv`` files.
    Headers are the Chinese labels for ``lang="zh"``, the keys otherwise.
    """
    path = Path(path)
    order = [s.key for s in SHEETS if s.key in tables]
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.comments import Comment

        wb = Workbook(write_only=False)
        wb.remove(wb.active)
        for key in order:
            frame = tables[key]
            ws = wb.create_sheet(key)
            ws.append([_header(key, c, lang) for c in frame.columns])
            for col_idx, column in enumerate(frame.columns, start=1):
                ws.cell(row=1, column=col_idx).comment = Comment(column, "junheng")
            for row in frame.itertuples(index=False, name=None):
                ws.append([_cell(v) for v in row])
            ws.freeze_panes = "A2"
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
        return path
    path.mkdir(parents=True, exist_ok=True)
    for key in order:
        frame = tables[key]
        out = frame.rename(columns={c: _header(key, c, lang) for c in frame.columns})
        out.to_csv(path / f"{key}.csv", index=False, encoding="utf-8-sig")
    return path
