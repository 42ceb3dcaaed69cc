"""The problems report: every rejected row of an import, as a CSV the user opens next to their file to correct it.

It is an export like any other (``core.exports``: cells a spreadsheet would run as formulas made inert, a
UTF-8 BOM, ``Cache-Control: no-store``, since the values come from a file that may name people), with one
choice of its own: Spanish Excel's separators (``;``, decimal comma) whatever the reader's language, because
it goes next to a file a Spanish ERP or spreadsheet exported, and that is what Excel in Spanish opens
correctly with a double click.
"""

import pandas as pd
from flask import Response
from flask_babel import gettext as _

from core.exports import export_response
from core.imports.result import ImportResult

#: The separators of the report's CSV (see the module's docstring).
REPORT_LOCALE = "es"


def error_report_frame(result: ImportResult) -> pd.DataFrame:
    """Every problem of the import, a row each: where it is in the user's file, the cell, and what is wrong."""
    rows = [(error.row, error.column or "", error.shown_value, error.message) for error in result.errors]
    return pd.DataFrame(rows, columns=[_("Row"), _("Column"), _("Value"), _("Problem")])


def error_report_response(result: ImportResult) -> Response:
    """The problems as a CSV download, ``problems.csv``."""
    return export_response(error_report_frame(result), "problems", "csv", locale=REPORT_LOCALE)


def error_report_csv(result: ImportResult) -> str:
    """The text of that download (it starts with the BOM)."""
    return error_report_response(result).get_data(as_text=True)
