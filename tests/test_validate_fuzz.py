"""Property tests: random corruptions of a valid workbook never crash the validator.

Starting from the valid county of ``conftest.py``, hypothesis puts random
values of random types in random cells, deletes and renames columns and
sheets, duplicates rows, shuffles headers and garbles the file's bytes.
Whatever it does, ``validate_workbook`` must return a report (never raise),
the report must be self-consistent and render in Chinese and English.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from conftest import make_valid_tables
from junheng.data.schema import SHEETS, SHEETS_BY_KEY
from junheng.data.validate import ValidationReport, validate_workbook
from junheng.i18n import MESSAGES

# JUNHENG_FUZZ_EXAMPLES=2000 for a long local hunt; the default keeps the file under a minute.
FUZZ = settings(max_examples=int(os.environ.get("JUNHENG_FUZZ_EXAMPLES", "40")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_DTYPES = {"id": "string", "text": "string", "enum": "string", "int": "Int64",
           "year": "Int64", "float": "Float64", "bool": "boolean"}

Sheet = list[Any]  # [name, rows]; rows[0] is the header


# ------------------------------------------------------------------ the workbook as cells


def valid_sheets(lang: str) -> list[Sheet]:
    """The valid county as [sheet name, rows of cells] with zh or en headers."""
    sheets: list[Sheet] = []
    for key, frame in make_valid_tables().items():
        schema = SHEETS_BY_KEY[key]
        header = [schema.column(c).zh if lang == "zh" and c in schema.keys else c
                  for c in frame.columns]
        rows = [[None if v is None or (isinstance(v, float) and v != v) else v for v in row]
                for row in frame.itertuples(index=False, name=None)]
        sheets.append([key, [header, *rows]])
    return sheets


def write_xlsx(sheets: list[Sheet], path: Path) -> Path:
    wb = Workbook(write_only=True)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def write_csv_folder(sheets: list[Sheet], folder: Path, encoding: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
        data = buffer.getvalue().encode(encoding, errors="replace")
        (folder / f"{name}.csv").write_bytes(data)
    return folder


def assert_sound(report: ValidationReport) -> None:
    """Invariants of every report, whatever the input."""
    assert isinstance(report, ValidationReport)
    assert report.ok == (not report.errors)
    assert len(report.errors) + len(report.warnings) == len(report.issues)
    for issue in report.issues:
        assert issue.severity in ("error", "warning")
        assert issue.rule in MESSAGES, issue.rule
        assert issue.rule != "check_failed", issue.describe("en")  # a rule itself crashed
        assert issue.row is None or issue.row >= 1
        if issue.cell is not None:
            match = re.fullmatch(r"([A-Z]{1,3})(\d+)|R(\d+)C\d+", issue.cell)
            assert match and issue.row == int(match.group(2) or match.group(3)), issue
        for lang in ("zh", "en"):
            text = issue.describe(lang)
            assert text and not PLACEHOLDER.search(text), (issue, text)
    for lang in ("zh", "en"):
        assert not PLACEHOLDER.search(report.to_text(lang))
        assert len(report.to_frame(lang)) == len(report.issues)
    if report.tables:  # typed tables keep their declared types whatever the cells held
        assert set(report.tables) == {s.key for s in SHEETS}
        for sheet in SHEETS:
            frame = report.tables[sheet.key]
            for col in sheet.columns:
                assert str(frame[col.key].dtype) == _DTYPES[col.type], (sheet.key, col.key)
    if report.ok:
        assert not report.tables["schools"].empty
        assert report.tables["schools"]["school_id"].notna().all()


# ------------------------------------------------------------------ strategies

# cell text without control characters (which a workbook cannot hold at all)
_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)
_numbers = st.one_of(
    st.integers(-(10**6), 10**6),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([-1, -0.5, 0, 1e15, 1e300, -1e300, 2**53 + 1, 2**63, 1e-300, 120, 121]),
)
_odd_text = st.sampled_from([
    "", " ", "\u3000", "nan", "NaN", "inf", "-inf", "1e999", "-0", "1,2,3", "１２", "十二",
    "12.0", " 12 ", "是", "否", "TRUE", "#N/A", "#DIV/0!", "=1+1", "None", "null", "2025-09-01",
    "primary", "小学", "教学点", "2130000001", "V01", "P01", "T0001", "0x1F", "1_000",
])
_dates = st.one_of(
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2200, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 1, 1)),
    st.times(),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=1000)),
)
cell_values = st.one_of(st.none(), st.booleans(), _numbers, _text, _odd_text, _dates)

_sheet_names = st.one_of(
    st.sampled_from([s.key for s in SHEETS] + [s.zh for s in SHEETS] + ["Sheet1", "说明"]),
    st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=20),
)


@dataclass
class Op:
    kind: str
    a: int = 0
    b: int = 0
    c: int = 0
    value: Any = None


ops = st.one_of(
    st.builds(Op, st.just("set_cell"), st.integers(0, 99), st.integers(0, 99),
              st.integers(0, 99), cell_values),
    st.builds(Op, st.just("delete_column"), st.integers(0, 99), st.integers(0, 99)),
    st.builds(Op, st.just("delete_sheet"), st.integers(0, 99)),
    st.builds(Op, st.just("rename_sheet"), st.integers(0, 99), value=_sheet_names),
    st.builds(Op, st.just("duplicate_row"), st.integers(0, 99), st.integers(0, 99)),
    st.builds(Op, st.just("shuffle_header"), st.integers(0, 99), st.integers(0, 2**32)),
    st.builds(Op, st.just("rename_header"), st.integers(0, 99), st.integers(0, 99),
              value=st.one_of(_text, st.sampled_from([c.zh for s in SHEETS for c in s.columns]),
                              st.none(), _numbers)),
    st.builds(Op, st.just("drop_rows"), st.integers(0, 99), st.integers(0, 2)),
    st.builds(Op, st.just("ragged_row"), st.integers(0, 99),
              value=st.lists(cell_values, max_size=40)),
    st.builds(Op, st.just("blank_row"), st.integers(0, 99), st.integers(0, 99)),
)


def apply(sheets: list[Sheet], op: Op) -> None:
    if not sheets:
        return
    rows = sheets[op.a % len(sheets)][1]
    if op.kind == "delete_sheet":
        del sheets[op.a % len(sheets)]
    elif op.kind == "rename_sheet":
        sheets[op.a % len(sheets)][0] = op.value
    elif not rows:
        return
    elif op.kind == "set_cell":
        row = rows[op.b % len(rows)]
        index = op.c % (len(row) + 2)
        row.extend([None] * (index + 1 - len(row)))
        row[index] = op.value
    elif op.kind == "delete_column":
        index = op.b % max(1, len(rows[0]))
        for row in rows:
            if index < len(row):
                del row[index]
    elif op.kind == "duplicate_row":
        rows.append(list(rows[op.b % len(rows)]))
    elif op.kind == "shuffle_header":
        random.Random(op.b).shuffle(rows[0])
    elif op.kind == "rename_header":
        if rows[0]:
            rows[0][op.b % len(rows[0])] = op.value
    elif op.kind == "drop_rows":
        del rows[[1, 0, len(rows) // 2][op.b]:]
    elif op.kind == "ragged_row":
        rows.append(list(op.value))
    elif op.kind == "blank_row":
        rows.insert(op.b % (len(rows) + 1), [])


def _xlsx_title(name: Any, taken: set[str]) -> str:
    """A title Excel accepts (≤ 31 chars, no []:*?/\\), unique case-insensitively."""
    text = re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31] or "_"
    base, n = text, 1
    while text.lower() in taken:
        text = f"{base[:28]}~{n}"
        n += 1
    taken.add(text.lower())
    return text


def _csv_stem(name: Any) -> str:
    return re.sub(r"[\\/\x00:*?\"<>|]", "_", str(name))[:60] or "_"


# ------------------------------------------------------------------ properties


@FUZZ
@given(corruptions=st.lists(ops, min_size=1, max_size=8),
       lang=st.sampled_from(["zh", "en"]))
def test_random_corruptions_of_a_workbook_never_crash_the_validator(corruptions, lang):
    sheets = valid_sheets(lang)
    for op in corruptions:
        apply(sheets, op)
    taken: set[str] = set()
    sheets = [[_xlsx_title(name, taken), rows] for name, rows in sheets]
    with tempfile.TemporaryDirectory() as tmp:
        if not sheets:
            sheets = [["Sheet1", []]]
        report = validate_workbook(write_xlsx(sheets, Path(tmp) / "county.xlsx"))
    assert_sound(report)


@FUZZ
@given(values=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 99), st.integers(0, 99),
                                 cell_values), min_size=1, max_size=12))
def test_random_cell_values_are_reported_at_their_cell(values):
    """Only cell values change: every problem is located in a known sheet and column."""
    sheets = valid_sheets("zh")
    for s, r, c, value in values:
        rows = sheets[s % len(sheets)][1]
        row = rows[1 + r % (len(rows) - 1)]
        row[c % len(row)] = value
    with tempfile.TemporaryDirectory() as tmp:
        report = validate_workbook(write_xlsx(sheets, Path(tmp) / "county.xlsx"))
    assert_sound(report)
    names = {s.key for s in SHEETS}
    for issue in report.issues:
        if issue.rule == "file_unreadable":  # e.g. an integer too large for the file format
            continue
        assert issue.sheet in names, issue
        if issue.row is not None and issue.row > 1:
            assert issue.column is not None and issue.cell is not None, issue


@FUZZ
@given(corruptions=st.lists(ops, min_size=1, max_size=6),
       encoding=st.sampled_from(["utf-8-sig", "utf-8", "gbk"]),
       lang=st.sampled_from(["zh", "en"]))
def test_random_corruptions_of_a_csv_folder_never_crash_the_validator(corruptions, encoding,
                                                                      lang):
    sheets = valid_sheets(lang)
    for op in corruptions:
        apply(sheets, op)
    sheets = [[_csv_stem(name), rows] for name, rows in sheets]
    with tempfile.TemporaryDirectory() as tmp:
        report = validate_workbook(write_csv_folder(sheets, Path(tmp) / "county", encoding))
    assert_sound(report)


_VALID_XLSX: dict[str, bytes] = {}


def valid_xlsx_bytes() -> bytes:
    if "zh" not in _VALID_XLSX:
        with tempfile.TemporaryDirectory() as tmp:
            _VALID_XLSX["zh"] = write_xlsx(valid_sheets("zh"), Path(tmp) / "v.xlsx").read_bytes()
    return _VALID_XLSX["zh"]


_MAGIC = [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\x00"]


@FUZZ
@given(cut=st.integers(0, 10**6), flips=st.lists(st.tuples(st.integers(0, 10**6),
                                                           st.integers(0, 255)), max_size=20),
       insert=st.binary(max_size=64), prefix=st.sampled_from(_MAGIC),
       suffix=st.sampled_from([".xlsx", ".xls", ".XLSX", "", ".csv", ".txt"]))
def test_garbled_file_bytes_never_crash_the_validator(cut, flips, insert, prefix, suffix):
    data = bytearray(valid_xlsx_bytes())
    for position, byte in flips:
        data[position % len(data)] = byte
    at = cut % (len(data) + 1)
    data = prefix + bytes(data[:at]) + insert + bytes(data[at: at + cut % 997])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"county{suffix}"
        path.write_bytes(data)
        report = validate_workbook(path)
    assert_sound(report)
    if not data.startswith(b"PK"):
        assert not report.ok


@FUZZ
@given(member=st.integers(0, 99), start=st.integers(0, 10**5), length=st.integers(0, 400),
       junk=st.one_of(st.binary(max_size=80),
                      st.text(max_size=40).map(lambda t: t.encode("utf-8")),
                      st.sampled_from([b"<", b"</row>", b"<c r=\"ZZZZ99999999\"><v>1</v></c>",
                                       b"<v>nan</v>", b"<v>1e999</v>", b"t=\"s\"", b"&#0;",
                                       b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\">]>"])))
def test_garbled_xml_inside_a_valid_zip_never_crashes_the_validator(member, start, length,
                                                                    junk):
    """The zip container is intact, the XML of one part (a sheet, styles, strings) is not."""
    source = zipfile.ZipFile(io.BytesIO(valid_xlsx_bytes()))
    names = [n for n in source.namelist() if n.endswith(".xml") or n.endswith(".rels")]
    target = names[member % len(names)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == target:
                at = start % (len(data) + 1)
                data = data[:at] + junk + data[at + length:]
            out.writestr(item, data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "county.xlsx"
        path.write_bytes(buffer.getvalue())
        report = validate_workbook(path)
    assert_sound(report)


@FUZZ
@given(data=st.binary(max_size=400), name=st.sampled_from(["schools", "school_years",
                                                           "teachers", "survey", "学校基本信息"]))
def test_random_bytes_in_a_csv_file_never_crash_the_validator(data, name):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_csv_folder(valid_sheets("zh"), Path(tmp) / "county", "utf-8-sig")
        (folder / f"{name}.csv").write_bytes(data)
        report = validate_workbook(folder)
    assert_sound(report)
