"""Reading an uploaded CSV or XLSX file into a ``Table`` whose rows carry their spreadsheet numbers.

CSV cells stay text (converting them is the column's business, which knows Spanish from English
numbers); XLSX cells keep the numbers and dates the workbook holds.
"""

import codecs
import csv
import io
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import openpyxl
import pandas as pd
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from core.imports.bounds import Bounds, ImportFileError, check_archive, check_record, too_many_rows
from core.imports.cells import is_blank
from core.imports.memo import memoised

#: More rows than this is not a census or a series of measurements but a mistake, or an attack
#: (the default of ``IMPORT_MAX_ROWS``).
MAX_ROWS = Bounds.rows
DELIMITERS = (";", ",", "\t", "|")
#: How much of the file the delimiter is judged on.
SNIFF_RECORDS, SNIFF_CHARS = 50, 65536
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
_EXCEL_SEP_LINE = re.compile(r"sep=(.)\r?\n")  # Excel's own hint for the delimiter
_QUOTED_IN_FORMAT = re.compile(r'"[^"]*"|\\.')  # literal text in an Excel number format


@dataclass(frozen=True)
class Row:
    """One non-empty row of the file: its number as the spreadsheet shows it, and its cells by header
    (read-only: the table may be the memoised one another request reads too)."""

    number: int
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Table:
    """The cells of a file under its header row, and how the file was read (shown in the preview).

    Rows and their cells cannot be changed (the memo hands the same ones to every reader of the file);
    each reader gets its own list of headers."""

    headers: list[str]
    rows: tuple[Row, ...]
    kind: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    filename: str = field(default="")

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def cell_frame(self, headers: Mapping[str, str]) -> pd.DataFrame:
        """The cells under ``headers`` (a name for each header), a column each, indexed by spreadsheet row."""
        return pd.DataFrame({name: [row.values[header] for row in self.rows] for name, header in headers.items()},
                            index=pd.Index([row.number for row in self.rows]), dtype=object)


def read_table(data: bytes, filename: str, *, sheet: str | None = None, max_rows: int | None = None,
               bounds: Bounds | None = None) -> Table:
    """Read a CSV or XLSX upload, judged by its bytes; raise ``ImportFileError`` when it cannot be.

    The bounds are the app's settings unless given; the same bytes read lately come from the memo."""
    bounds = replace(bounds or Bounds.current(), **({"rows": max_rows} if max_rows else {}))
    kept = memoised(data, ("table", filename, sheet, bounds), lambda: read_table_once(data, filename, sheet, bounds))
    return replace(kept, headers=list(kept.headers))


def read_table_once(data: bytes, filename: str, sheet: str | None, bounds: Bounds) -> Table:
    """``read_table`` without the memo."""
    if not data.strip():
        raise ImportFileError(_("“%(name)s” is empty.", name=filename))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, filename, sheet, bounds)
    if data.startswith(OLE2_MAGIC):
        raise ImportFileError(_("“%(name)s” is an Excel 97–2003 (.xls) or password-protected workbook, which "
                                "cannot be read. Save it as .xlsx without a password, or as CSV.", name=filename))
    text, encoding = _decode(data, filename)
    delimiter, text = _delimiter(text)
    records = _csv_records(text, delimiter, filename)
    return _table(records, filename, bounds, kind="csv", encoding=encoding, delimiter=delimiter)


def check_table_upload(data: bytes, filename: str, bounds: Bounds | None = None) -> None:
    """Refuse, before it is stored, an upload that is over the bounds: an .xlsx by its archive's directory,
    a CSV by reading its records (without keeping them)."""
    bounds = bounds or Bounds.current()
    if data.startswith(b"PK\x03\x04"):
        check_archive(data, filename, bounds)
        return
    if not data.strip() or data.startswith(OLE2_MAGIC):
        return  # the import says what is wrong with it
    text, _encoding = _decode(data, filename)
    delimiter, text = _delimiter(text)
    for _record in bounded(_csv_records(text, delimiter, filename), filename, bounds):
        pass


# --- CSV -----------------------------------------------------------------------------------------

def _decode(data: bytes, filename: str) -> tuple[str, str]:
    """The text of a CSV and its encoding: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)  # Excel's "Unicode text"
    else:
        # Spanish Windows spreadsheets save cp1252; latin-1 takes the five bytes cp1252 leaves undefined.
        candidates = ("utf-8", "cp1252", "latin-1")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("“%(name)s” is not a CSV or Excel (.xlsx) file.", name=filename))
    _check_is_table_text(text, filename)
    return text, encoding


def _check_is_table_text(text: str, filename: str) -> None:
    """Refuse binary files that happen to decode, and web pages or XML saved under a spreadsheet's name."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f")
    if "\x00" in sample or controls > len(sample) / 100 or sample.startswith(("%PDF", "{\\rtf")):
        raise ImportFileError(_("“%(name)s” is not a CSV or Excel (.xlsx) file.", name=filename))
    if sample.lstrip().startswith("<"):
        raise ImportFileError(_("“%(name)s” is a web page or XML file, not a CSV or .xlsx file. Open it in "
                                "your spreadsheet and save it as .xlsx or CSV.", name=filename))


def _delimiter(text: str) -> tuple[str, str]:
    """The delimiter and the table's text: Excel's ``sep=;`` first line says it and is not a row."""
    hint = _EXCEL_SEP_LINE.match(text)
    if hint:
        return hint[1], text[hint.end():]
    sample = text[:SNIFF_CHARS]
    return max(DELIMITERS, key=lambda candidate: _delimiter_score(sample, candidate)), text  # ties: ";"


def _delimiter_score(text: str, delimiter: str) -> tuple:
    """Best: every row has as many cells as the header, and the header has many."""
    try:
        sample = [r for r in _records_of(text, delimiter, limit=SNIFF_RECORDS) if not _only_delimiters(r)]
    except csv.Error:
        return (False, 0.0, 0)
    if not sample:
        return (False, 0.0, 0)
    width = len(sample[0])
    regular = sum(1 for record in sample if len(record) == width) / len(sample)
    return (width > 1, regular, width)


def _only_delimiters(record: list[str]) -> bool:
    """A spreadsheet's empty row (``;;;``), whichever delimiter the record was split on."""
    return all(not cell.strip(" \t" + "".join(DELIMITERS)) for cell in record)


def _records_of(text: str, delimiter: str, limit: int | None = None) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for count, record in enumerate(reader, start=1):
        yield record
        if limit is not None and count >= limit:
            return


def _csv_records(text: str, delimiter: str, filename: str) -> Iterator[tuple[int, list]]:
    """Each record with its row number: a quoted cell spanning lines is still one spreadsheet row."""
    number = 0
    try:
        for number, record in enumerate(_records_of(text, delimiter), start=1):
            yield number, record
    except csv.Error as error:  # a cell beyond the csv module's size limit, in practice
        raise ImportFileError(_("“%(name)s” could not be read as CSV: row %(row)d is damaged.",
                                name=filename, row=number + 1)) from error


# --- XLSX ----------------------------------------------------------------------------------------

def _read_xlsx(data: bytes, filename: str, sheet: str | None, bounds: Bounds) -> Table:
    names = check_archive(data, filename, bounds)
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise ImportFileError(_("“%(name)s” is an OpenDocument (.ods) file, which cannot be read. Save it as "
                                    ".xlsx or CSV.", name=filename))
        raise ImportFileError(_("“%(name)s” is not a CSV or Excel (.xlsx) file.", name=filename))
    # openpyxl warns about workbook features it drops (data validation, conditional formats…); they
    # do not change the cell values we read, and would only fill the logs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        workbook = _open_workbook(data, filename)
        try:
            worksheet = _worksheet(workbook, sheet, filename)
            return _table(_xlsx_records(worksheet, filename), filename, bounds, kind="xlsx",
                          sheet=worksheet.title)
        finally:
            workbook.close()


def _open_workbook(data: bytes, filename: str):
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged workbook can fail in any of openpyxl's parsers
        raise ImportFileError(_("“%(name)s” is damaged and cannot be read.", name=filename)) from error


def _worksheet(workbook, sheet: str | None, filename: str):
    """The first sheet, or the one named; its used range is recomputed while reading, because some
    programs write a wrong one and openpyxl would stop reading where it says."""
    if sheet is None:
        if not workbook.worksheets:
            raise ImportFileError(_("“%(name)s” has no sheets with cells.", name=filename))
        worksheet = workbook.worksheets[0]
    elif sheet in workbook.sheetnames:
        worksheet = workbook[sheet]
    else:
        raise ImportFileError(_("“%(name)s” has no sheet called “%(sheet)s”. Its sheets: %(sheets)s.",
                                name=filename, sheet=sheet, sheets=", ".join(workbook.sheetnames)))
    worksheet.reset_dimensions()
    return worksheet


def _xlsx_records(worksheet, filename: str) -> Iterator[tuple[int, list]]:
    number = 0
    try:
        for cells in worksheet.iter_rows():
            number = next((c.row for c in cells if getattr(c, "row", None)), number + 1)
            yield number, [_xlsx_value(cell) for cell in cells]
    except ImportFileError:
        raise
    except Exception as error:  # damaged sheet XML, found only while reading it
        raise ImportFileError(_("“%(name)s” is damaged and cannot be read.", name=filename)) from error


def _xlsx_value(cell):
    """A cell's value; one shown as a percentage (0.12 as 12 %) becomes what the user sees: 12."""
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool) and _shows_percent(cell.number_format):
        return float(f"{value * 100:.12g}")
    return value


def _shows_percent(number_format: str | None) -> bool:
    """Whether a number format multiplies by 100: a bare ``%``, not a quoted or escaped one (``0" %"``)."""
    return "%" in _QUOTED_IN_FORMAT.sub("", number_format or "")


# --- both ----------------------------------------------------------------------------------------

def bounded(records: Iterable[tuple[int, list]], filename: str, bounds: Bounds) -> Iterator[tuple[int, list]]:
    """The records, refused as soon as there are more than the bound (the header and blank rows count:
    a sheet of a million empty rows costs as much to read as a full one) or one is too wide or too long."""
    for count, (number, cells) in enumerate(records, start=1):
        if count > bounds.rows + 1:
            raise too_many_rows(filename, bounds)
        check_record(cells, number, filename, bounds)
        yield number, cells


def _table(records: Iterable[tuple[int, list]], filename: str, bounds: Bounds, **how) -> Table:
    """The header (first non-empty row) and the non-empty rows under it, numbered as in the file."""
    header, rows = None, []
    for number, cells in bounded(records, filename, bounds):
        if all(is_blank(cell) for cell in cells):
            continue
        if header is None:
            header = cells
        else:
            rows.append((number, cells))
    if header is None:
        raise ImportFileError(_("“%(name)s” is empty.", name=filename))
    if not rows:
        raise ImportFileError(_("“%(name)s” has a header row but no rows of data under it.", name=filename))
    headers, kept = _headers(header, rows)
    blank = "" if how["kind"] == "csv" else None
    table_rows = tuple(Row(number, MappingProxyType({headers[i]: cells[i] if i < len(cells) else blank for i in kept}))
                       for number, cells in rows)
    return Table(headers=[headers[i] for i in kept], rows=table_rows, filename=filename, **how)


def _headers(header: list, rows: list) -> tuple[list[str], list[int]]:
    """Stripped header names and the positions of the columns to keep; unnamed empty columns go."""
    width = max(len(header), *(len(cells) for _number, cells in rows))
    names = [_header_text(cell) for cell in header] + [""] * (width - len(header))
    unnamed = [i for i, name in enumerate(names) if not name]
    used = [i for i in unnamed if any(i < len(cells) and not is_blank(cells[i]) for _n, cells in rows)]
    if used:
        raise ImportFileError(_("Columns without a name in the header row have values: %(columns)s. The first "
                                "row must hold the name of every column.",
                                columns=", ".join(get_column_letter(i + 1) for i in used)))
    seen, repeated = set(), []
    for name in names:
        if name and name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    if repeated:
        raise ImportFileError(_("More than one column is called %(names)s. Give each column a different name.",
                                names=", ".join(f"“{name}”" for name in repeated)))
    return names, [i for i, name in enumerate(names) if name]


def _header_text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else " ".join(str(cell).split())
