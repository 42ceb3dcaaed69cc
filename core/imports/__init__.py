"""Importing tables (CSV and XLSX exported by ERP/CRM systems and spreadsheets), shared by every importer.

The steps of an import, each a function the views call::

    table = read_table(data, filename)                 # ImportFileError if the file cannot be read
    form = mapping_form_class(spec, table.headers)()   # the user checks which header holds what
    result = parse(table, spec, form.mapping())        # every cell converted, every problem kept
    ...importer's own checks: result.reject(row, column, field, value, message)...
    if result.ok: save result.rows in one transaction  # all or nothing

The modules, one step each: ``reading`` (a file into a ``Table``) and ``frames`` (a large CSV into a
``FrameTable``, with pandas), within ``bounds`` and read once (``memo``); ``spec`` and ``forms`` (the columns
expected, and which header holds which); ``cells`` (the rules for one cell, and their messages); ``columns``
(a column of cells converted at once by those rules); ``result`` (``parse``); ``report`` (the problems as a
download); ``bulk`` (writing 10⁵ rows); ``retention`` (the uploads kept while an import is pending); and
``wizard``, the upload → check → import pages every importer shares.

Formats, decided for Spanish users who also receive English files:

- Numbers: ``1.234,56``, ``1234,56``, ``1,234.56``, ``1234.56``, ``1 234,56``, ``-3``, ``1,5E+3``; a
  ``€`` or ``%`` around the number is ignored. Each column's decimal separator is judged on all its
  cells; when nothing tells (``1.234`` alone), the comma is the decimal separator. ``12 %`` is 12
  (percentage points), and so is an XLSX cell showing 12 % (which holds 0.12): the number the user
  sees. Kind ``number`` gives a ``float`` (what the spreadsheet held); ``integer`` gives an ``int``
  and refuses ``12,5``.
- Dates: day first (``31/12/2024``, ``31-12-2024``, ``31.12.24``), ISO (``2024-12-31``) and XLSX
  date cells; a time after the date is ignored. A column is read month first (``12/31/2024``) only
  when one of its cells can only be month first and none can only be day first. Two-digit years
  00–68 are 2000–2068. Month names and Excel serial numbers (45657) are refused.
- Yes/no: sí, si, s, yes, y, true, verdadero, 1, x / no, n, false, falso, 0, and an empty cell.
- Choices: the ``choices`` spellings and the stored values, ignoring case, accents and spaces.
- Files: CSV in UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252/Latin-1, delimited by
  ``;``, ``,``, tab or ``|`` (or Excel's ``sep=`` line); XLSX (first sheet, or a named one). Old .xls,
  .ods and HTML saved as .xls are refused with a message saying how to save them.
"""

from core.imports.bounds import Bounds
from core.imports.cells import InvalidCell
from core.imports.forms import MappingForm, mapping_form_class
from core.imports.reading import MAX_ROWS, ImportFileError, Row, Table, check_table_upload, read_table
from core.imports.report import error_report_csv, error_report_response
from core.imports.result import ImportResult, ParsedRow, RowError, parse, parse_kept
from core.imports.spec import KINDS, Column, ImportSpec

__all__ = [
    "KINDS", "MAX_ROWS", "Bounds", "Column", "ImportFileError", "ImportResult", "ImportSpec", "InvalidCell",
    "MappingForm", "ParsedRow", "Row", "RowError", "Table", "error_report_csv", "error_report_response",
    "mapping_form_class", "parse", "parse_kept", "read_table", "check_table_upload",
]
