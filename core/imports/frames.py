"""The same import, column at a time: for files of tens of thousands of rows (a client census).

``read_frame`` and ``parse_frame`` give what ``read_table`` and ``parse`` give — the same row numbers,
the same conversions and the same messages — but convert each column with pandas' vectorised string
operations instead of one Python call per cell. Only the cells that do not fit go through the per-cell
converters of ``cells``, so the messages are word for word those of ``parse``.

    table = read_frame(data, filename)
    result = parse_frame(table, spec, mapping)
    ...importer's checks: result.reject(...) / result.reject_rows(mask, field, messages)...
    if result.ok: save result.accepted()   # a DataFrame of typed values, indexed by spreadsheet row
"""

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from core.imports import cells as cell_rules
from core.imports.cells import InvalidCell, is_blank
from core.imports.reading import MAX_ROWS, ImportFileError, _decode, _delimiter, read_table
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


def read_frame(data: bytes, filename: str, *, sheet: str | None = None, max_rows: int = MAX_ROWS) -> FrameTable:
    """``read_table`` for large files: CSV through pandas' C parser; XLSX and irregular CSV the usual way."""
    if not data.strip() or data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        return _from_table(read_table(data, filename, sheet=sheet, max_rows=max_rows))
    text, encoding = _decode(data, filename)
    delimiter, text = _delimiter(text)
    try:
        raw = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                          na_filter=False, skip_blank_lines=False, quoting=csv.QUOTE_MINIMAL, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error):
        # Rows wider than the first one, or damaged quoting: the row-by-row reader says precisely what.
        return _from_table(read_table(data, filename, sheet=sheet, max_rows=max_rows))
    raw = raw.fillna("")
    raw.index = np.arange(1, len(raw) + 1)
    return _frame_table(raw, filename, max_rows, kind="csv", encoding=encoding, delimiter=delimiter)


def _from_table(table) -> FrameTable:
    frame = pd.DataFrame([row.values for row in table.rows], index=[row.number for row in table.rows],
                         columns=table.headers, dtype=object)
    return FrameTable(table.headers, frame, kind=table.kind, encoding=table.encoding, delimiter=table.delimiter,
                      sheet=table.sheet, filename=table.filename)


def _frame_table(raw: pd.DataFrame, filename: str, max_rows: int, **how) -> FrameTable:
    """Header = first non-blank row; keep the non-blank rows under it; the checks of ``read_table``."""
    stripped = raw.apply(lambda column: column.str.strip())
    filled = (stripped != "").any(axis=1)
    if not filled.any():
        raise ImportFileError(_("“%(name)s” is empty.", name=filename))
    header_number = filled.idxmax()
    body = raw.loc[filled & (raw.index > header_number)]
    if body.empty:
        raise ImportFileError(_("“%(name)s” has a header row but no rows of data under it.", name=filename))
    if len(body) > max_rows:
        raise ImportFileError(_("“%(name)s” has more than %(count)d rows. Split it into smaller files.",
                                name=filename, count=max_rows))
    names = [" ".join(str(cell).split()) for cell in raw.loc[header_number]]
    unnamed = [i for i, name in enumerate(names) if not name]
    used = [i for i in unnamed if (stripped.loc[body.index].iloc[:, i] != "").any()]
    if used:
        raise ImportFileError(_("Columns without a name in the header row have values: %(columns)s. The first "
                                "row must hold the name of every column.",
                                columns=", ".join(get_column_letter(i + 1) for i in used)))
    repeated = list(dict.fromkeys(name for i, name in enumerate(names) if name and name in names[:i]))
    if repeated:
        raise ImportFileError(_("More than one column is called %(names)s. Give each column a different name.",
                                names=", ".join(f"“{name}”" for name in repeated)))
    kept = [i for i, name in enumerate(names) if name]
    frame = body.iloc[:, kept].copy()
    frame.columns = [names[i] for i in kept]
    return FrameTable([names[i] for i in kept], frame, filename=filename, **how)


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
    texts = pd.Series([v.strip() if isinstance(v, str) else v for v in raw], index=series.index, dtype=object)
    blank = pd.Series([is_blank(v) for v in raw], index=series.index, dtype=bool)
    is_text = pd.Series([isinstance(v, str) for v in raw], index=series.index, dtype=bool) & ~blank
    problems: dict = {}
    out = pd.Series([False if column.kind == "boolean" else None] * len(raw), index=series.index, dtype=object)
    if column.required and column.kind != "boolean":
        problems.update(dict.fromkeys(series.index[blank], _("A value is required.")))
    text_cells = texts[is_text].astype(str)
    judged = _judge(column, text_cells)
    scalar = _scalar_converter(column, judged)
    converted, valid = _vectorised(column, text_cells, scalar, judged)
    out.loc[converted.index] = converted
    for number in converted.index[~valid.to_numpy(dtype=bool)]:
        problems[number] = _message(scalar, texts.at[number])
    for number in series.index[~blank & ~is_text]:  # typed XLSX cells: one at a time (few files, few cells)
        try:
            out.at[number] = scalar(texts.at[number])
        except InvalidCell as error:
            problems[number] = str(error)
    return out, problems


def _message(scalar, value) -> str:
    try:
        scalar(value)
    except InvalidCell as error:
        return str(error)
    return _("“%(value)s” is not valid.", value=cell_rules.quoted(value))  # not reached: both paths agree


def _judge(column: Column, texts: pd.Series):
    """What a column's cells decide together: the decimal separator (with each cell cleaned and which
    notation it fits, reused by the conversion), or whether dates are day first (with each cell's match)."""
    if column.kind in ("number", "integer"):
        return _number_notation(texts)
    if column.kind == "date":
        return _date_matches(texts)
    return None


def _scalar_converter(column: Column, judged):
    """The per-cell converter of ``cells``, set as the whole column decided (``_judge``)."""
    if column.kind in ("number", "integer"):
        make = cell_rules.number_converter if column.kind == "number" else cell_rules.integer_converter
        return make([], column.minimum, column.maximum, default=judged[0])
    if column.kind == "date":
        return cell_rules.date_converter([] if judged[0] else ["12/31/2000"])
    return column._kind_converter([])


_COMMA, _POINT = cell_rules._NUMBER_PATTERNS[","], cell_rules._NUMBER_PATTERNS["."]


def _number_notation(texts: pd.Series) -> tuple[str, list[str], dict[str, list[bool]]]:
    """One pass over the cells, as ``cells.decimal_separator`` votes: cleaned text, fits for "," and "."."""
    cleaned, comma, point = [], [], []
    spaces, groups = cell_rules._SPACES, cell_rules._SPACE_GROUPS
    for text in texts.tolist():
        text = text.translate(spaces).strip().strip("€$£%").strip()
        if " " in text and groups.fullmatch(text):
            text = text.replace(" ", "")
        cleaned.append(text)
        comma.append(_COMMA.fullmatch(text) is not None)
        point.append(_POINT.fullmatch(text) is not None)
    votes_comma = sum(1 for c, p in zip(comma, point, strict=True) if c and not p)
    votes_point = sum(1 for c, p in zip(comma, point, strict=True) if p and not c)
    return ("." if votes_point > votes_comma else ","), cleaned, {",": comma, ".": point}


def _date_matches(texts: pd.Series) -> tuple[bool, list]:
    """One pass: each cell's ISO or day/month match, and whether the column is day first (``cells.day_first``)."""
    ymd, dmy = cell_rules._YEAR_MONTH_DAY, cell_rules._DAY_MONTH_YEAR
    matches, only_day_first, only_month_first = [], False, False
    for text in texts.tolist():
        match = ymd.fullmatch(text)
        if match:
            matches.append(("ymd", match))
            continue
        match = dmy.fullmatch(text)
        matches.append(("dmy", match) if match else None)
        if match:
            first, second = int(match[1]), int(match[3])
            only_day_first |= first > 12 >= second
            only_month_first |= second > 12 >= first
    return only_day_first or not only_month_first, matches


def _vectorised(column: Column, texts: pd.Series, scalar, judged) -> tuple[pd.Series, pd.Series]:
    """(typed values, which cells are valid) for the text cells of a column."""
    if texts.empty:
        return pd.Series([], dtype=object), pd.Series([], dtype=bool)
    if column.kind in ("number", "integer"):
        return _numbers(column, texts, judged)
    if column.kind == "date":
        return _dates(texts, judged)
    if column.kind == "text":
        valid = texts.str.len() <= column.max_length if column.max_length else pd.Series(True, index=texts.index)
        return texts.astype(object), valid
    return _by_distinct_value(texts, scalar)  # choices and yes/no: few distinct spellings


def _numbers(column: Column, texts: pd.Series, judged) -> tuple[pd.Series, pd.Series]:
    decimal, cleaned, fits = judged
    group = "." if decimal == "," else ","
    low, high = column.minimum, column.maximum
    values, valid = [], []
    for text, fits_notation in zip(cleaned, fits[decimal], strict=True):
        value = _number(text.replace(group, "").replace(decimal, "."), column.kind) if fits_notation else None
        ok = value is not None and (low is None or value >= low) and (high is None or value <= high)
        values.append(value if ok else None)
        valid.append(ok)
    return pd.Series(values, index=texts.index, dtype=object), pd.Series(valid, index=texts.index, dtype=bool)


def _number(text: str, kind: str):
    """The number in a cell already in Python notation; None when not finite, or not whole for integers."""
    if kind == "integer":
        exact = Decimal(text)
        return int(exact) if exact == exact.to_integral_value() else None
    value = float(text)  # Python's float(), as the per-cell converter: same last digit
    return value if math.isfinite(value) else None


def _dates(texts: pd.Series, judged) -> tuple[pd.Series, pd.Series]:
    day_first, matches = judged
    found = []
    for item in matches:
        if item is None:
            found.append(None)
        elif item[0] == "ymd":
            found.append(_date(item[1][1], item[1][3], item[1][4]))
        else:
            match = item[1]
            day, month = (match[1], match[3]) if day_first else (match[3], match[1])
            found.append(_date(cell_rules._full_year(match[4]), month, day))
    dates = pd.Series(found, index=texts.index, dtype=object)
    return dates, dates.notna()


def _date(year, month, day) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except (TypeError, ValueError):
        return None


def _by_distinct_value(texts: pd.Series, scalar) -> tuple[pd.Series, pd.Series]:
    converted, valid = {}, {}
    for value in texts.unique():
        try:
            converted[value], valid[value] = scalar(value), True
        except InvalidCell:
            converted[value], valid[value] = None, False
    return texts.map(converted).astype(object), texts.map(valid).astype(bool)


def bulk_execute(connection, statement, rows: list[dict]) -> None:
    """``connection.execute(statement, rows)`` without SQLAlchemy's per-row parameter handling: each column's
    bind processor runs over the column once, then one DBAPI ``executemany``. For imports of 10⁵ rows, where
    the per-row dictionaries cost more than the database's own work."""
    if not rows:
        return
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(rows[0]))
    names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
    processors = compiled._bind_processors
    columns = []
    for name in names:
        bind = compiled.binds[name]
        values = [row[bind.key] for row in rows] if bind.key in rows[0] else [bind.effective_value] * len(rows)
        process = processors.get(name)
        columns.append([process(v) if v is not None else None for v in values] if process else values)
    if compiled.positional:
        params = list(zip(*columns, strict=True))
    else:
        params = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    connection.exec_driver_sql(str(compiled), params)


def blank_cells(series: pd.Series) -> pd.Series:
    """Which cells of a column hold nothing (for importers' own checks)."""
    return series.map(is_blank).astype(bool)


def first_row_of(values: pd.Series) -> pd.Series:
    """For each row, the first row number holding the same value (duplicates within a file)."""
    return pd.Series(values.index, index=values.index).groupby(values.values).transform("min")


__all__ = ["FrameResult", "FrameTable", "blank_cells", "bulk_execute", "convert_column", "first_row_of", "parse_frame",
           "read_frame"]
