"""Indicator data in and out: exporting a series, importing measurements from CSV/XLSX."""

import pandas as pd
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SubmitField

from core.access import TEAM_DATA, allow
from core.exports import export_response
from core.extensions import db
from core.files import TABLES, Owner, download_response
from core.forms import AcceptedUpload
from core.imports import ImportFileError, error_report_csv, mapping_form_class, parse, read_table
from core.imports.retention import finish_import, import_history, pending_upload, store_import_upload
from processes import bp, measurement_import
from processes import indicators as logic
from processes.models import Indicator


class UploadForm(FlaskForm):
    file = FileField(_l("File (CSV or XLSX)"), validators=[AcceptedUpload(TABLES)])
    submit = SubmitField(_l("Upload and check"))


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


@bp.route("/measurements/import", methods=["GET", "POST"])
@allow(TEAM_DATA)
def import_measurements():
    """Step 1 of an import: upload the file (it is kept so the next steps can read it again)."""
    form = UploadForm()
    if form.validate_on_submit():
        stored = store_import_upload(form.file.data, owner=Owner.MEASUREMENT_IMPORT, actor=current_user)
        db.session.commit()
        return redirect(url_for(".import_measurements_check", file_id=stored.id))
    return render_template("processes/import_upload.html", form=form, spec=measurement_import.SPEC,
                           history=import_history(Owner.MEASUREMENT_IMPORT))


def _uploaded(file_id: int):
    return pending_upload(file_id, Owner.MEASUREMENT_IMPORT)


@bp.get("/measurements/import/<int:file_id>/file")
@allow(TEAM_DATA)
def import_measurements_file(file_id: int):
    """The file of one's own pending import, as uploaded (deleted once imported or abandoned)."""
    return download_response(_uploaded(file_id), owner=Owner.MEASUREMENT_IMPORT)


@bp.route("/measurements/import/<int:file_id>", methods=["GET", "POST"])
@allow(TEAM_DATA)
def import_measurements_check(file_id: int):
    """Step 2 and 3: check the columns, see every rejected row and what will change, then import it all."""
    stored = _uploaded(file_id)
    try:
        table = read_table(stored.data, stored.filename)
    except ImportFileError as error:
        flash(str(error), "danger")
        return redirect(url_for(".import_measurements"))
    mapping_form = mapping_form_class(measurement_import.SPEC, table.headers)()
    if request.method == "POST" and not mapping_form.validate():
        return render_template("processes/import_check.html", stored=stored, table=table, form=mapping_form,
                               result=None, planned=[])
    try:
        result = parse(table, measurement_import.SPEC, mapping_form.mapping())
    except ImportFileError as error:  # a required column is not mapped yet
        return render_template("processes/import_check.html", stored=stored, table=table, form=mapping_form,
                               result=None, planned=[], problem=str(error))
    planned = measurement_import.plan(result, user=current_user)
    if request.form.get("confirm") and result.ok and planned:
        replace = request.form.get("existing") == "replace"
        counts = measurement_import.apply(planned, actor=current_user, replace=replace)
        finish_import(stored, counts=counts | {"rows": result.total}, actor=current_user)
        db.session.commit()
        flash(_("Import done: %(added)d values added, %(replaced)d replaced, %(kept)d kept as they were, "
                "%(unchanged)d already recorded.", **counts), "success")
        return redirect(url_for(".import_measurements"))
    if request.args.get("report") == "csv":
        return error_report_csv(result), 200, {"Content-Type": "text/csv; charset=utf-8",
                                                 "Content-Disposition": "attachment; filename=problems.csv"}
    return render_template("processes/import_check.html", stored=stored, table=table, form=mapping_form,
                           result=result, planned=planned)
