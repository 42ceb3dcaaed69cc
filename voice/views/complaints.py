"""The register of enquiries, complaints, claims and incidents (B1): list, charts, record, answer, import."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from core import transitions
from core.access import TEAM_DATA, allow
from core.charts import chart_spec
from core.exports import table_response
from core.extensions import db
from core.files import Owner
from core.forms import EmptyForm, read_filters
from core.ids import record_id
from core.imports.wizard import Importer, register
from core.rules import rule_refusals
from core.transitions import ConfirmationNeeded
from core.versioning import submit_edit
from voice import bp, charts, complaint_import
from voice.complaints import (
    COMPLAINT_HISTORY_KIND,
    DEFAULT_CATEGORIES,
    ComplaintFilters,
    add_category,
    complaints_query,
    ensure_default_categories,
    monthly_figures,
    response_date_moves_back,
    save_complaint,
    summary,
)
from voice.forms import CategoryForm, ComplaintFilterForm, ComplaintForm
from voice.labels import CHANNEL_LABELS, CONTACT_KIND_LABELS, SATISFACTION_LABELS
from voice.models import Complaint, ComplaintCategory, Requirement


class RowsPage(Pagination):
    """A page of a multi-column query (flask-sqlalchemy's own pages return only the first column)."""

    def _query_items(self) -> list:
        query = self._query_args["query"]
        return db.session.execute(query.limit(self.per_page).offset(self._query_offset)).all()

    def _query_count(self) -> int:
        query = self._query_args["query"].order_by(None)
        return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _filters() -> tuple[ComplaintFilterForm, ComplaintFilters]:
    form = read_filters(ComplaintFilterForm(request.args))
    filters = ComplaintFilters(
        q=(form.q.data or "").strip() or None, kind=form.kind.data or None, category_id=form.category.data or None,
        channel=form.channel.data or None, status=form.status.data or None,
        client_id=request.args.get("client", type=record_id),
        start=form.start.data if not form.start.errors else None, end=form.end.data if not form.end.errors else None)
    return form, filters


def _sorted_query(filters):
    return complaints_query(filters, sort=request.args.get("sort", "received"),
                                     descending=request.args.get("dir", "desc") == "desc")


@bp.get("/complaints")
@allow(TEAM_DATA)
def complaints():
    """The register, filtered and sorted, with the monthly counts and response-time trend by category."""
    form, filters = _filters()
    page = RowsPage(query=_sorted_query(filters), per_page=current_app.config["PER_PAGE"])
    monthly = monthly_figures(filters)
    specs = {"counts": chart_spec(charts.monthly_counts_chart(monthly)) if monthly else None,
             "trend": chart_spec(charts.response_trend_chart(monthly))
             if any(row["response_days"] is not None for row in monthly) else None}
    return render_template("voice/complaints.html", form=form, page=page, summary=summary(filters),
                           specs=specs, filtered=filters != ComplaintFilters(), kinds=CONTACT_KIND_LABELS)


@bp.get("/complaints/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_complaints(fmt: str):
    """Every complaint matching the filters, as CSV or XLSX."""
    _form, filters = _filters()
    headers = [_("Reference"), _("Kind"), _("Received on"), _("Channel"), _("Category"), _("Client code"),
               _("Description"), _("Responded on"), _("Response time (days)"), _("Resolution"),
               _("Satisfaction with the resolution (1–5)")]
    data = [(c.reference, str(CONTACT_KIND_LABELS[c.kind]), c.received_on, str(CHANNEL_LABELS[c.channel]), category,
             code, c.description, c.responded_on, days, c.resolution, c.satisfaction)
            for c, category, code, days in db.session.execute(_sorted_query(filters))]
    return table_response(headers, data, _("complaints"), fmt)


@bp.route("/complaints/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_complaint():
    """Record an enquiry, complaint, claim or incident (and its answer, if it is already answered)."""
    form = ComplaintForm(client_code=request.args.get("client"))
    if form.validate_on_submit():
        with rule_refusals(form.responded_on):
            complaint = save_complaint(None, form.record_data(), actor=current_user)
            db.session.commit()
            flash(_("Recorded: %(what)s.", what=str(complaint)), "success")
            return redirect(url_for(".complaint_detail", complaint_id=complaint.id))
    return render_template("voice/complaint_form.html", form=form, complaint=None)


@bp.get("/complaints/<int:complaint_id>")
@allow(TEAM_DATA)
def complaint_detail(complaint_id: int):
    """One complaint: what the client said, the answer, the response time and the requirements it raised."""
    complaint = db.get_or_404(Complaint, complaint_id)
    requirements = list(db.session.scalars(select(Requirement).where(Requirement.complaint_id == complaint.id)))
    return render_template("voice/complaint.html", complaint=complaint, requirements=requirements,
                           kinds=CONTACT_KIND_LABELS, channels=CHANNEL_LABELS, satisfaction=SATISFACTION_LABELS,
                           history=transitions.history(COMPLAINT_HISTORY_KIND, complaint.id))


@bp.route("/complaints/<int:complaint_id>/edit", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_complaint(complaint_id: int):
    """Change a complaint, or record its answer."""
    complaint = db.get_or_404(Complaint, complaint_id)
    form = ComplaintForm(obj=complaint, category_id=complaint.category_id)
    if request.method == "GET":
        form.kind.data, form.channel.data = complaint.kind.value, complaint.channel.value
        form.client_code.data = complaint.client.code if complaint.client else ""
    conflict, preview = None, None
    with rule_refusals(form.date_reason if response_date_moves_back(complaint, form.record_data())
                       else form.responded_on):
        try:
            saved, conflict = submit_edit(form, complaint, lambda: save_complaint(
                complaint, form.record_data(), actor=current_user, version=form.version.data,
                date_reason=form.date_reason.data, confirmed=form.confirm.data == "yes"))
        except ConfirmationNeeded:
            # The form again, showing what the change does to the criteria: saving it now confirms.
            saved, form.confirm.data = False, "yes"
            preview = transitions.preview(lambda: save_complaint(
                complaint, form.record_data(), actor=current_user, version=form.version.data,
                date_reason=form.date_reason.data or transitions.PREVIEW_REASON))
        if saved:
            db.session.commit()
            flash(_("Saved: %(what)s.", what=str(complaint)), "success")
            return redirect(url_for(".complaint_detail", complaint_id=complaint.id))
    return render_template("voice/complaint_form.html", form=form, complaint=complaint, conflict=conflict,
                           preview=preview)


@bp.route("/complaints/categories", methods=["GET", "POST"])
@allow(TEAM_DATA)
def complaint_categories():
    """The categories complaints are filed under; add one, or stop offering one (its records stay)."""
    form = CategoryForm()
    if form.validate_on_submit():
        with rule_refusals(form.name):
            category = add_category(form.name.data)
            db.session.commit()
            flash(_("Category “%(name)s” added.", name=category.name), "success")
            return redirect(url_for(".complaint_categories"))
    counts = dict(db.session.execute(select(Complaint.category_id, func.count())
                                     .group_by(Complaint.category_id)).all())
    categories = list(db.session.scalars(select(ComplaintCategory).order_by(func.lower(ComplaintCategory.name))))
    return render_template("voice/categories.html", form=form, categories=categories, counts=counts,
                           usual=DEFAULT_CATEGORIES)


@bp.post("/complaints/categories/usual")
@allow(TEAM_DATA)
def add_usual_categories():
    """Start an empty list with the usual categories (delays, errors, treatment…)."""
    if EmptyForm().validate_on_submit():
        ensure_default_categories()
        db.session.commit()
    return redirect(url_for(".complaint_categories"))


@bp.post("/complaints/categories/<int:category_id>/toggle")
@allow(TEAM_DATA)
def toggle_category(category_id: int):
    """Offer a category again, or stop offering it for new records."""
    category = db.get_or_404(ComplaintCategory, category_id)
    if EmptyForm().validate_on_submit():
        category.active = not category.active
        db.session.commit()
    return redirect(url_for(".complaint_categories"))


class ComplaintImporter(Importer):
    """Enquiries, complaints, claims and incidents exported by a ticketing tool or a spreadsheet, a row each."""

    owner = Owner.COMPLAINT_IMPORT
    rule = "/complaints/import"
    endpoints = ("import_complaints", "import_complaints_check", "import_complaints_file")
    title = _l("Import enquiries, complaints, claims and incidents")
    crumb = _l("Import")
    intro = _l("Upload a CSV or XLSX file with one row per enquiry, complaint, claim or incident, as your ticketing "
               "tool or spreadsheet exports it. You will check which column is which and see every row that cannot "
               "be imported; then all rows are imported, or none.")
    columns_note = _l("Kinds: consulta/enquiry, queja/complaint, reclamación/claim, incidencia/incident. Categories "
                      "are the organisation's own: a kind, channel or category your file writes its own way is "
                      "matched once on the check page, and remembered. Client codes must be in the census. Headers "
                      "in Spanish or English are recognised.")
    parts = "voice/_complaint_import.html"

    template_name = _l("complaints template")

    def spec(self, target):
        return complaint_import.spec()

    def example_rows(self, target) -> list[dict]:
        return complaint_import.example_rows()

    def check(self, result, pending) -> list[dict]:
        return complaint_import.plan(result)

    def write(self, plan, pending, *, replace: bool) -> dict[str, int]:
        return {"added": complaint_import.apply(plan, actor=current_user)}

    def message(self, counts: dict[str, int]) -> str:
        return _("Import done: %(count)d records added.", count=counts["added"])

    def done_url(self, pending) -> str:
        return url_for("voice.complaints")


register(bp, ComplaintImporter())
