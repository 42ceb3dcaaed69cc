"""Importing responses exported by other survey tools into a wave (upload, map columns, check, import)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SubmitField

from core.access import TEAM_DATA, allow
from core.extensions import db
from core.files import TABLES, Owner, download_response
from core.forms import AcceptedUpload
from core.imports import ImportFileError, error_report_csv, mapping_form_class, parse, read_table
from core.imports.retention import finish_import, import_history, pending_upload, store_import_upload
from surveys import bp, response_import
from surveys.models import Wave


class UploadForm(FlaskForm):
    file = FileField(_l("File (CSV or XLSX)"), validators=[AcceptedUpload(TABLES)])
    submit = SubmitField(_l("Upload and check"))


@bp.route("/waves/<int:wave_id>/import", methods=["GET", "POST"])
@allow(TEAM_DATA)
def import_responses(wave_id: int):
    """Step 1: upload the file exported by the other tool."""
    wave = db.get_or_404(Wave, wave_id)
    form = UploadForm()
    if form.validate_on_submit():
        stored = store_import_upload(form.file.data, owner=Owner.SURVEY_RESPONSE_IMPORT, actor=current_user)
        db.session.commit()
        return redirect(url_for(".import_responses_check", wave_id=wave.id, file_id=stored.id))
    return render_template("surveys/import_upload.html", form=form, wave=wave,
                           spec=response_import.response_spec(wave.survey),
                           history=import_history(Owner.SURVEY_RESPONSE_IMPORT, target_id=wave.id))


def _uploaded(file_id: int):
    return pending_upload(file_id, Owner.SURVEY_RESPONSE_IMPORT)


@bp.get("/waves/<int:wave_id>/import/<int:file_id>/file")
@allow(TEAM_DATA)
def import_responses_file(wave_id: int, file_id: int):
    """The file of one's own pending import, as uploaded (deleted as soon as its responses are written)."""
    db.get_or_404(Wave, wave_id)
    return download_response(_uploaded(file_id), owner=Owner.SURVEY_RESPONSE_IMPORT)


@bp.route("/waves/<int:wave_id>/import/<int:file_id>", methods=["GET", "POST"])
@allow(TEAM_DATA)
def import_responses_check(wave_id: int, file_id: int):
    """Steps 2 and 3: which column is which question, every rejected row, then import them all or none."""
    wave = db.get_or_404(Wave, wave_id)
    stored = _uploaded(file_id)
    spec = response_import.response_spec(wave.survey)
    try:
        table = read_table(stored.data, stored.filename)
    except ImportFileError as error:
        flash(str(error), "danger")
        return redirect(url_for(".import_responses", wave_id=wave.id))
    form = mapping_form_class(spec, table.headers)()
    context = {"wave": wave, "stored": stored, "table": table, "form": form, "result": None, "planned": []}
    if request.method == "POST" and not form.validate():
        return render_template("surveys/import_check.html", **context)
    try:
        result = parse(table, spec, form.mapping())
    except ImportFileError as error:
        return render_template("surveys/import_check.html", **context, problem=str(error))
    planned = response_import.plan(result, wave.survey)
    if request.form.get("confirm") and result.ok and planned:
        count = response_import.apply(wave, planned)
        # The file may name the respondents: it goes with the responses written, only counts stay.
        finish_import(stored, counts={"responses": count, "rows": result.total}, actor=current_user,
                      target_id=wave.id)
        db.session.commit()
        flash(_("Import done: %(n)d responses added.", n=count), "success")
        return redirect(url_for(".wave_results", wave_id=wave.id))
    if request.args.get("report") == "csv":
        return error_report_csv(result), 200, {"Content-Type": "text/csv; charset=utf-8",
                                                 "Content-Disposition": "attachment; filename=problems.csv"}
    return render_template("surveys/import_check.html", **{**context, "result": result, "planned": planned})
