"""The module's overview with the C1 counter, the board by status, prioritisation and its criteria."""

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from core.access import COORDINATION, TEAM_DATA, allow
from core.charts import chart_spec
from core.exports import table_response
from core.extensions import db
from core.forms import read_filters
from core.versioning import submit_edit
from improvements import bp, listing, scoring, work
from improvements.charts import impact_effort_chart
from improvements.evidence import c1_counter_required
from improvements.forms import CriterionForm, ImprovementFilterForm, score_form
from improvements.listing import ImprovementFilters
from improvements.models import DONE, STATUS_LABELS, Group, Improvement, PriorityCriterion, Status
from improvements.queries import c1_overview, group_improvements, task_counts
from improvements.services import may_edit_group
from improvements.views.common import done, editable_improvement, today

#: The board's columns, left to right.
COLUMNS = (Status.OPPORTUNITY, Status.PROPOSED, Status.APPROVED, Status.IN_PROGRESS, Status.IMPLEMENTED,
           Status.VERIFIED, Status.CANCELLED)


@bp.get("/")
@allow(TEAM_DATA)
def index():
    """The improvement groups, the C1 counter and where each improvement stands."""
    status, _assessments = c1_overview(c1_counter_required())
    counts = dict(db.session.execute(select(Improvement.group_id, func.count(Improvement.id))
                                     .group_by(Improvement.group_id)).all())
    groups = list(db.session.scalars(select(Group).order_by(Group.name)))
    return render_template("improvements/index.html", c1=status, groups=groups, counts=counts)


def _filters() -> tuple[ImprovementFilterForm, ImprovementFilters]:
    form = read_filters(ImprovementFilterForm(request.args))
    return form, ImprovementFilters(q=(form.q.data or "").strip() or None, group_id=form.group.data or None,
                                    qualifies=form.qualifies.data or None, kind=form.kind.data or None)


def _c1_listed(filters: ImprovementFilters):
    status, assessments = c1_overview(c1_counter_required())
    candidates = [*status.qualifying, *(improvement for improvement, _reasons in status.others)]
    return status, assessments, listing.c1_listed(candidates, assessments, filters)


@bp.get("/c1")
@allow(TEAM_DATA)
def c1():
    """Whether C1 holds against the number the criteria set in use states: the improvements that qualify, and
    why the others do not (the list filtered, the verdict over all of them)."""
    form, filters = _filters()
    status, assessments, listed = _c1_listed(filters)
    return render_template("improvements/c1.html", c1=status, assessments=assessments, status_labels=STATUS_LABELS,
                           form=form, listed=listed, filtered=filters != ImprovementFilters())


@bp.get("/c1/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_c1(fmt: str):
    """The C1 counter's improvements matching the filters, whether each qualifies and why not, as CSV or XLSX."""
    _form, filters = _filters()
    _status, assessments, listed = _c1_listed(filters)
    headers, rows = listing.c1_table(listed, assessments)
    return table_response(headers, rows, _("C1 counter"), fmt)


@bp.get("/board")
@allow(TEAM_DATA)
def board():
    """Every improvement matching the search in a column by status; overdue ones and overdue tasks highlighted."""
    form, filters = _filters()
    rows = listing.board(filters)
    columns = {status: [] for status in COLUMNS}
    for improvement in rows:
        columns[improvement.status].append(improvement)
    return render_template("improvements/board.html", columns=columns, labels=STATUS_LABELS,
                           counts=task_counts(today(), filters.group_id), today=today(), form=form,
                           filtered=filters != ImprovementFilters(), finished=DONE + (Status.CANCELLED,),
                           sources=listing.source_links(rows))


@bp.get("/board/export.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_board(fmt: str):
    """The board's improvements matching the search, with their plan, result and tasks, as CSV or XLSX."""
    _form, filters = _filters()
    headers, rows = listing.board_table(listing.board(filters), task_counts(today(), filters.group_id), today())
    return table_response(headers, rows, _("improvements"), fmt)


@bp.get("/groups/<int:group_id>/priorities")
@allow(TEAM_DATA)
def priorities(group_id: int):
    """The group's proposals ranked by weighted score, the impact × effort chart and the scoring forms."""
    group = db.get_or_404(Group, group_id)
    criteria = work.criteria()
    wanted = (Status.OPPORTUNITY, Status.PROPOSED, Status.APPROVED)
    proposals = [i for i in group_improvements(group.id) if i.status in wanted]
    rows = scoring.rank(proposals, criteria, lambda imp: {s.criterion_id: s.score for s in imp.scores})
    charted = [row for row in rows if row.impact is not None and row.effort is not None]
    return render_template("improvements/priorities.html", group=group, rows=rows, criteria=criteria,
                           chart=chart_spec(impact_effort_chart(charted)) if charted else None,
                           forms={row.improvement.id: score_form(criteria, row.improvement) for row in rows},
                           may_edit=may_edit_group(current_user, group), labels=STATUS_LABELS)


@bp.post("/<int:improvement_id>/scores")
@allow(TEAM_DATA)
def save_scores(improvement_id: int):
    """Save the group's 1–5 scores of one proposal."""
    improvement = editable_improvement(improvement_id)
    criteria = work.criteria()
    form = score_form(criteria, improvement, formdata=request.form)
    if not form.validate_on_submit():
        abort(400)
    work.save_scores(improvement, {c.id: int(form[f"c{c.id}"].data) if form[f"c{c.id}"].data else None
                                   for c in criteria})
    return done(_("Scores of “%(title)s” saved.", title=improvement.title), ".priorities",
                group_id=improvement.group_id)


@bp.route("/criteria", methods=["GET", "POST"])
@allow(COORDINATION)
def criteria():
    """The prioritisation criteria and their weights (the coordinator sets them for every group)."""
    form = CriterionForm()
    if form.validate_on_submit():
        if db.session.scalar(select(PriorityCriterion).where(PriorityCriterion.name == form.name.data.strip())):
            form.name.errors = [_("Another criterion already has this name.")]
        else:
            work.save_criterion(None, form.data)
            return done(_("Criterion added."), ".criteria")
    return render_template("improvements/criteria.html", criteria=work.criteria(), form=form)


@bp.route("/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@allow(COORDINATION)
def edit_criterion(criterion_id: int):
    """Change a criterion's name, weight, direction or chart axis."""
    criterion = db.get_or_404(PriorityCriterion, criterion_id)
    form = CriterionForm(obj=criterion)
    if request.method == "GET":
        form.axis.data = criterion.axis or ""
    saved, conflict = submit_edit(form, criterion, lambda: work.save_criterion(
        criterion, form.data, version=form.version.data))
    if saved:
        return done(_("Criterion saved."), ".criteria")
    return render_template("improvements/criterion_form.html", form=form, criterion=criterion, conflict=conflict)
