"""Parsing a table against an import spec: the rows ready to save, and every problem, in one report."""

import csv
import io
from bisect import insort
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from flask_babel import gettext as _

from core.imports.cells import InvalidCell, cell_text
from core.imports.reading import ImportFileError, Table
from core.imports.spec import ImportSpec

#: A cell starting with one of these is a formula to a spreadsheet; the report must not run it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    """The outcome of ``parse``: importers may ``reject`` more rows, then save ``rows`` only if ``ok``."""

    spec: ImportSpec
    mapping: dict[str, str | None]
    errors: list[RowError] = field(default_factory=list)
    _rows: dict[int, ParsedRow] = field(default_factory=dict, repr=False)
    #: The mapped cells of every row, rejected or not, by row number: what ``reject_field`` quotes.
    _cells: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def rows(self) -> list[ParsedRow]:
        """The rows without problems, in file order; a new list, so rejecting while looping is safe."""
        return list(self._rows.values())

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected_count(self) -> int:
        """How many rows have at least one problem."""
        return len({error.row for error in self.errors})

    @property
    def accepted_count(self) -> int:
        return len(self._rows)

    @property
    def total(self) -> int:
        """How many rows with data the file has."""
        return self.accepted_count + self.rejected_count

    @property
    def columns(self) -> list:
        """The spec's columns that the mapping found in the file, for the preview."""
        return [column for column in self.spec.columns if self.mapping.get(column.field)]

    def preview(self, limit: int = 20) -> list[ParsedRow]:
        """The first accepted rows, without copying them all."""
        return list(islice(self._rows.values(), limit))

    def errors_by_row(self) -> dict[int, list[RowError]]:
        """The problems grouped by spreadsheet row number, in row order."""
        grouped: dict[int, list[RowError]] = {}
        for error in self.errors:
            grouped.setdefault(error.row, []).append(error)
        return grouped

    def reject(self, row_number: int, column: str | None, field: str | None, value, message: str) -> None:
        """Record a problem an importer found (unknown code, duplicate period…); the row is not saved."""
        if row_number not in self._cells:
            raise KeyError(f"row {row_number} is not part of this import")
        self._rows.pop(row_number, None)
        insort(self.errors, RowError(row_number, column, field, value, str(message)), key=lambda e: e.row)

    def reject_field(self, row_number: int, field: str, message: str) -> None:
        """``reject`` naming a field: the column header and the cell are taken from the file."""
        value = self._cells.get(row_number, {}).get(field)
        self.reject(row_number, self.mapping.get(field), field, value, message)


def parse(table: Table, spec: ImportSpec, mapping: Mapping[str, str | None]) -> ImportResult:
    """Convert every mapped cell of every row; every cell that does not fit is reported, not just the first."""
    mapping = {column.field: mapping.get(column.field) or None for column in spec.columns}
    _check_mapping(table, spec, mapping)
    converters = {column.field: column.converter([row.values[mapping[column.field]] for row in table.rows])
                  for column in spec.columns if mapping[column.field]}
    result = ImportResult(spec=spec, mapping=mapping)
    for row in table.rows:
        parsed, problems = ParsedRow(row.number, dict.fromkeys(mapping)), []
        result._cells[row.number] = parsed.cells
        for name, convert in converters.items():
            cell = parsed.cells[name] = row.values[mapping[name]]
            try:
                parsed.values[name] = convert(cell)
            except InvalidCell as problem:
                problems.append(RowError(row.number, mapping[name], name, cell, str(problem)))
        if problems:
            result.errors.extend(problems)
        else:
            result._rows[row.number] = parsed
    return result


def _check_mapping(table: Table, spec: ImportSpec, mapping: dict[str, str | None]) -> None:
    missing = spec.missing_required(mapping)
    if missing:
        raise ImportFileError(_("The file has no column for %(fields)s.",
                                fields=", ".join(f"“{column.label}”" for column in missing)))
    unknown = [header for header in mapping.values() if header and header not in table.headers]
    if unknown:
        raise ImportFileError(_("The file has no column called %(names)s.",
                                names=", ".join(f"“{header}”" for header in unknown)))


def error_report_csv(result: ImportResult, delimiter: str = ";") -> str:
    """Every problem as a CSV the user can open next to their file to correct it.

    Semicolons and a leading BOM, because that is what Excel in Spanish opens correctly with a
    double click; the text must be encoded as UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Problem")])
    for error in result.errors:
        writer.writerow([error.row, _inert(error.column or ""), _inert(error.shown_value), _inert(error.message)])
    return "\ufeff" + buffer.getvalue()


def _inert(text: str) -> str:
    """Text a spreadsheet shows as text, not as a formula (values come from an uploaded file)."""
    if text.startswith(FORMULA_STARTS) and not _is_plain_number(text):
        return "'" + text
    return text


def _is_plain_number(text: str) -> bool:
    return text[:1] in "+-" and text[1:].replace(".", "").replace(",", "").isdigit()
