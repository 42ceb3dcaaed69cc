"""Importing the census from CSV/XLSX (the import wizard's census importer); the history; the clients proposed
as lost."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from core.access import TEAM_DATA, allow
from core.extensions import db
from core.files import Owner
from core.imports import ImportFileError, parse_kept
from core.imports.forms import initial_mapping
from core.imports.frames import read_frame
from core.imports.wizard import Importer, Pending, register
from core.rules import rule_refusals
from loyalty import bp, census_import, demo_census
from loyalty.forms import AbsentForm, CensusUploadForm
from loyalty.models import CensusImport, ExitReason


class CensusImporter(Importer):
    """The census: one row per client, matched by code. A pending import is a ``CensusImport`` record, which
    stays in the census's own history (``imports``) with what the import did, or why it was not imported."""

    owner = Owner.CENSUS_IMPORT
    rule = "/import"
    endpoints = ("import_census", "import_check", "import_file")
    pending_arg = "import_id"
    title = _l("Import the census")
    intro = _l("Upload the CSV or XLSX file your ERP, CRM or spreadsheet exports, one row per client. You will check "
               "which column is which, see every row that cannot be imported and what will change, and only then "
               "import — all rows or none. Clients are matched by their code: known ones are updated, the others "
               "added.")
    columns_note = _l("Headers in Spanish or English are recognised, and the columns you choose are remembered for "
                      "the next import. Files saved by Excel in Spanish (semicolons, decimal commas, dates like "
                      "31/12/2024, Latin-1) are fine. Empty cells and missing columns leave what is recorded as it "
                      "is; an empty exit date never brings back a lost client.")
    parts = "loyalty/_census_import.html"
    upload_form = CensusUploadForm

    template_name = _l("census template")

    def spec(self, target):
        return census_import.spec()

    def example_rows(self, target) -> list[dict]:
        return census_import.example_rows()

    def read(self, data: bytes, filename: str):
        return read_frame(data, filename)

    def history(self, target):
        return None

    def notice(self, target):
        """The demo organisation's clients, while the census holds them."""
        return demo_census.demo_census()

    def start(self, stored, form, target) -> int:
        record = CensusImport(actor_id=current_user.id, stored_file=stored, filename=stored.filename,
                              size=stored.size, sha256=stored.sha256, year=form.year.data,
                              full_census=bool(form.full_census.data), mapping={})
        db.session.add(record)
        db.session.flush()
        self._first_check(Pending({"import_id": record.id}, stored, record=record))
        return record.id

    def _first_check(self, pending: Pending) -> None:
        """Check the file as its check page will first show it, so that the history says how many rows it has
        and how many are rejected, or why it cannot be read, even if the page is only looked at (a GET writes
        nothing); the page then reads and parses the file from the memo."""
        stored, spec = pending.stored, census_import.spec()
        try:
            table = self.read(stored.data, stored.filename)
        except ImportFileError as error:
            pending.record.note = str(error)
            return
        try:
            result = parse_kept(stored.data, table, spec, initial_mapping(spec, table.headers,
                                                                          self.remembered_mapping()))
        except ImportFileError:  # a required column the guess did not find: the check page asks for it
            return
        self.checked(self.check(result, pending), result, pending)

    def pending(self, ids, target) -> Pending:
        """An import of the current user's (others' uploads are not theirs to see)."""
        record = db.get_or_404(CensusImport, ids["import_id"])
        if record.actor_id != current_user.id:
            abort(404)
        return Pending(dict(ids), record.stored_file, record=record)

    def applied(self, pending: Pending) -> bool:
        return pending.record.imported_at is not None

    def lock(self, pending: Pending) -> bool:
        return census_import.lock_for_apply(pending.record)

    def remembered_mapping(self) -> dict:
        return census_import.remembered_mapping()

    def check(self, result, pending: Pending) -> census_import.CensusPlan:
        record = pending.record
        return census_import.check_result(result, year=record.year, full_census=record.full_census)

    def count(self, plan: census_import.CensusPlan) -> int:
        return plan.result.accepted_count

    def refusal(self, plan: census_import.CensusPlan, sent) -> str | None:
        if sent.get("census_version") != plan.census_version:
            return _("The census changed since this file was checked (another import or an edit of the same "
                     "clients). Nothing was imported: check what the import will do now, and confirm again.")
        if plan.warnings and not sent.get("years_checked"):
            return _("Some rows have figures for a year when the client was not a client. Nothing was imported: "
                     "tick “I have checked these” to import them as they are, or fix the file and upload it again.")
        return None

    def apply(self, plan: census_import.CensusPlan, result, pending: Pending, *, replace: bool) -> str:
        record = pending.record
        record.mapping = result.mapping
        census_import.apply(plan, record, replace_figures=replace,
                            change_exit_dates=request.form.get("exit_dates_changed") == "1")
        return _("Census imported: %(added)d clients added, %(updated)d updated; %(figures)d yearly figures added.",
                 added=record.added, updated=record.updated, figures=record.figures_added)

    def checked(self, plan: census_import.CensusPlan, result, pending: Pending) -> None:
        """The rows and rejected rows of the last check, for the history."""
        record = pending.record
        if (record.rejected, record.rows) != (result.rejected_count, result.total):
            record.rejected, record.rows = result.rejected_count, result.total

    def done_url(self, pending: Pending) -> str:
        return url_for("loyalty.import_done", import_id=pending.record.id)


register(bp, CensusImporter())


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
        with rule_refusals():
            recorded = census_import.confirm_lost(record, _chosen_ids(), form.left_on.data,
                                                  db.session.get(ExitReason, form.reason.data))
            if not recorded:
                flash(_("Choose the clients to record as lost."), "warning")
            else:
                db.session.commit()
                flash(_("%(count)d clients recorded as lost.", count=recorded), "success")
                return redirect(url_for(".import_done", import_id=record.id))
    absent, demo = None, None
    if record.full_census:
        absent = db.paginate(census_import.absent_query(record), per_page=current_app.config["PER_PAGE"])
        demo = census_import.absent_demo(record)
    return render_template("loyalty/import_done.html", record=record, absent=absent, form=form, demo=demo)


def _chosen_ids() -> list[int] | None:
    """The clients ticked, or None for every absent one ("all")."""
    if request.form.get("scope") == "all":
        return None
    return [int(value) for value in request.form.getlist("client") if value.isdigit()]

