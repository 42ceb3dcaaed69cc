"""Importing the census from CSV/XLSX: upload, map and check, import; the history; the clients proposed as lost."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core.access import TEAM_DATA, allow
from core.extensions import db
from core.files import Owner, download_response
from core.imports import ImportFileError, error_report_csv, mapping_form_class
from core.imports.frames import read_frame
from core.imports.retention import keep_days, store_import_upload
from loyalty import bp, census_import, services
from loyalty.forms import AbsentForm, CensusUploadForm
from loyalty.models import CensusImport, Client, ExitReason

#: Rejected rows shown on the page; the downloadable report has them all.
ERRORS_SHOWN = 500


@bp.route("/import", methods=["GET", "POST"])
@allow(TEAM_DATA)
def import_census():
    """Step 1: upload the census file (kept, so the next steps can read it again) and say what it is."""
    form = CensusUploadForm()
    if form.validate_on_submit():
        stored = store_import_upload(form.file.data, owner=Owner.CENSUS_IMPORT, actor=current_user)
        record = CensusImport(actor_id=current_user.id, stored_file=stored, filename=stored.filename,
                              size=stored.size, sha256=stored.sha256, year=form.year.data,
                              full_census=bool(form.full_census.data), mapping={})
        db.session.add(record)
        db.session.commit()
        return redirect(url_for(".import_check", import_id=record.id))
    return render_template("loyalty/import_upload.html", form=form, spec=census_import.SPEC)


def _pending(import_id: int) -> CensusImport:
    """An import of the current user's not yet done (others' uploads are not theirs to see)."""
    record = db.get_or_404(CensusImport, import_id)
    if record.actor_id != current_user.id:
        abort(404)
    return record


@bp.route("/import/<int:import_id>", methods=["GET", "POST"])
@allow(TEAM_DATA)
def import_check(import_id: int):
    """Steps 2 and 3: which column is which, every rejected row, what will change; then import it all."""
    record = _pending(import_id)
    confirming = request.method == "POST" and bool(request.form.get("confirm"))
    # A second confirmation (a double click) waits in lock_for_apply for the first, then finds it applied.
    if record.imported_at is not None or (confirming and not census_import.lock_for_apply(record)):
        db.session.rollback()
        if confirming:
            flash(_("This file has already been imported (the first confirmation did it)."), "info")
        return redirect(url_for(".import_done", import_id=record.id))
    stored = record.stored_file
    if stored is None:
        flash(_("The file of this import was deleted after %(days)d days without being imported: upload it again.",
                days=keep_days()), "warning")
        return redirect(url_for(".import_census"))
    try:
        table = read_frame(stored.data, stored.filename)
    except ImportFileError as error:
        record.note = str(error)
        db.session.commit()
        flash(str(error), "danger")
        return redirect(url_for(".import_census"))
    form = mapping_form_class(census_import.SPEC, table.headers, census_import.remembered_mapping())()
    context = {"record": record, "table": table, "form": form, "plan": None, "errors_shown": ERRORS_SHOWN}
    if request.method == "POST" and not form.validate():
        return render_template("loyalty/import_check.html", **context)
    try:
        plan = census_import.check(table, form.mapping(), year=record.year, full_census=record.full_census)
    except ImportFileError as error:  # a required column is not mapped yet
        return render_template("loyalty/import_check.html", **context, problem=str(error))
    if request.args.get("report") == "csv":
        return error_report_csv(plan.result), 200, {"Content-Type": "text/csv; charset=utf-8",
                                                      "Content-Disposition": "attachment; filename=problems.csv"}
    if confirming and plan.result.ok and request.form.get("census_version") != plan.census_version:
        db.session.rollback()  # the census changed since the page the user confirmed: show it as it is now
        flash(_("The census changed since this file was checked (another import or an edit of the same clients). "
                "Nothing was imported: check what the import will do now, and confirm again."), "warning")
        return render_template("loyalty/import_check.html", **context | {"plan": plan})
    if confirming and plan.result.ok:
        record.mapping = form.mapping()
        census_import.apply(plan, record, replace_figures=request.form.get("existing") == "replace")
        db.session.commit()
        flash(_("Census imported: %(added)d clients added, %(updated)d updated; %(figures)d yearly figures added.",
                added=record.added, updated=record.updated, figures=record.figures_added), "success")
        return redirect(url_for(".import_done", import_id=record.id))
    if record.rejected != plan.result.rejected_count or record.rows != plan.result.total:
        record.rejected, record.rows = plan.result.rejected_count, plan.result.total
        db.session.commit()
    return render_template("loyalty/import_check.html", **context | {"plan": plan})


@bp.get("/import/<int:import_id>/file")
@allow(TEAM_DATA)
def import_file(import_id: int):
    """The file of one's own pending census import, as uploaded (deleted once imported or abandoned)."""
    record = _pending(import_id)
    return download_response(record.stored_file if record.imported_at is None else None, owner=Owner.CENSUS_IMPORT)


@bp.get("/imports")
@allow(TEAM_DATA)
def imports():
    """Every census file uploaded: who, when, which file, and what it added, updated, marked lost or rejected."""
    query = select(CensusImport).order_by(CensusImport.id.desc())
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"])
    return render_template("loyalty/imports.html", page=page)


@bp.route("/imports/<int:import_id>", methods=["GET", "POST"])
@allow(TEAM_DATA)
def import_done(import_id: int):
    """An import's outcome and, after a full census, the clients it did not list: confirm them as lost."""
    record = db.get_or_404(CensusImport, import_id)
    if record.imported_at is None:
        abort(404)
    form = AbsentForm()
    if request.method == "POST" and form.validate_on_submit():
        chosen = _chosen_clients(record)
        if not chosen:
            flash(_("Choose the clients to record as lost."), "warning")
        else:
            reason = db.session.get(ExitReason, form.reason.data)
            try:
                for client in chosen:
                    services.mark_lost(client, form.left_on.data, reason)
            except services.CensusRuleError as error:
                db.session.rollback()
                flash(f"{client.code}: {error}", "danger")
            else:
                record.marked_lost += len(chosen)
                db.session.commit()
                flash(_("%(count)d clients recorded as lost.", count=len(chosen)), "success")
                return redirect(url_for(".import_done", import_id=record.id))
    absent = None
    if record.full_census:
        absent = db.paginate(census_import.absent_query(record), per_page=current_app.config["PER_PAGE"])
    return render_template("loyalty/import_done.html", record=record, absent=absent, form=form)


def _chosen_clients(record: CensusImport) -> list[Client]:
    """The clients ticked (or every absent one with "all"), always among those the import proposed."""
    query = census_import.absent_query(record)
    if request.form.get("scope") != "all":
        ids = [int(value) for value in request.form.getlist("client") if value.isdigit()]
        query = query.where(Client.id.in_(ids or [0]))
    return list(db.session.scalars(query))

