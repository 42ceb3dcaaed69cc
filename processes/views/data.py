"""Indicator data in and out: exporting a series, importing measurements from CSV/XLSX (the import wizard)."""

import pandas as pd
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.access import TEAM_DATA, allow
from core.exports import export_response
from core.extensions import db
from core.files import Owner
from core.imports.wizard import Importer, register
from processes import bp, measurement_import
from processes import indicators as logic
from processes.models import Indicator


@bp.get("/indicators/<int:indicator_id>/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_indicator(indicator_id: int, fmt: str):
    """Download an indicator's history (period, value, target, status, comment) as CSV or XLSX."""
    indicator = db.get_or_404(Indicator, indicator_id)
    rows = [{_("Period"): row["label"], _("Value"): row["value"], _("Target"): row["target"],
             _("Status"): row["status"].label, _("Comment"): row["comment"] or ""}
            for row in logic.series(indicator)]
    frame = pd.DataFrame(rows, columns=[_("Period"), _("Value"), _("Target"), _("Status"), _("Comment")])
    return export_response(frame, f"{indicator.code}-{indicator.name}", fmt)


class MeasurementImporter(Importer):
    """Measurements of the indicators the user may record, one row per indicator and period; values already
    recorded are kept or replaced, as the user chooses."""

    owner = Owner.MEASUREMENT_IMPORT
    rule = "/measurements/import"
    endpoints = ("import_measurements", "import_measurements_check", "import_measurements_file")
    title = _l("Import measurements")
    intro = _l("Upload a CSV or XLSX file with one row per indicator and period. You will check which column is "
               "which, see every row that cannot be imported and what will change, and only then import — all rows "
               "or none.")
    parts = "processes/_measurement_import.html"

    template_name = _l("measurements template")

    def spec(self, target):
        return measurement_import.SPEC

    def example_rows(self, target) -> list[dict]:
        return measurement_import.example_rows(current_user)

    def check(self, result, pending) -> list[measurement_import.PlannedValue]:
        return measurement_import.plan(result, user=current_user)

    def write(self, plan, pending, *, replace: bool) -> dict[str, int]:
        return measurement_import.apply(plan, actor=current_user, replace=replace)

    def message(self, counts: dict[str, int]) -> str:
        return _("Import done: %(added)d values added, %(replaced)d replaced, %(kept)d kept as they were, "
                 "%(unchanged)d already recorded.", **counts)

    def done_url(self, pending) -> str:
        return url_for("processes.import_measurements")


register(bp, MeasurementImporter())
