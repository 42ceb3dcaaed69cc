"""The checklist with its readiness and gaps, one criterion with all its evidence, and criteria sets."""

import base64
import binascii

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from core import reviews as core_reviews
from core import transitions
from core.access import COORDINATION, COORDINATORS_ONLY, REVIEW, TEAM_DATA, allow
from core.exports import table_response
from core.extensions import db
from core.forms import ConfirmChangeForm, EmptyForm, options, read_filters
from core.ids import record_id
from core.shared_reads import reading_together
from core.ui import confirmation_posted, flash_form_errors, next_or
from evidence import bp, listing, reload, reviews, services, switching
from evidence.criteria_sets import (
    MAX_BYTES,
    CriteriaFileError,
    current_set,
    ensure_builtin_sets,
    install_set,
    parse_criteria_file,
)
from evidence.forms import (
    ChecklistFilterForm,
    CriteriaSetForm,
    EvidenceForm,
    ItemReviewForm,
    PackForm,
    ReloadSetForm,
    RevisionForm,
    SelfAssessmentForm,
    VerdictForm,
)
from evidence.models import CriteriaSet, EvidenceItem, SelfAssessment, Verdict
from evidence.records import parse_record, record_choices, record_link
from evidence.views.common import chosen_set, criterion_or_404, language


def _checklist_filters() -> tuple[ChecklistFilterForm, listing.ChecklistFilters]:
    form = read_filters(ChecklistFilterForm(request.args))
    return form, listing.ChecklistFilters(q=(form.q.data or "").strip() or None, status=form.status.data or None)


@bp.get("/")
@allow(TEAM_DATA)
def checklist():
    """The criteria of the set in use: automatic status, self-assessment, verdict, readiness and one gap list
    (readiness over every criterion, the list and the gaps as filtered)."""
    sets = db.session.scalars(db.select(CriteriaSet).order_by(CriteriaSet.id)).all()
    if not sets:  # stored at setup, never by a visit: a page that is read writes nothing
        return render_template("evidence/no_set.html", install_form=EmptyForm())
    form, filters = _checklist_filters()
    with reading_together():  # the rows and the records past their review date read the same assessments and items
        criteria_set = chosen_set(request.args.get("set", type=record_id))
        rows = services.checklist(criteria_set)
        overdue = core_reviews.overdue(core_reviews.today())
    shown = listing.listed(rows, filters, language())
    return render_template("evidence/checklist.html", criteria_set=criteria_set, rows=rows, shown=shown, sets=sets,
                           readiness=services.readiness(rows), gaps=services.gap_list(shown), lang=language(),
                           without_source=services.without_source(rows), form=form,
                           filtered=filters != listing.ChecklistFilters(), pack_form=PackForm(language=language()),
                           overdue=overdue, review_summary=core_reviews.summary)


@bp.get("/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_checklist(fmt: str):
    """The checklist as filtered: each criterion's automatic status and why, its gaps, the latest self-assessment
    and verdict, as CSV or XLSX."""
    criteria_set = chosen_set(request.args.get("set", type=record_id))
    _form, filters = _checklist_filters()
    rows = listing.listed(services.checklist(criteria_set), filters, language())
    headers, data = listing.checklist_table(rows, language())
    return table_response(headers, data, _("checklist - %(set)s", set=criteria_set.code), fmt)


@bp.get("/criteria/<int:criterion_id>")
@allow(TEAM_DATA)
def criterion(criterion_id: int):
    """One criterion: its text and areas, automatic evidence in detail, manual evidence, assessments, verdicts."""
    item = criterion_or_404(criterion_id)
    row = services.checklist(item.criteria_set, detail=True, only=item)[0]
    return render_template(
        "evidence/criterion.html", criterion=item, row=row, lang=language(), record_link=record_link,
        assessments=services.history(SelfAssessment, item), verdicts=services.history(Verdict, item),
        assessment_form=SelfAssessmentForm(), verdict_form=VerdictForm(), evidence_form=_evidence_form(item),
        revision_form=RevisionForm(), pack_form=PackForm(language=language(), scope=item.code),
        file_histories=services.item_histories(e.id for e in row.evidence),
        item_flags={e.id: reviews.item_flags(e, core_reviews.today()) for e in row.evidence},
        assessment_due=reviews.assessment_review_due(row.self_assessment) if row.self_assessment else None,
        today=core_reviews.today(), review_forms={e.id: ItemReviewForm(prefix=f"item{e.id}", obj=e)
                                                  for e in row.evidence})


def _evidence_form(criterion) -> EvidenceForm:
    form = EvidenceForm(criteria=[criterion.id])  # on POST the submitted data wins
    form.criteria.choices = options((c.id, f"{c.code} · {c.text_in(language())[:80]}")
                                    for c in criterion.criteria_set.criteria)
    form.record.choices = options([("", _("None"))] + record_choices())
    return form


@bp.post("/criteria/<int:criterion_id>/self-assessment")
@allow(COORDINATION)
def self_assess(criterion_id: int):
    """Record the coordinator's self-assessment of a criterion (the earlier ones stay as history)."""
    item = criterion_or_404(criterion_id)
    form = SelfAssessmentForm()
    if form.validate_on_submit():
        services.record_self_assessment(item, form.status.data, form.comment.data, actor=current_user,
                                        review_interval_months=form.review_interval_months.data)
        db.session.commit()
        flash(_("Self-assessment of %(code)s recorded.", code=item.code), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for(".criterion", criterion_id=item.id, _anchor="assessments"))


@bp.post("/criteria/<int:criterion_id>/verdict")
@allow(REVIEW)
def record_verdict(criterion_id: int):
    """Record a reviewer's verdict on a criterion, dated (the earlier ones stay as history)."""
    item = criterion_or_404(criterion_id)
    form = VerdictForm()
    if form.validate_on_submit():
        services.record_verdict(item, form.status.data, form.comment.data, actor=current_user)
        db.session.commit()
        flash(_("Verdict on %(code)s recorded.", code=item.code), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for(".criterion", criterion_id=item.id, _anchor="verdicts"))


@bp.post("/criteria/<int:criterion_id>/evidence")
@allow(COORDINATION)
def add_evidence(criterion_id: int):
    """Add manual evidence (a file, a note or both) linked to criteria and, optionally, to a record."""
    item = criterion_or_404(criterion_id)
    form = _evidence_form(item)
    if form.validate_on_submit():
        chosen = [c for c in item.criteria_set.criteria if c.id in set(form.criteria.data)]
        services.add_evidence(form.title.data, criteria=chosen, note=form.note.data, upload=form.file.data,
                              record=parse_record(form.record.data), actor=current_user)
        db.session.commit()
        flash(_("Evidence “%(title)s” added.", title=form.title.data.strip()), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for(".criterion", criterion_id=item.id, _anchor="manual-evidence"))


def _criterion_url(item: EvidenceItem, criterion_id: int | None) -> str:
    back = criterion_id or (item.criteria[0].id if item.criteria else None)
    return url_for(".criterion", criterion_id=back, _anchor="manual-evidence") if back else url_for(".checklist")


def _back_to_criterion(item: EvidenceItem, criterion_id: int | None):
    return redirect(_criterion_url(item, criterion_id))


@bp.post("/evidence/<int:item_id>/revisions")
@allow(COORDINATION)
def add_revision(item_id: int):
    """Replace an evidence file with a new version (the earlier versions are kept with their hashes, the replaced
    one marked superseded), or give an item without a file its file. Replacing a file in force is confirmed on the
    page that says what it changes (``replace_file``), whose form posts here."""
    item = db.get_or_404(EvidenceItem, item_id)
    form = RevisionForm()
    criterion_id = request.form.get("criterion", type=record_id)
    if item.current_revision is not None and form.confirm.data != "yes":
        return redirect(url_for(".replace_file", item_id=item.id, criterion=criterion_id))
    if form.validate_on_submit():
        revision = services.add_revision(item, form.file.data, comment=form.comment.data, actor=current_user)
        db.session.commit()
        flash(_("Version %(number)d of “%(title)s” uploaded.", number=revision.number, title=item.title), "success")
    else:
        flash_form_errors(form)
    return _back_to_criterion(item, criterion_id)


@bp.post("/evidence/<int:item_id>/review")
@allow(COORDINATION)
def review_item(item_id: int):
    """Set an evidence item's review interval and validity date and, ticked, record today's review."""
    item = db.get_or_404(EvidenceItem, item_id)
    criterion_id = request.form.get("criterion", type=record_id)
    form = ItemReviewForm(prefix=f"item{item.id}")
    if form.validate_on_submit():
        reviews.save_item_review(item, interval_months=form.review_interval_months.data,
                                 valid_until=form.valid_until.data,
                                 reviewed_on=core_reviews.today() if form.reviewed.data else None, actor=current_user)
        db.session.commit()
        flash(_("Review of “%(title)s” saved.", title=item.title), "success")
    else:
        flash_form_errors(form)
    return _back_to_criterion(item, criterion_id)


@bp.get("/evidence/<int:item_id>/replace")
@allow(COORDINATION)
def replace_file(item_id: int):
    """What replacing the item's file changes for the criteria that rely on it, with the form to upload the new
    version (confirmed) or cancel."""
    item = db.get_or_404(EvidenceItem, item_id)
    criterion_id = request.args.get("criterion", type=record_id)
    if item.current_revision is None:
        return _back_to_criterion(item, criterion_id)
    return render_template("evidence/file_change.html", item=item, removing=False, criterion_id=criterion_id,
                           notes=services.file_change_consequences(item, removing=False), preview=None,
                           form=RevisionForm(confirm="yes"))


@bp.route("/evidence/<int:item_id>/remove-file", methods=["GET", "POST"])
@allow(COORDINATION)
def remove_file(item_id: int):
    """Take an item's file out of the evidence, saying why, once the page has shown what that changes; the version
    stays (superseded, still readable) and the item keeps its note and criteria."""
    item = db.get_or_404(EvidenceItem, item_id)
    criterion_id = request.values.get("criterion", type=record_id)
    form = ConfirmChangeForm()
    if item.current_revision is None:
        return _back_to_criterion(item, criterion_id)
    if request.method == "POST":
        response = confirmation_posted(
            form, lambda reason, confirmed: services.remove_file(item, actor=current_user, reason=reason,
                                                                  confirmed=confirmed),
            again_url=url_for(".remove_file", item_id=item.id, criterion=criterion_id),
            done_url=_criterion_url(item, criterion_id),
            message=_("The file of “%(title)s” was removed from the evidence; its versions are kept.",
                      title=item.title))
        if response is not None:
            return response
    preview = transitions.preview(lambda: services.remove_file(
        item, actor=current_user, reason=form.reason.data or transitions.PREVIEW_REASON, confirmed=True))
    return render_template("evidence/file_change.html", item=item, removing=True, criterion_id=criterion_id,
                           notes=services.file_change_consequences(item, removing=True), preview=preview,
                           form=form)


@bp.post("/sets/shipped")
@allow(COORDINATORS_ONLY)
def install_shipped_sets():
    """Store the criteria sets shipped with Fideliza that are not stored yet (what ``flask evidence load-criteria``
    does at setup), then go back to the page that asked."""
    if EmptyForm().validate_on_submit():
        added = ensure_builtin_sets()
        db.session.commit()
        flash(ngettext("%(num)d criteria set stored.", "%(num)d criteria sets stored.", len(added)), "success")
    return redirect(next_or(url_for(".checklist")))


@bp.route("/sets", methods=["GET", "POST"])
@allow(COORDINATION)
def criteria_sets():
    """The criteria sets: the shipped checklist and the coordinators' own, added from a file."""
    form, errors = CriteriaSetForm(), []
    if form.validate_on_submit():
        try:
            raw = form.file.data.read(MAX_BYTES + 1)  # more is refused whole
            data = parse_criteria_file(raw)
            stored = db.session.scalar(db.select(CriteriaSet).where(CriteriaSet.code == data.code))
            if stored is not None:  # a new version of a set's file: shown criterion by criterion first
                return _reload_page(stored, data, raw, form.file.data.filename, ReloadSetForm(formdata=None))
            criteria_set = install_set(data, source=form.file.data.filename)
        except CriteriaFileError as error:
            db.session.rollback()
            errors = error.errors
        else:
            db.session.commit()
            flash(_("Criteria set “%(name)s” added with %(n)d criteria.", name=criteria_set.title(language()),
                    n=len(criteria_set.criteria)), "success")
            return redirect(url_for(".criteria_sets"))
    sets = db.session.scalars(db.select(CriteriaSet).order_by(CriteriaSet.id)).all()
    return render_template("evidence/sets.html", form=form, errors=errors, sets=sets, lang=language(),
                           use_form=EmptyForm(), history=switching.switch_history(),
                           reloads=reload.reload_history()), 400 if errors else 200


def _reload_page(criteria_set: CriteriaSet, data, raw: bytes, source: str | None, form: ReloadSetForm,
                 status: int = 200):
    """What loading the new version of the file changes, criterion by criterion, to confirm or cancel."""
    plan = reload.reload_plan(criteria_set, data)
    form.content.data, form.source.data = base64.b64encode(raw).decode("ascii"), source
    return render_template("evidence/reload_set.html", criteria_set=criteria_set, plan=plan, form=form,
                           lang=language()), status


@bp.post("/sets/<int:set_id>/reload")
@allow(COORDINATION)
def reload_set(set_id: int):
    """Load the new version of a set's file the page showed (the file comes back in the form and is checked
    again); one that changes or retires criteria with verdicts or evidence needs the tick and a reason."""
    criteria_set = db.get_or_404(CriteriaSet, set_id)
    form = ReloadSetForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        raw = base64.b64decode(form.content.data, validate=True)
        data = parse_criteria_file(raw)
    except (binascii.Error, ValueError, CriteriaFileError):
        abort(400)
    if data.code != criteria_set.code:
        abort(400)
    plan = reload.reload_plan(criteria_set, data)
    if plan.needs_confirmation:
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm.")]
        if not (form.reason.data or "").strip():
            form.reason.errors = [_("Say why the set's criteria change.")]
        if form.confirm.errors or form.reason.errors:
            return _reload_page(criteria_set, data, raw, form.source.data, form, 400)
    reload.apply_reload(plan, actor=current_user, reason=form.reason.data, confirmed=bool(form.confirm.data),
                        source=form.source.data or None)
    db.session.commit()
    flash(_("The criteria of “%(name)s” follow the new version of its file.", name=criteria_set.title(language())),
          "success")
    return redirect(url_for(".criteria_sets"))


@bp.route("/sets/<int:set_id>/use", methods=["GET", "POST"])
@allow(COORDINATION)
def use_set(set_id: int):
    """Make a set the one the organisation certifies against (the checklist opens on it), once this page has
    shown what that changes criterion by criterion, and saying why."""
    chosen = db.get_or_404(CriteriaSet, set_id)
    form = ConfirmChangeForm()
    if request.method == "POST":
        response = confirmation_posted(
            form, lambda reason, confirmed: switching.use_set(chosen, actor=current_user, reason=reason,
                                                               confirmed=confirmed),
            again_url=url_for(".use_set", set_id=chosen.id), done_url=url_for(".criteria_sets"),
            cancel_url=url_for(".criteria_sets"),
            message=_("The checklist now follows “%(name)s”.", name=chosen.title(language())))
        if response is not None:
            return response
    in_use = current_set()
    if in_use is not None and in_use.id == chosen.id and chosen.is_current:
        return redirect(url_for(".criteria_sets"))
    return render_template("evidence/switch_set.html", chosen=chosen, in_use=in_use, lang=language(), form=form,
                           changes=switching.switch_consequences(chosen))
