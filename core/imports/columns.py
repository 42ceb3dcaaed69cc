"""Converting a column of cells into typed values at once, and wording each cell that does not fit.

``convert_column`` is how every import turns cells into values (``result.parse`` calls it for each mapped
column). The column as a whole first decides what its cells mean, by the rules of ``cells`` (the decimal
separator; whether dates are day first). Then its text cells are read at once:

- dates, choices and yes/no by ``cells``' own converter, once per distinct spelling (``pd.factorize``);
- text by its length;
- numbers by their *shape*, judged once per distinct shape, then ``float`` or ``int`` (``_numbers``).

Every other cell — a typed XLSX cell, a cell that does not fit, one the fast path leaves alone (a whole
number of more than 15 digits) — goes through the per-cell converter, which reads it or says what is wrong
with it, quoting it. So the messages are those of ``cells``, and no cell gets a value ``cells`` would not
give it (``tests/test_core_import_columns.py`` holds the two to that, cell for cell).

Why numbers go by shape rather than through pandas' own ``str.fullmatch`` and ``pd.to_numeric``: the census
import must stay within 3 times ``pd.read_csv`` plus one ``executemany`` of the same rows (``python -m
bench.census``: 100 000 rows, SQLite, on a shared two-core machine, so figures are ranges over runs). By
shape, the import's ratio was 2.1–3.0 in seven runs of eight (its convert-and-check stage 0.28–0.34 s; 4.0
in one run where reading and writing were slow too); with ``str.fullmatch`` and ``pd.to_numeric`` 3.2–3.4
(0.48–0.51 s, two runs); with dates too through ``pd.to_datetime(format="%d/%m/%Y")`` 3.1–4.0 (0.72–0.82 s,
three runs). The numpy code-point parsing this replaced measured 2.5–3.1 (0.32–0.48 s, four runs).
"""

import re

import numpy as np
import pandas as pd
from flask_babel import gettext as _

from core.imports import cells
from core.imports.cells import InvalidCell
from core.imports.spec import Column


def convert_column(column: Column, series: pd.Series) -> tuple[pd.Series, dict]:
    """A column's typed values (None where blank or wrong) and the message for each cell that does not fit,
    by row number."""
    numbers = series.index
    texts, blank, is_text = _stripped(series.tolist())  # lists: ``map`` would turn XLSX dates into Timestamps
    values = np.full(len(texts), False if column.kind == "boolean" else None, dtype=object)
    problems: dict = {}
    if column.required and column.kind != "boolean":
        problems.update(dict.fromkeys(numbers[blank], _("A value is required.")))
    positions = np.flatnonzero(is_text)
    text_cells = texts if len(positions) == len(texts) else [texts[i] for i in positions]
    converted, valid, convert_cell = _convert_texts(column, text_cells)
    values[positions[valid]] = converted[valid]
    typed = np.flatnonzero(~blank & ~is_text)
    if len(typed) and column.kind in ("number", "integer"):  # an XLSX's number cells, a JSON body's numbers
        read, fits = _typed_numbers(column, [texts[i] for i in typed.tolist()])
        values[typed[fits]] = read[fits]
        typed = typed[~fits]
    for position in np.sort(np.concatenate([positions[~valid], typed])):
        try:
            values[position] = convert_cell(texts[position])
        except InvalidCell as error:
            problems[numbers[position]] = str(error)
    return pd.Series(values, index=numbers, dtype=object), problems


def _stripped(raw: list) -> tuple[list, np.ndarray, np.ndarray]:
    """The cells with text stripped; which are blank; which are text (the others are typed XLSX cells)."""
    count, kinds = len(raw), set(map(type, raw))
    if kinds <= {str}:  # a CSV column
        texts = list(map(str.strip, raw))
        is_text = np.fromiter(map(bool, texts), dtype=bool, count=count)
        return texts, ~is_text, is_text
    if str not in kinds:  # typed cells only: an XLSX's numbers or dates, a JSON body's numbers (None: blank)
        blank = np.array(raw, dtype=object) == None  # noqa: E711 - cell by cell, in numpy
        return raw, np.asarray(blank, dtype=bool), np.zeros(count, dtype=bool)
    texts = [value.strip() if isinstance(value, str) else value for value in raw]
    blank = np.fromiter((value is None or value == "" for value in texts), dtype=bool, count=count)
    is_text = np.fromiter((isinstance(value, str) for value in texts), dtype=bool, count=count) & ~blank
    return texts, blank, is_text


def _convert_texts(column: Column, texts: list[str]) -> tuple[np.ndarray, np.ndarray, object]:
    """(values, which are read, the per-cell converter for the rest) for a column's stripped, non-blank text
    cells; the per-cell converter reads cells as the column was judged."""
    if column.kind in ("number", "integer"):
        return _numbers(column, texts)
    if column.kind == "text":
        convert_cell = column.kind_converter([])
        values = np.empty(len(texts), dtype=object)
        values[:] = texts
        if not column.max_length:
            return values, np.ones(len(texts), dtype=bool), convert_cell
        return values, np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) <= column.max_length, convert_cell
    return _by_distinct_value(column, texts)


def _by_distinct_value(column: Column, texts: list[str]) -> tuple[np.ndarray, np.ndarray, object]:
    """Dates, choices and yes/no: the per-cell converter once per distinct spelling, judged on them all
    (whether a column of dates is day first depends on which spellings it has, not on how often)."""
    codes, spellings = pd.factorize(pd.Series(texts, dtype=object))
    spellings = spellings.tolist()
    convert_cell = column.kind_converter(spellings)
    read = {}
    for code, spelling in enumerate(spellings):
        try:
            read[code] = convert_cell(spelling)
        except InvalidCell:
            pass  # converted again with the other cells that do not fit, for its message
    valid = np.isin(codes, list(read))
    values = np.full(len(texts), None, dtype=object)
    values[valid] = [read[code] for code in codes[valid].tolist()]
    return values, valid, convert_cell


# --- numbers -------------------------------------------------------------------------------------

_DIGITS_AS_NINE = str.maketrans("012345678", "999999999")
#: The shape of a whole number read exactly through a float (below 2⁵³); other whole numbers go to ``Decimal``.
_EXACT_WHOLE = re.compile(r"[+-]?9{1,15}")


def _numbers(column: Column, texts: list[str]) -> tuple[np.ndarray, np.ndarray, object]:
    """Numbers as ``cells.number_converter`` and ``integer_converter`` read them.

    Which notation a cell fits, and whether it needs cleaning (spaces, ``€``, ``%``), depends on where its
    digits are, not on which digits they are: so each distinct *shape* (``1.234,56`` → ``9.999,99``) is
    judged once, with the patterns and the cleaning of ``cells``, and a column has a handful of shapes.
    Then the cells that fit are written in Python's notation and read by ``float``: correctly rounded, as
    ``cells`` reads them through ``Decimal`` (``pd.to_numeric`` reads "901260300937567334348853.9" one unit
    in the last place off, and takes twice as long). Whole numbers of up to 15 digits are exact as floats;
    longer ones go to the per-cell converter."""
    codes, shapes = pd.factorize(pd.Series([text.translate(_DIGITS_AS_NINE) for text in texts], dtype=object))
    judged = [_judged(shape) for shape in shapes.tolist()]
    decimal, readable = _decimal_separator(codes, judged)
    group = "." if decimal == "," else ","
    if column.kind == "integer":
        readable &= np.array([_EXACT_WHOLE.fullmatch(cleaned.replace(group, "").replace(decimal, ".")) is not None
                              for cleaned, _fits in judged], dtype=bool)
    fits = np.flatnonzero(readable[codes])
    chosen = texts if len(fits) == len(texts) else [texts[i] for i in fits.tolist()]
    if any(cleaned != shape for shape, (cleaned, _fits) in zip(shapes, judged, strict=True)):
        chosen = list(map(cells.number_text, chosen))  # the same text where there is nothing to clean
    read = np.full(len(texts), np.nan)
    read[fits] = np.fromiter((float(text.replace(group, "").replace(decimal, ".")) for text in chosen),
                             dtype=float, count=len(chosen))
    valid = _within(column, read)
    values = np.full(len(texts), None, dtype=object)
    values[valid] = read[valid].tolist() if column.kind == "number" else read[valid].astype(np.int64).tolist()
    kind_converter = cells.number_converter if column.kind == "number" else cells.integer_converter
    return values, valid, kind_converter([], column.minimum, column.maximum, decimal=decimal)


#: Whole numbers a float holds exactly: beyond them, the per-cell converter (through ``Decimal``) decides.
_EXACT_INTS = 2 ** 53


def _typed_numbers(column: Column, typed: list) -> tuple[np.ndarray, np.ndarray]:
    """Number cells that are numbers already (an XLSX's, a JSON body's) as ``cells.to_decimal`` reads them, at once:
    a float is itself (its ``repr`` round-trips through ``Decimal``), a whole number its float, an integer column's
    value the whole number. Cells that are not plain floats or ints (yes/no, a date, a huge whole number), not
    finite, out of bounds or, in an integer column, not whole, are left (False) to the per-cell converter, which
    says what is wrong with them."""
    if set(map(type, typed)) <= {float}:  # a JSON body's or a workbook's figures: read at once
        plain, numbers = np.ones(len(typed), dtype=bool), np.array(typed, dtype=float)
    else:
        plain = np.fromiter(((type(value) is float) or (type(value) is int and -_EXACT_INTS < value < _EXACT_INTS)
                             for value in typed), dtype=bool, count=len(typed))
        numbers = np.full(len(typed), np.nan)
        positions = np.flatnonzero(plain)
        numbers[positions] = [float(typed[i]) for i in positions.tolist()]
    valid = plain & _within(column, numbers)
    values = np.full(len(typed), None, dtype=object)
    if column.kind == "integer":
        with np.errstate(invalid="ignore"):  # whole, and within what an int64 (and a float) holds exactly
            valid &= (np.floor(numbers) == numbers) & (np.abs(numbers) < _EXACT_INTS)
        values[valid] = numbers[valid].astype(np.int64).tolist()
    else:
        values[valid] = numbers[valid].tolist()
    return values, valid


def _decimal_separator(codes: np.ndarray, judged: list) -> tuple[str, np.ndarray]:
    """The column's decimal separator, as ``cells.decimal_separator`` judges it (a vote per cell that fits one
    notation only), and which shapes fit it."""
    comma, point = (np.array([fits[separator] for _cleaned, fits in judged], dtype=bool) for separator in ",.")
    tally = np.bincount(codes, minlength=len(judged))
    if tally[point & ~comma].sum() > tally[comma & ~point].sum():
        return ".", point
    return ",", comma


def _within(column: Column, numbers: np.ndarray) -> np.ndarray:
    """Which numbers are finite and within the column's bounds (NaN, a cell not read, is not)."""
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(numbers)
        if column.minimum is not None:
            valid &= numbers >= column.minimum
        if column.maximum is not None:
            valid &= numbers <= column.maximum
    return valid


def _judged(shape: str) -> tuple[str, dict[str, bool]]:
    """A shape cleaned as ``cells`` cleans a number cell, and which notations it fits."""
    cleaned = cells.number_text(shape)
    return cleaned, {separator: cells.NUMBER_PATTERNS[separator].fullmatch(cleaned) is not None
                     for separator in ",."}
