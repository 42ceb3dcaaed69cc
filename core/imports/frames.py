"""Reading a large upload (a census of 100 000 clients) into a ``FrameTable``: its cells a column each.

``read_frame`` gives what ``read_table`` gives — the same headers, row numbers, cells and refusals, in the
same words (``tests/test_core_import_frames.py`` holds the two readers to that) — but reads a CSV with
pandas' C parser, into one DataFrame, without a Python object per row. An .xlsx, and a CSV the C parser
cannot read as the csv module does (rows wider than the first, damaged quoting), are read by ``read_table``
and put into a frame. ``parse`` takes either table.

    table = read_frame(data, filename)
    result = parse(table, spec, mapping)
"""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from core.imports.bounds import Bounds, check_record, too_many_rows
from core.imports.memo import memoised
from core.imports.reading import ImportFileError, _decode, _delimiter, read_table_once


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

    def cell_frame(self, headers: Mapping[str, str]) -> pd.DataFrame:
        """The cells under ``headers`` (a name for each header), a column each, indexed by spreadsheet row."""
        return pd.DataFrame({name: self.frame[header] for name, header in headers.items()}, index=self.frame.index,
                            copy=False)  # copy-on-write: the file's cells are shared, not copied, until changed


def read_frame(data: bytes, filename: str, *, sheet: str | None = None, max_rows: int | None = None,
               bounds: Bounds | None = None) -> FrameTable:
    """``read_table`` for large files: CSV through pandas' C parser; XLSX and irregular CSV the usual way.

    The same bytes read lately come from the memo, each caller with its own copy of the frame."""
    bounds = replace(bounds or Bounds.current(), **({"rows": max_rows} if max_rows else {}))
    kept = memoised(data, ("frame", filename, sheet, bounds), lambda: _read_frame(data, filename, sheet, bounds))
    # A lazy copy (copy-on-write): the memo's frame stays as read whatever the caller does with its own.
    return replace(kept, headers=list(kept.headers), frame=kept.frame.copy(deep=False))


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
