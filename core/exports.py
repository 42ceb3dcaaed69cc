"""Tables as downloads (CSV or Excel): the one export helper every module uses.

A view builds a ``pandas.DataFrame`` whose columns already carry the reader's (translated) headers and
returns ``export_response(frame, _("clients"), request.args.get("format", "csv"))``. The frame's index
is not written: reset it first if it means something.

- **Formula injection.** A text cell (or header) starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return would be run as a formula by Excel or LibreOffice. It gets a leading ``'`` and is then
  shown as text (the OWASP "CSV injection" advice). Numbers, dates and booleans are left as they are, so a
  negative number stays a number, and so does text that is only a signed number (``"-5"``, as a cell of an
  import's problems report shows it); only text such as ``"-5 days"`` or ``"=SUM(A1)"`` changes.
- **CSV for the reader's Excel.** UTF-8 with a byte-order mark (without it Excel reads UTF-8 as
  Windows-1252 and mangles accents), CRLF line ends. Spanish readers get ``;`` between fields and a
  decimal comma (``1234,5``), which is what Excel set to Spanish expects when it opens a CSV; everyone
  else gets ``,`` and a decimal point. Dates are written ISO-style (``2024-03-01``), which both read.
- **XLSX** through openpyxl: a bold, frozen header row with a filter, columns as wide as their content
  (within limits), numbers and dates as real Excel values, times in the reader's time zone.
"""

import io
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from numbers import Number
from urllib.parse import quote

import numpy as np
import pandas as pd
from flask import Response, has_app_context
from flask_babel import get_locale, get_timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from werkzeug.exceptions import NotFound

MIMETYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8"
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: What a spreadsheet may take as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A signed number written as text (``-5``, ``+1.234,56``): a spreadsheet reads the number, and runs nothing.
SIGNED_NUMBER = re.compile(r"[+-][0-9.,]*[0-9][0-9.,]*")
#: CSV field delimiter and decimal separator per language; Spanish Excel splits on ";" and reads "1,5".
CSV_SEPARATORS = {"es": (";", ","), "en": (",", ".")}
#: Values written as they are: the spreadsheet keeps them as numbers, dates and booleans.
PLAIN_VALUES = (Number, Decimal, date, time, timedelta)
#: Characters that cannot be in a file name on common systems, or in a header.
UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
#: Excel refuses longer cell texts and wider columns are unreadable.
MAX_CELL_TEXT, MIN_WIDTH, MAX_WIDTH = 32767, 8, 60


def export_response(frame: pd.DataFrame, filename_stem: str, fmt: str, *, locale=None) -> Response:
    """``frame`` as a CSV or XLSX attachment named ``filename_stem.fmt``; another ``fmt`` is a 404.

    ``locale`` (``"es"``, ``"en"``) defaults to the reader's language and chooses the CSV separators."""
    if fmt not in MIMETYPES:
        raise NotFound()
    frame = neutralise_frame(_in_reader_time_zone(frame))
    stem = safe_filename_stem(filename_stem)
    body = _csv_bytes(frame, _language(locale)) if fmt == "csv" else _xlsx_bytes(frame, stem)
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers.set("Content-Disposition", "attachment", **_filename_options(f"{stem}.{fmt}"))
    response.headers["Cache-Control"] = "private, no-store"  # exports hold people's data
    return response


def neutralise(value):
    """Text that a spreadsheet would run as a formula, made inert with a leading ``'``; the rest unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose headers and text cells are neutralised; anything that is not a number, a date, a
    boolean or missing becomes text first (enums, objects), so nothing escapes the check."""
    frame = frame.copy()
    frame.columns = [neutralise(str(name)) for name in frame.columns]
    for index in range(frame.shape[1]):
        column = frame.iloc[:, index]
        if _is_text(column):
            frame.isetitem(index, column.astype(object).map(_as_cell_text))
    return frame


def safe_filename_stem(stem: str) -> str:
    """The stem without path separators, quotes or control characters (accents are kept)."""
    return UNSAFE_NAME.sub("-", str(stem)).strip(" .-") or "export"


def _is_text(column: pd.Series) -> bool:
    types = pd.api.types
    return not (types.is_numeric_dtype(column) or types.is_bool_dtype(column)
                or types.is_datetime64_any_dtype(column) or types.is_timedelta64_dtype(column))


def _as_cell_text(value):
    if value is None or isinstance(value, (bool, *PLAIN_VALUES)) or _is_missing(value):
        return value
    return neutralise(str(value))


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers
        return False


def _language(locale) -> str:
    if locale is None and has_app_context():
        locale = get_locale()
    language = str(locale or "").replace("-", "_").split("_")[0].lower()
    return language if language in CSV_SEPARATORS else "en"


def _in_reader_time_zone(frame: pd.DataFrame) -> pd.DataFrame:
    """Time-zone-aware columns as the reader's wall-clock time (spreadsheets have no time zones)."""
    frame = frame.copy()
    for index in range(frame.shape[1]):
        column = frame.iloc[:, index]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            frame.isetitem(index, column.dt.tz_convert(_reader_time_zone()).dt.tz_localize(None))
    return frame


def _filename_options(name: str) -> dict:
    """``filename`` (ASCII, for old clients) and, when the name has accents, ``filename*`` (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    if ascii_name == name:
        return {"filename": name}
    return {"filename": ascii_name, "filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")}


def _reader_time_zone():
    """Flask-Babel's time zone for the reader (the installation's default outside requests); UTC outside apps."""
    return get_timezone() if has_app_context() else UTC


def _csv_bytes(frame: pd.DataFrame, language: str) -> bytes:
    delimiter, decimal = CSV_SEPARATORS[language]
    if decimal != ".":
        frame = _with_decimal_in_text_columns(frame, decimal)
    text = frame.to_csv(index=False, sep=delimiter, decimal=decimal, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _with_decimal_in_text_columns(frame: pd.DataFrame, decimal: str) -> pd.DataFrame:
    """pandas writes ``decimal`` only in float columns; mixed columns (Decimal from SQL, say) need it too."""
    def convert(value):
        if isinstance(value, (float, Decimal)) and not _is_missing(value):
            return str(value).replace(".", decimal)
        return value

    frame = frame.copy()
    for index in range(frame.shape[1]):
        if frame.iloc[:, index].dtype == object:
            frame.isetitem(index, frame.iloc[:, index].map(convert))
    return frame


def _xlsx_bytes(frame: pd.DataFrame, title: str) -> bytes:
    frame = _dates_without_midnight(frame)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31].replace("[", "(").replace("]", ")"))
    sheet.freeze_panes = "A2"
    for index, width in enumerate(_column_widths(frame), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if frame.shape[1]:
        sheet.auto_filter.ref = f"A1:{get_column_letter(frame.shape[1])}{len(frame) + 1}"
    sheet.append([_header_cell(sheet, name) for name in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet, name: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_xlsx_value(name))
    cell.font = Font(bold=True)
    return cell


def _dates_without_midnight(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns that only hold days become dates, so Excel does not show "00:00:00" everywhere."""
    frame = frame.copy()
    for index in range(frame.shape[1]):
        column = frame.iloc[:, index]
        if pd.api.types.is_datetime64_any_dtype(column):
            present = column.dropna()
            if (present == present.dt.normalize()).all():
                frame.isetitem(index, column.dt.date.astype(object))
    return frame


def _column_widths(frame: pd.DataFrame) -> list[float]:
    """Roughly the longest text of each column, headers included, within limits."""
    widths = []
    for index, name in enumerate(frame.columns):
        longest = frame.iloc[:, index].dropna().astype(str).str.len().max() if len(frame) else 0
        longest = max(len(str(name)), 0 if pd.isna(longest) else int(longest))
        widths.append(float(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)))
    return widths


def _xlsx_value(value):
    """A cell value openpyxl writes faithfully: None for missing, plain Python numbers and dates, clean text."""
    if value is None or _is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    elif isinstance(value, np.generic):  # numpy numbers and booleans
        value = value.item()
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(_reader_time_zone()).replace(tzinfo=None)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL_TEXT]
    return value


def table_response(headers, rows, filename_stem: str, fmt: str) -> Response:
    """``rows`` (tuples in the order of ``headers``, the reader's translated column names) as a CSV or XLSX
    attachment: what a list's export view returns once it has read the rows its filters match."""
    return export_response(pd.DataFrame(list(rows), columns=list(headers)), filename_stem, fmt)
