"""Parsing a table against an import spec: the typed values of every row, and every problem, in one report.

``parse`` converts a column at a time (``columns.convert_column``) whichever reader gave the table; the
``ImportResult`` keeps the values and the cells, indexed by spreadsheet row, and hands them out as an
importer needs them: row by row (``rows``, for files of a few hundred rows checked against registers) or
a column at a time (``values``, ``accepted()``, ``reject_rows``, for a census of 100 000).
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from core.imports.cells import cell_text
from core.imports.columns import convert_column
from core.imports.memo import memoised
from core.imports.reading import ImportFileError
from core.imports.spec import Column, ImportSpec

#: Where the problems an importer finds sort among a row's problems: after the cells', in the order found.
_IMPORTER_ORDER = 10_000


@dataclass
class ParsedRow:
    """A row whose every cell fits its column: the values by field, and the cells as the file gave them."""

    number: int
    values: dict[str, Any]
    cells: dict[str, Any] = field(default_factory=dict)


@dataclass
class RowError:
    """One problem with one row: where the user finds it in their spreadsheet, and what is wrong."""

    row: int
    column: str | None
    field: str | None
    value: Any
    message: str

    @property
    def shown_value(self) -> str:
        """The cell as the user reads it in their spreadsheet."""
        return cell_text(self.value)


@dataclass
class ImportResult:
    """The outcome of ``parse``: importers may ``reject`` more rows, then save the accepted ones only if ``ok``.

    ``values`` holds the typed values of every row (None where blank or wrong) and ``cells`` the mapped cells
    as the file gave them, both indexed by spreadsheet row; importers may add columns of their own to
    ``values`` (a census adds each row's client id)."""

    spec: ImportSpec
    mapping: dict[str, str | None]
    values: pd.DataFrame
    cells: pd.DataFrame
    #: (row, order, error): sorted by row, then the cells' problems in column order, then the importer's.
    _errors: list[tuple] = field(default_factory=list, repr=False)
    _sorted: list[RowError] | None = field(default=None, repr=False)
    _rejected: set = field(default_factory=set, repr=False)
    _rows: dict[int, ParsedRow] | None = field(default=None, repr=False)

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
        """How many rows have at least one problem."""
        return len(self._rejected)

    @property
    def accepted_count(self) -> int:
        return len(self.values) - len(self._rejected)

    @property
    def total(self) -> int:
        """How many rows with data the file has."""
        return len(self.values)

    @property
    def columns(self) -> list[Column]:
        """The spec's columns that the mapping found in the file, for the preview."""
        return [column for column in self.spec.columns if self.mapping.get(column.field)]

    def copy(self, spec: ImportSpec | None = None) -> "ImportResult":
        """A result of its own, for an importer to reject rows in and add columns to, without parsing again;
        ``spec`` (one with the same key) gives the labels the caller shows. The frames are pandas' lazy copies
        (copy-on-write: a column is copied when either side changes it), not 200 MB of copied columns for a
        census of 10⁶ rows."""
        return ImportResult(spec or self.spec, dict(self.mapping), self.values.copy(deep=False),
                            self.cells.copy(deep=False),
                            list(self._errors), None, set(self._rejected))

    def errors_by_row(self) -> dict[int, list[RowError]]:
        """The problems grouped by spreadsheet row number, in row order."""
        grouped: dict[int, list[RowError]] = {}
        for error in self.errors:
            grouped.setdefault(error.row, []).append(error)
        return grouped

    def accepted_mask(self) -> np.ndarray:
        return ~self.values.index.isin(list(self._rejected))

    def accepted(self) -> pd.DataFrame:
        """The typed values of the rows without problems, in file order (a lazy copy when every row is: selecting
        would copy every column)."""
        mask = self.accepted_mask()
        return self.values.copy(deep=False) if mask.all() else self.values.loc[mask]

    @property
    def rows(self) -> list[ParsedRow]:
        """The rows without problems, in file order; a new list, so rejecting while looping is safe."""
        if self._rows is None:
            self._rows = {row.number: row for row in self._parsed_rows(self.values.index)}
        return [row for number, row in self._rows.items() if number not in self._rejected]

    def preview(self, limit: int = 20) -> list[ParsedRow]:
        """The first accepted rows, without making a row object of every row."""
        if self._rows is not None:
            return self.rows[:limit]
        return self._parsed_rows(self.values.index[self.accepted_mask()][:limit])

    def _parsed_rows(self, numbers: pd.Index) -> list[ParsedRow]:
        fields = [column.field for column in self.spec.columns]
        values = {name: self.values.loc[numbers, name].tolist() for name in fields}
        cells = {name: self.cells.loc[numbers, name].tolist() for name in fields if self.mapping[name]}
        return [ParsedRow(int(number), {name: column[i] for name, column in values.items()},
                          {name: column[i] for name, column in cells.items()})
                for i, number in enumerate(numbers.tolist())]

    def reject(self, row_number: int, column: str | None, field: str | None, value, message: str) -> None:
        """Record a problem an importer found (unknown code, duplicate period…); the row is not saved."""
        if row_number not in self.values.index:
            raise KeyError(f"row {row_number} is not part of this import")
        row_number = int(row_number)
        self._add(row_number, _IMPORTER_ORDER + len(self._errors),
                  RowError(row_number, column, field, value, str(message)))

    def reject_field(self, row_number: int, field: str, message: str) -> None:
        """``reject`` naming a field: the column header and the cell are taken from the file."""
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


def parse(table, spec: ImportSpec, mapping: Mapping[str, str | None]) -> ImportResult:
    """Convert every mapped cell of every row of a ``Table`` or a ``FrameTable``; every cell that does not fit
    is reported, not just the first."""
    mapping = {column.field: mapping.get(column.field) or None for column in spec.columns}
    _check_mapping(table, spec, mapping)
    cells = table.cell_frame({name: header for name, header in mapping.items() if header})
    values = pd.DataFrame(index=cells.index)
    result = ImportResult(spec, mapping, values, cells)
    for order, column in enumerate(spec.columns):
        if not mapping[column.field]:
            values[column.field] = None
            continue
        values[column.field], problems = convert_column(column, cells[column.field])
        for number, message in problems.items():
            result._add(int(number), order, RowError(int(number), mapping[column.field], column.field,
                                                     cells.at[number, column.field], message))
    return result


def parse_kept(data: bytes, table, spec: ImportSpec, mapping: Mapping[str, str | None]) -> ImportResult:
    """``parse`` of ``table``, read from the upload ``data``: from the memo when the same file was parsed lately
    against the same columns and mapping, in the same language (every GET of a check page parses nothing).
    Each caller gets its own copy; a mapping that cannot be parsed raises, and is not kept."""
    mapping = {column.field: mapping.get(column.field) or None for column in spec.columns}
    options = ("parsed", type(table).__name__, table.filename, table.sheet, str(get_locale()), spec.key(),
               tuple(mapping.items()))
    return memoised(data, options, lambda: parse(table, spec, mapping)).copy(spec)


def _check_mapping(table, spec: ImportSpec, mapping: dict[str, str | None]) -> None:
    missing = spec.missing_required(mapping)
    if missing:
        raise ImportFileError(_("The file has no column for %(fields)s.",
                                fields=", ".join(f"“{column.label}”" for column in missing)))
    unknown = [header for header in mapping.values() if header and header not in table.headers]
    if unknown:
        raise ImportFileError(_("The file has no column called %(names)s.",
                                names=", ".join(f"“{header}”" for header in unknown)))


def other_rows(keys: Iterable[tuple[int, Hashable]]) -> dict[int, list[int]]:
    """For each row whose key another row repeats, the numbers of those other rows (duplicates within a file).

    ``keys`` are (row number, key) pairs; rows without a key (None) and rows whose key is unique are left out.
    Every occurrence is named, not only the later ones: the reader cannot know which of two rows is wrong."""
    rows_of: dict[Hashable, list[int]] = {}
    for number, key in keys:
        if key is not None:
            rows_of.setdefault(key, []).append(number)
    return {number: [other for other in rows if other != number]
            for rows in rows_of.values() if len(rows) > 1 for number in rows}


def also_in(others: list[int]) -> str:
    """The other rows, as a message names them: "row 7", "rows 2, 10"."""
    return ngettext("row %(rows)s", "rows %(rows)s", len(others), rows=", ".join(str(row) for row in others))
