"""The same import, column at a time: for files of tens of thousands of rows (a client census).

``read_frame`` and ``parse_frame`` give what ``read_table`` and ``parse`` give — the same row numbers,
the same conversions and the same messages — but convert a column at a time: numbers are judged once
per distinct *shape* of cell (``9.999,99``), plain numbers and the usual dates are read by numpy, text
is measured, choices are looked up once per distinct spelling. Only the cells that do not fit go
through the per-cell converters of ``cells``, so the messages are word for word those of ``parse``
(``tests/test_core_import_frames.py`` holds both paths to that, cell for cell).

``bulk_execute``, ``driver_rows`` and ``indexes_deferred`` write and read the 10⁵ rows of such an
import without a Python object per row in SQLAlchemy.

    table = read_frame(data, filename)
    result = parse_frame(table, spec, mapping)
    ...importer's checks: result.reject(...) / result.reject_rows(mask, field, messages)...
    if result.ok: save result.accepted()   # a DataFrame of typed values, indexed by spreadsheet row
"""

import csv
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter
from sqlalchemy import insert

from core.imports import cells as cell_rules
from core.imports.bounds import Bounds, check_record, too_many_rows
from core.imports.cells import InvalidCell, is_blank
from core.imports.memo import memoised
from core.imports.reading import ImportFileError, _decode, _delimiter, read_table_once
from core.imports.result import ParsedRow, RowError, _check_mapping
from core.imports.spec import Column, ImportSpec


@dataclass
class FrameTable:
    """The cells of a file under its header row, one column per header, indexed by spreadsheet row."""

    headers: list[str]
    frame: pd.DataFrame
    kind: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    filename: str = ""

    @property
    def row_count(self) -> int:
        return len(self.frame)


def read_frame(data: bytes, filename: str, *, sheet: str | None = None, max_rows: int | None = None,
               bounds: Bounds | None = None) -> FrameTable:
    """``read_table`` for large files: CSV through pandas' C parser; XLSX and irregular CSV the usual way.

    The same bytes read lately come from the memo, each caller with its own copy of the frame."""
    bounds = replace(bounds or Bounds.current(), **({"rows": max_rows} if max_rows else {}))
    kept = memoised(data, ("frame", filename, sheet, bounds), lambda: _read_frame(data, filename, sheet, bounds))
    return replace(kept, headers=list(kept.headers), frame=kept.frame.copy())


def _read_frame(data: bytes, filename: str, sheet: str | None, bounds: Bounds) -> FrameTable:
    if not data.strip() or data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        return _from_table(read_table_once(data, filename, sheet, bounds))
    text, encoding = _decode(data, filename)
    delimiter, table_text = _delimiter(text)
    if table_text.count(delimiter, 0, table_text.find("\n")) >= bounds.columns:
        # pandas would make a frame as wide as the first line; the row-by-row reader refuses it first.
        return _from_table(read_table_once(data, filename, sheet, bounds))
    # UTF-8 as it came (the parser's own encoding: no copy of the text); anything else as decoded.
    source = io.BytesIO(data) if encoding.startswith("utf-8") and table_text is text else io.StringIO(table_text)
    try:
        # One row past the bound is enough to refuse the file; a million empty rows are never read.
        raw = pd.read_csv(source, sep=delimiter, header=None, dtype=str, keep_default_na=False, na_filter=False,
                          skip_blank_lines=False, quoting=csv.QUOTE_MINIMAL, engine="c", nrows=bounds.rows + 2,
                          encoding=encoding if isinstance(source, io.BytesIO) else None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error):
        # Rows wider than the first one, or damaged quoting: the row-by-row reader says precisely what.
        return _from_table(read_table_once(data, filename, sheet, bounds))
    if len(raw) > bounds.rows + 1:
        raise too_many_rows(filename, bounds)
    for name in raw.columns:
        if raw[name].hasnans:  # cells missing from rows shorter than the header
            raw[name] = raw[name].fillna("")
    raw.index = np.arange(1, len(raw) + 1)
    _check_cell_lengths(raw, filename, bounds)
    return _frame_table(raw, filename, kind="csv", encoding=encoding, delimiter=delimiter)


def _check_cell_lengths(raw: pd.DataFrame, filename: str, bounds: Bounds) -> None:
    """The cell bound of ``check_record``, a column at a time; the row-by-row check names the row."""
    for position in range(raw.shape[1]):
        lengths = raw.iloc[:, position].str.len()
        if lengths.max() > bounds.cell_chars:
            number = int(lengths.idxmax())
            check_record(raw.loc[number].tolist(), number, filename, bounds)


def _from_table(table) -> FrameTable:
    frame = pd.DataFrame({header: [row.values[header] for row in table.rows] for header in table.headers},
                         index=[row.number for row in table.rows], columns=list(table.headers), dtype=object)
    return FrameTable(list(table.headers), frame, kind=table.kind, encoding=table.encoding, delimiter=table.delimiter,
                      sheet=table.sheet, filename=table.filename)


def _frame_table(raw: pd.DataFrame, filename: str, **how) -> FrameTable:
    """Header = first non-blank row; keep the non-blank rows under it; the checks of ``read_table``."""
    filled = _filled_rows(raw)
    if not filled.any():
        raise ImportFileError(_("“%(name)s” is empty.", name=filename))
    header_position = int(filled.argmax())
    header_number = raw.index[header_position]
    body_positions = np.flatnonzero(filled)[1:]
    if not len(body_positions):
        raise ImportFileError(_("“%(name)s” has a header row but no rows of data under it.", name=filename))
    names = [" ".join(str(cell).split()) for cell in raw.loc[header_number]]
    unnamed = [i for i, name in enumerate(names) if not name]
    used = [i for i in unnamed if any(cell.strip() for cell in raw.iloc[body_positions, i].tolist())]
    if used:
        raise ImportFileError(_("Columns without a name in the header row have values: %(columns)s. The first "
                                "row must hold the name of every column.",
                                columns=", ".join(get_column_letter(i + 1) for i in used)))
    repeated = list(dict.fromkeys(name for i, name in enumerate(names) if name and name in names[:i]))
    if repeated:
        raise ImportFileError(_("More than one column is called %(names)s. Give each column a different name.",
                                names=", ".join(f"“{name}”" for name in repeated)))
    kept = [i for i, name in enumerate(names) if name]
    frame = raw.iloc[body_positions, kept]
    frame.columns = [names[i] for i in kept]
    return FrameTable([names[i] for i in kept], frame, filename=filename, **how)


def _filled_rows(raw: pd.DataFrame) -> np.ndarray:
    """Which rows have a cell with something in it. Column by column, looking only at the rows with
    nothing so far: in most files the first column fills almost every row and the rest is not read."""
    empty = np.ones(len(raw), dtype=bool)
    for position in range(raw.shape[1]):
        rows = np.flatnonzero(empty)
        if not len(rows):
            break
        cells = raw.iloc[:, position].tolist() if len(rows) == len(raw) else raw.iloc[rows, position].tolist()
        empty[rows[np.fromiter(map(bool, map(str.strip, cells)), dtype=bool, count=len(rows))]] = False
    return ~empty


# --- parsing -------------------------------------------------------------------------------------

@dataclass
class FrameResult:
    """What ``parse_frame`` found: typed values for every row, and every problem, by spreadsheet row."""

    spec: ImportSpec
    mapping: dict[str, str | None]
    values: pd.DataFrame
    cells: pd.DataFrame
    _errors: list[tuple] = field(default_factory=list, repr=False)
    _sorted: list[RowError] | None = field(default=None, repr=False)
    _rejected: set = field(default_factory=set, repr=False)

    # The interface of ``ImportResult`` the templates and reports use.
    @property
    def errors(self) -> list[RowError]:
        if self._sorted is None:
            self._sorted = [error for *_key, error in sorted(self._errors, key=lambda item: item[:2])]
        return self._sorted

    @property
    def ok(self) -> bool:
        return not self._errors

    @property
    def rejected_count(self) -> int:
        return len(self._rejected)

    @property
    def accepted_count(self) -> int:
        return len(self.values) - len(self._rejected)

    @property
    def total(self) -> int:
        return len(self.values)

    @property
    def columns(self) -> list[Column]:
        return [column for column in self.spec.columns if self.mapping.get(column.field)]

    def errors_by_row(self) -> dict[int, list[RowError]]:
        grouped: dict[int, list[RowError]] = {}
        for error in self.errors:
            grouped.setdefault(error.row, []).append(error)
        return grouped

    def accepted_mask(self) -> pd.Series:
        return ~self.values.index.isin(list(self._rejected))

    def accepted(self) -> pd.DataFrame:
        """The typed values of the rows without problems, in file order."""
        return self.values.loc[self.accepted_mask()]

    def preview(self, limit: int = 20) -> list[ParsedRow]:
        head = self.accepted().head(limit)
        return [ParsedRow(int(number), {name: _plain(value) for name, value in row.items()})
                for number, row in head.iterrows()]

    def reject(self, row_number: int, column: str | None, field: str | None, value, message: str) -> None:
        """Record a problem the importer found; the row is not saved. Reported after the cell problems."""
        if row_number not in self.values.index:
            raise KeyError(f"row {row_number} is not part of this import")
        self._add(int(row_number), 10_000 + len(self._errors), RowError(int(row_number), column, field, value,
                                                                         str(message)))

    def reject_field(self, row_number: int, field: str, message: str) -> None:
        value = self.cells.at[row_number, field] if field in self.cells.columns else None
        self.reject(row_number, self.mapping.get(field), field, value, message)

    def reject_rows(self, mask, field: str, messages) -> None:
        """``reject_field`` for every row where ``mask`` holds; ``messages`` a string or a Series by row."""
        for number in self.values.index[np.asarray(mask, dtype=bool)]:
            message = messages if isinstance(messages, str) else messages.loc[number]
            self.reject_field(number, field, message)

    def _add(self, row: int, order: int, error: RowError) -> None:
        self._errors.append((row, order, error))
        self._rejected.add(row)
        self._sorted = None


def _plain(value):
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    return value.item() if isinstance(value, np.generic) else value


def parse_frame(table: FrameTable, spec: ImportSpec, mapping: Mapping[str, str | None]) -> FrameResult:
    """``parse``, a column at a time: every cell converted, every cell that does not fit reported."""
    mapping = {column.field: mapping.get(column.field) or None for column in spec.columns}
    _check_mapping(table, spec, mapping)
    fields = [column.field for column in spec.columns if mapping[column.field]]
    cells = pd.DataFrame({name: table.frame[mapping[name]] for name in fields}, index=table.frame.index)
    values = pd.DataFrame(index=table.frame.index)
    result = FrameResult(spec, mapping, values, cells)
    for order, column in enumerate(spec.columns):
        if not mapping[column.field]:
            values[column.field] = None
            continue
        converted, problems = convert_column(column, cells[column.field])
        values[column.field] = converted
        for number, message in problems.items():
            result._add(int(number), order, RowError(int(number), mapping[column.field], column.field,
                                                     cells.at[number, column.field], message))
    return result


def convert_column(column: Column, series: pd.Series) -> tuple[pd.Series, dict]:
    """A column's typed values (None where blank or wrong) and the message for each cell that does not fit."""
    # Plain lists: ``map`` would infer a dtype (a column of XLSX dates would turn into Timestamps).
    raw = series.tolist()
    count, numbers = len(raw), series.index
    if set(map(type, raw)) <= {str}:  # a CSV column: text only
        texts = list(map(str.strip, raw))
        is_text = np.fromiter(map(bool, texts), dtype=bool, count=count)
        blank = ~is_text
    else:
        texts = [value.strip() if isinstance(value, str) else value for value in raw]
        blank = np.fromiter((value is None or value == "" for value in texts), dtype=bool, count=count)
        is_text = np.fromiter((isinstance(value, str) for value in texts), dtype=bool, count=count) & ~blank
    problems: dict = {}
    out = np.empty(count, dtype=object)
    out[:] = False if column.kind == "boolean" else None
    if column.required and column.kind != "boolean":
        problems.update(dict.fromkeys(numbers[blank], _("A value is required.")))
    positions = np.flatnonzero(is_text)
    text_cells = texts if len(positions) == count else [texts[i] for i in positions]
    converted, valid, scalar = _convert_texts(column, text_cells)
    out[positions[valid]] = converted[valid]
    for position in positions[~valid]:  # only the cells that do not fit: the per-cell converter says why
        problems[numbers[position]] = _message(scalar, texts[position])
    for position in np.flatnonzero(~blank & ~is_text):  # typed XLSX cells: one at a time (few files, few cells)
        try:
            out[position] = scalar(texts[position])
        except InvalidCell as error:
            problems[numbers[position]] = str(error)
    return pd.Series(out, index=numbers, dtype=object), problems


def _message(scalar, value) -> str:
    try:
        scalar(value)
    except InvalidCell as error:
        return str(error)
    return _("“%(value)s” is not valid.", value=cell_rules.quoted(value))  # not reached: both paths agree


def _convert_texts(column: Column, texts: list[str]) -> tuple[np.ndarray, np.ndarray, object]:
    """(typed values, which are valid, the per-cell converter) for a column's stripped, non-blank text cells.

    The column as a whole decides what its cells mean (the decimal separator; whether dates are day
    first), as ``cells`` does; the per-cell converter is set the same way, for the messages."""
    if column.kind in ("number", "integer"):
        return _numbers(column, texts)
    if column.kind == "date":
        return _dates(texts)
    scalar = column._kind_converter([])
    if column.kind == "text":
        if column.max_length:
            valid = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) <= column.max_length
        else:
            valid = np.ones(len(texts), dtype=bool)
        return _objects(texts), valid, scalar
    return (*_by_distinct_value(texts, scalar), scalar)  # choices and yes/no: few distinct spellings


def _objects(values) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


# --- numbers: each cell's *shape* (digits written as 9) decides how it reads --------------------------

_COMMA, _POINT = cell_rules._NUMBER_PATTERNS[","], cell_rules._NUMBER_PATTERNS["."]
_ASCII_DIGITS_AS_NINE = str.maketrans("012345678", "999999999")
#: Plain cells (ASCII digits, ``.``, ``,`` and a leading sign) up to this long are read by numpy.
_PLAIN_WIDTH, _PLAIN_DIGITS = 24, 15
_PLAIN_SYMBOLS = "9.,+-"
_POWERS_OF_TEN = np.array([float(10 ** k) for k in range(_PLAIN_DIGITS + 1)])  # each exact
_SYMBOL_OF = np.zeros(128, dtype=np.int8)  # code point → 1 + index in _PLAIN_SYMBOLS (digits: 1), else 0
for _index, _characters in enumerate(("0123456789", ".", ",", "+", "-"), start=1):
    _SYMBOL_OF[[ord(character) for character in _characters]] = _index


def _numbers(column: Column, texts: list[str]) -> tuple[np.ndarray, np.ndarray, object]:
    """Numbers as ``cells.number_converter`` reads them, without two regular expressions per cell.

    Whether a cell fits the comma or the point notation, and what cleaning (spaces, ``€``, ``%``) it
    needs, depends only on where its digits are, not on which digits they are: so each distinct
    *shape* (``1.234,56`` → ``9.999,99``) is judged once, with the same patterns and the same cleaning
    as the per-cell converter, and a column has a handful of shapes. Plain cells get their shapes from
    numpy (``_plain_numbers``); the others from ``str.translate``.

    The cells that fit are converted as the per-cell converter does: with Python's ``float`` (or
    ``Decimal`` for whole numbers), except plain cells of up to 15 digits, whose value numpy computes
    as their digits (an integer below 2⁵³, exact as a float) divided by a power of ten (exact up to
    10²²): one correctly rounded division, the same float as Python's correctly rounded ``float()``."""
    count = len(texts)
    plain = _plain_numbers(texts)
    others = np.ones(count, dtype=bool)
    others[plain.positions] = False
    others = np.flatnonzero(others)
    other_codes, other_shapes = pd.factorize(np.array(
        [texts[i].translate(_ASCII_DIGITS_AS_NINE) for i in others], dtype=object))
    shapes = [*plain.shapes, *other_shapes]
    judged = [_judge_shape(shape) for shape in shapes]
    untouched = np.array([cleaned == shape for shape, (cleaned, _fits) in zip(shapes, judged, strict=True)],
                         dtype=bool)
    fits = {separator: np.array([fit[separator] for _cleaned, fit in judged], dtype=bool)
            for separator in (",", ".")}
    shape_of = np.empty(count, dtype=np.int64)
    shape_of[plain.positions] = plain.shape_of
    shape_of[others] = len(plain.shapes) + other_codes
    tally = np.bincount(shape_of, minlength=len(shapes))
    votes = {separator: int(tally[fits[separator] & ~fits["." if separator == "," else ","]].sum())
             for separator in (",", ".")}
    decimal = "." if votes["."] > votes[","] else ","
    group = "." if decimal == "," else ","
    scalar = (cell_rules.number_converter if column.kind == "number" else cell_rules.integer_converter)(
        [], column.minimum, column.maximum, default=decimal)
    fitting = fits[decimal][shape_of]
    values, valid = _objects([None] * count), np.zeros(count, dtype=bool)
    if column.kind == "number":
        floats = np.full(count, np.nan)
        by_numpy = fits[decimal][plain.shape_of]
        floats[plain.positions[by_numpy]] = plain.values(by_numpy, decimal)
        done = np.zeros(count, dtype=bool)
        done[plain.positions[by_numpy]] = True
        by_python = np.flatnonzero(fitting & ~done)
        floats[by_python] = [float(_python_number(texts[i], untouched[shape_of[i]], group, decimal))
                             for i in by_python]
        with np.errstate(invalid="ignore"):
            ok = fitting & np.isfinite(floats)
            if column.minimum is not None:
                ok &= floats >= column.minimum
            if column.maximum is not None:
                ok &= floats <= column.maximum
        values[ok] = floats[ok].tolist()
        return values, ok, scalar
    for position in np.flatnonzero(fitting):
        exact = Decimal(_python_number(texts[position], untouched[shape_of[position]], group, decimal))
        if exact != exact.to_integral_value():
            continue
        number = int(exact)
        if (column.minimum is None or number >= column.minimum) and (column.maximum is None
                                                                      or number <= column.maximum):
            values[position], valid[position] = number, True
    return values, valid, scalar


def _python_number(text: str, untouched: bool, group: str, decimal: str) -> str:
    """A number cell in Python's notation: cleaned as ``cells`` does (if its shape needs it), no groups."""
    cleaned = text if untouched else cell_rules._number_text(text)
    return cleaned.replace(group, "").replace(decimal, ".")


@dataclass
class _PlainNumbers:
    """The plain cells of a number column: ASCII digits, ``.`` and ``,`` with an optional leading sign,
    at most ``_PLAIN_WIDTH`` characters and ``_PLAIN_DIGITS`` digits; their shapes, found by numpy."""

    positions: np.ndarray  # of the plain cells among the column's cells
    points: np.ndarray  # their characters' code points, one row each, 0 after the end
    shapes: list[str]
    shape_of: np.ndarray  # each plain cell's shape, as an index into ``shapes``

    def values(self, which: np.ndarray, decimal: str) -> np.ndarray:
        """The numbers in the chosen plain cells, read with ``decimal`` as the decimal separator: each
        cell's digits weighed by the powers of ten its shape gives them, over the shape's power of ten."""
        weights = np.zeros((len(self.shapes), self.points.shape[1]), dtype=np.int64)
        scales, negative = np.zeros(len(self.shapes), dtype=np.int64), np.zeros(len(self.shapes), dtype=bool)
        for number, shape in enumerate(self.shapes):
            places = [i for i, symbol in enumerate(shape) if symbol == "9"]
            weights[number, places] = 10 ** np.arange(len(places) - 1, -1, -1, dtype=np.int64)
            scales[number] = shape.partition(decimal)[2].count("9")
            negative[number] = shape.startswith("-")
        shape_of = self.shape_of[which]
        mantissa = ((self.points[which] - 48) * weights[shape_of]).sum(axis=1)  # < 10¹⁵: exact
        numbers = mantissa / _POWERS_OF_TEN[scales[shape_of]]
        return np.where(negative[shape_of], -numbers, numbers)


def _plain_numbers(texts: list[str]) -> _PlainNumbers:
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    short = np.flatnonzero(lengths <= _PLAIN_WIDTH)
    width = int(lengths[short].max()) if len(short) else 1
    chosen = texts if len(short) == len(texts) else [texts[i] for i in short]
    points = np.array(chosen, dtype=f"U{width}").view(np.uint32).reshape(len(short), width)
    symbols = _SYMBOL_OF[np.minimum(points, 127)]  # 0 after the end, for a NUL and for any other character
    plain = ((np.count_nonzero(symbols, axis=1) == lengths[short])  # nothing else
             & ~(symbols[:, 1:] >= 4).any(axis=1)                     # a sign only in front
             & (np.count_nonzero(symbols == 1, axis=1) <= _PLAIN_DIGITS))
    kept = np.flatnonzero(plain)
    base = len(_PLAIN_SYMBOLS) + 1
    keys = symbols[kept].astype(np.int64) @ base ** np.arange(width, dtype=np.int64)  # < 6²⁴ < 2⁶³
    shape_of, distinct = pd.factorize(keys)
    shapes = []
    for key in distinct.tolist():
        symbols_of_shape = []
        while key:
            key, symbol = divmod(key, base)
            symbols_of_shape.append(_PLAIN_SYMBOLS[symbol - 1])
        shapes.append("".join(symbols_of_shape))
    return _PlainNumbers(short[kept], points[kept].astype(np.int64), shapes, shape_of)


def _judge_shape(shape: str) -> tuple[str, dict[str, bool]]:
    """A shape cleaned as ``cells`` cleans a number cell, and which notations it fits."""
    cleaned = cell_rules._number_text(shape)
    return cleaned, {",": _COMMA.fullmatch(cleaned) is not None, ".": _POINT.fullmatch(cleaned) is not None}


# --- dates: the usual ``31/12/2024`` and ``2024-12-31`` read by numpy, the rest by the patterns --------

_SEPARATORS = [ord(ch) for ch in "/.-"]
_DMY_DIGITS, _YMD_DIGITS = [0, 1, 3, 4, 6, 7, 8, 9], [0, 1, 2, 3, 5, 6, 8, 9]


def _dates(texts: list[str]) -> tuple[np.ndarray, np.ndarray, object]:
    """Dates as ``cells.date_converter`` reads them. Cells of exactly ten ASCII characters shaped
    ``dd/mm/yyyy`` or ``yyyy-mm-dd`` (any of ``/ . -``, the same twice) are read a column at a time;
    the others (one-digit days, two-digit years, a time after the date…) with ``cells``' own patterns."""
    count = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
    ten = np.flatnonzero(lengths == 10)
    digits = np.array([texts[i] for i in ten], dtype="U10").view(np.uint32).reshape(-1, 10).astype(np.int64)
    is_digit = (digits >= 48) & (digits <= 57)
    value = digits - 48

    def separated(first: int, second: int) -> np.ndarray:
        return (digits[:, first] == digits[:, second]) & np.isin(digits[:, first], _SEPARATORS)

    dmy = is_digit[:, _DMY_DIGITS].all(axis=1) & separated(2, 5)
    ymd = is_digit[:, _YMD_DIGITS].all(axis=1) & separated(4, 7)
    first, second = value[:, 0] * 10 + value[:, 1], value[:, 3] * 10 + value[:, 4]
    fast = np.zeros(count, dtype=bool)
    fast[ten[dmy | ymd]] = True
    slow = np.flatnonzero(~fast)
    matches = [_date_match(texts[i]) for i in slow]
    # The column is month first only if a cell can only be month first and none only day first.
    firsts = np.concatenate([first[dmy], [int(m[1]) for kind, m in matches if kind == "dmy"]]).astype(np.int64)
    seconds = np.concatenate([second[dmy], [int(m[3]) for kind, m in matches if kind == "dmy"]]).astype(np.int64)
    only_day_first = bool(((firsts > 12) & (seconds <= 12)).any())
    only_month_first = bool(((seconds > 12) & (firsts <= 12)).any())
    day_first = only_day_first or not only_month_first
    scalar = cell_rules.date_converter([] if day_first else ["12/31/2000"])

    values, valid = _objects([None] * count), np.zeros(count, dtype=bool)
    year = np.where(dmy, value[:, 6] * 1000 + value[:, 7] * 100 + value[:, 8] * 10 + value[:, 9],
                    value[:, 0] * 1000 + value[:, 1] * 100 + value[:, 2] * 10 + value[:, 3])
    month = np.where(dmy, second if day_first else first, value[:, 5] * 10 + value[:, 6])
    day = np.where(dmy, first if day_first else second, value[:, 8] * 10 + value[:, 9])
    days, ok = _calendar_days(year, month, day)
    ok &= dmy | ymd
    values[ten[ok]] = days[ok].astype(object)  # datetime.date
    valid[ten[ok]] = True
    for position, (kind, match) in zip(slow, matches, strict=True):
        found = None
        if kind == "ymd":
            found = _date(match[1], match[3], match[4])
        elif kind == "dmy":
            day_text, month_text = (match[1], match[3]) if day_first else (match[3], match[1])
            found = _date(cell_rules._full_year(match[4]), month_text, day_text)
        if found is not None:
            values[position], valid[position] = found, True
    return values, valid, scalar


def _date_match(text: str):
    """The pattern of ``cells`` a date cell fits, as ``cells`` tries them: ISO first."""
    match = cell_rules._YEAR_MONTH_DAY.fullmatch(text)
    if match:
        return "ymd", match
    match = cell_rules._DAY_MONTH_YEAR.fullmatch(text)
    return ("dmy", match) if match else (None, None)


def _calendar_days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The days of year/month/day triples, and which are real dates (``datetime.date`` would accept)."""
    ok = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    first_day = months.astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    ok &= day <= length
    return first_day + np.where(ok, day - 1, 0).astype("timedelta64[D]"), ok


def _date(year, month, day) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except (TypeError, ValueError):
        return None


def _by_distinct_value(texts: list, scalar) -> tuple[np.ndarray, np.ndarray]:
    converted = {}
    for value in set(texts):
        try:
            converted[value] = (scalar(value), True)
        except InvalidCell:
            converted[value] = (None, False)
    pairs = [converted[value] for value in texts]
    return _objects([value for value, _ok in pairs]), np.array([ok for _value, ok in pairs], dtype=bool)


def bulk_execute(connection, statement, columns: Mapping[str, object]) -> None:
    """``connection.execute(statement, rows)`` for rows given a column at a time, without SQLAlchemy's
    per-row parameter handling: ``columns`` maps each bind name to a list (a value per row) or to one
    value for every row. Each column's bind processor runs once per distinct value; then one DBAPI
    ``executemany`` on the connection (so in its transaction), fed one row at a time: a row is a
    tuple, or a dictionary where the driver wants named parameters. For imports of 10⁵ rows, where
    building, processing and keeping a row object per row costs more than the database's own work."""
    prepared = _bulk_rows(connection, statement, columns)
    if prepared is not None:
        _executemany(connection, *prepared)


def bulk_insert(connection, table, columns: Mapping[str, object]) -> None:
    """``bulk_execute`` of ``INSERT INTO table``: on PostgreSQL (psycopg) through ``COPY … FROM STDIN``,
    the database's own way to take many rows; elsewhere one ``executemany``."""
    prepared = _bulk_rows(connection, insert(table), columns)
    if prepared is None:
        return
    if connection.dialect.driver != "psycopg":
        _executemany(connection, *prepared)
        return
    from psycopg import sql

    compiled, names, rows = prepared
    targets = [table.c[compiled.binds[name].key].name for name in names]
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*([table.schema] if table.schema else []), table.name),
        sql.SQL(", ").join(map(sql.Identifier, targets)))
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(query) as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _bulk_rows(connection, statement, columns: Mapping[str, object]):
    """(compiled statement, parameter names, an iterator of rows of processed values), or None for no rows."""
    lengths = {len(values) for values in columns.values() if isinstance(values, list)}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    count = lengths.pop() if lengths else 0
    if not count:
        return None
    if statement.is_insert:  # a column that is empty in every row and has no default: left out, NULL anyway
        table = statement.table
        kept = {key: values for key, values in columns.items() if not (
            isinstance(values, list) and values.count(None) == count and key in table.c
            and table.c[key].default is None and table.c[key].server_default is None)}
        if any(isinstance(values, list) for values in kept.values()):
            columns = kept
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(columns))
    names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
    processors = compiled._bind_processors
    params = []
    for name in names:
        bind = compiled.binds[name]
        values = columns[bind.key] if bind.key in columns else _default(statement, bind)
        process = processors.get(name)
        if isinstance(values, list):
            params.append(_processed(values, process) if process else values)
        else:
            params.append([process(values) if process and values is not None else values] * count)
    return compiled, names, zip(*params, strict=True)


def _executemany(connection, compiled, names: list[str], rows) -> None:
    if not compiled.positional:
        rows = (dict(zip(names, row, strict=True)) for row in rows)
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(str(compiled), rows)  # an iterator: each row is dropped once sent
    finally:
        cursor.close()


@contextmanager
def indexes_deferred(connection, table, rows: int):
    """Around a bulk write of ``rows`` rows into ``table``: on SQLite, when the table holds no more rows
    than that, its secondary indexes (not those that enforce uniqueness) are dropped for the time of the
    write and built again, from their own SQL, after it — building an index once over all the rows
    costs less than growing it row by row (the usual advice for populating a database). All in the
    caller's transaction: nobody else ever sees the table without them, and a rollback keeps them.
    Elsewhere (PostgreSQL, where dropping an index locks the table) or for a small write, nothing changes."""
    if connection.dialect.name != "sqlite" or not rows or rows < connection.exec_driver_sql(
            f'SELECT count(*) FROM "{table.name}"').scalar():
        yield
        return
    listed = connection.exec_driver_sql(f'PRAGMA index_list("{table.name}")').all()
    names = [name for _seq, name, unique, origin, *_partial in listed if origin == "c" and not unique]
    deferred = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({', '.join('?' * len(names))})",
        tuple(names)).all() if names else []
    if deferred and not connection.connection.driver_connection.in_transaction:
        # pysqlite opens a transaction only before INSERT, UPDATE and DELETE: DDL would commit at once.
        connection.exec_driver_sql("BEGIN")
    for name, _sql in deferred:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        for _name, sql in deferred:
            connection.exec_driver_sql(sql)


def _default(statement, bind):
    """The value of a bound parameter the caller did not give: a column's scalar default (or onupdate)."""
    column = statement.table.c.get(bind.key) if statement.is_insert or statement.is_update else None
    default = None if column is None else column.default if statement.is_insert else column.onupdate
    if default is None:
        return bind.effective_value
    if not default.is_scalar:
        raise ValueError(f"column {bind.key!r}: its default is computed row by row; give its values")
    return default.arg


def driver_rows(connection, statement) -> Iterator[tuple]:
    """A query's rows as the driver's cursor gives them, converted only where a column's type needs it
    (a date stored as text): for 10⁵ rows, without a SQLAlchemy row object each. Iterate it once."""
    dialect = connection.dialect
    result = connection.execute(statement)
    try:
        processors = [column.type.dialect_impl(dialect).result_processor(dialect, described[1])  # type code
                      for column, described in zip(statement.selected_columns, result.cursor.description,
                                                   strict=True)]
        processed = [(position, process) for position, process in enumerate(processors) if process is not None]
        if not processed:
            yield from result.cursor
            return
        for row in result.cursor:
            for position, process in processed:
                if row[position] is not None:
                    row = (*row[:position], process(row[position]), *row[position + 1:])
            yield row
    finally:
        result.close()


def _processed(values: list, process) -> list:
    """``process`` applied to each value but None; once per distinct value where values repeat (dates)."""
    kinds = set(map(type, values)) - {type(None)}
    if not kinds:
        return values
    if len(kinds) == 1:  # one type: equal values are the same value
        distinct = set(values)
        if 2 * len(distinct) <= len(values):
            done = {value: process(value) for value in distinct if value is not None} | {None: None}
            return list(map(done.__getitem__, values))
    return [None if value is None else process(value) for value in values]


def blank_cells(series: pd.Series) -> pd.Series:
    """Which cells of a column hold nothing (for importers' own checks)."""
    return series.map(is_blank).astype(bool)


def first_row_of(values: pd.Series) -> pd.Series:
    """For each row, the first row number holding the same value (duplicates within a file)."""
    return pd.Series(values.index, index=values.index).groupby(values.values).transform("min")


__all__ = ["FrameResult", "FrameTable", "blank_cells", "bulk_execute", "bulk_insert", "convert_column", "driver_rows",
           "first_row_of", "indexes_deferred", "parse_frame", "read_frame"]
