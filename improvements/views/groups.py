"""Improvement groups: their page, members (asking what to do with a leaver's tasks), processes, meetings,
and the opportunities they log."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.access import COORDINATION, TEAM_DATA, allow
from core.extensions import db
from core.rules import rule_refusals
from core.ui import flash_form_errors
from core.versioning import submit_edit
from improvements import bp, participation, services
from improvements.forms import GroupForm, MeetingForm, MemberForm, OpportunityForm, RemoveMemberForm
from improvements.models import STATUS_LABELS, Group, GroupMember
from improvements.queries import assess, group_improvements
from improvements.services import MemberHasTasks, may_edit_group
from improvements.views.common import done, editable_group, today
from improvements.work import raise_opportunity


@bp.route("/groups/new", methods=["GET", "POST"])
@allow(COORDINATION)
def new_group():
    """Set up an improvement group."""
    form = GroupForm()
    if form.validate_on_submit():
        group = services.save_group(None, form.data)
        return done(_("Group %(name)s created. Add its members.", name=group.name), ".group_detail",
                    group_id=group.id)
    return render_template("improvements/group_form.html", form=form, group=None)


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@allow(TEAM_DATA)
def edit_group(group_id: int):
    """Change a group's name, purpose, facilitator and processes."""
    group = editable_group(group_id)
    form = GroupForm(obj=group, editing=group)
    if request.method == "GET":
        form.process_ids.data = [p.id for p in group.processes]
    saved, conflict = submit_edit(form, group, lambda: services.save_group(group, form.data,
                                                                           version=form.version.data))
    if saved:
        return done(_("Group saved."), ".group_detail", group_id=group.id)
    return render_template("improvements/group_form.html", form=form, group=group, conflict=conflict)


def _group_page(group: Group, **forms):
    improvements = group_improvements(group.id)
    editable = may_edit_group(current_user, group)
    forms.setdefault("member_form", MemberForm())
    forms.setdefault("meeting_form", MeetingForm(held_on=today()))
    return render_template("improvements/group.html", group=group, improvements=improvements,
                           assessments=assess(improvements), may_edit=editable, status_labels=STATUS_LABELS,
                           participation=participation.for_group(group), **forms)


def _load_group(group_id: int) -> Group:
    query = (select(Group).where(Group.id == group_id).options(
        joinedload(Group.facilitator), selectinload(Group.members).joinedload(GroupMember.user),
        selectinload(Group.processes), selectinload(Group.meetings)))
    group = db.session.scalars(query).unique().one_or_none()
    if group is None:
        abort(404)
    return group


@bp.get("/groups/<int:group_id>")
@allow(TEAM_DATA)
def group_detail(group_id: int):
    """A group: members with their roles, processes, meetings, opportunities and improvements."""
    return _group_page(_load_group(group_id))


@bp.post("/groups/<int:group_id>/members")
@allow(TEAM_DATA)
def add_member(group_id: int):
    """Add a person to the group with their role."""
    group = editable_group(group_id)
    form = MemberForm()
    if form.validate_on_submit():
        with rule_refusals(form.user_id):
            services.add_member(group, form.user_id.data, form.role.data)
            return done(_("Member added."), ".group_detail", "members", group_id=group.id)
    return _group_page(group, member_form=form)


@bp.route("/groups/<int:group_id>/members/<int:member_id>/remove", methods=["GET", "POST"])
@allow(TEAM_DATA)
def remove_member(group_id: int, member_id: int):
    """Take a person out of the group; if they own open tasks, first ask who takes them over."""
    group = editable_group(group_id)
    member = next((m for m in group.members if m.id == member_id), None)
    if member is None:
        abort(404)
    others = [m for m in group.members if m is not member]
    form = RemoveMemberForm(members=others)
    tasks = services.open_tasks_of(group, member.user_id)
    if request.method == "POST" and (not tasks or form.validate_on_submit()):
        with rule_refusals(form.reassign_to):
            try:
                moved = services.remove_member(group, member, reassign_to=form.reassign_to.data
                                               if form.decision.data == "reassign" else None,
                                               unassign=form.decision.data == "unassign")
            except MemberHasTasks:
                flash(_("%(name)s has open tasks: say what to do with them.", name=member.user.name), "warning")
            else:
                return done(_("%(name)s left the group; %(n)d open tasks were handled.", name=member.user.name,
                              n=moved), ".group_detail", "members", group_id=group.id)
    return render_template("improvements/remove_member.html", group=group, member=member, tasks=tasks, form=form)


@bp.post("/groups/<int:group_id>/meetings")
@allow(TEAM_DATA)
def add_meeting(group_id: int):
    """Record a meeting of the group: attendees, minutes, decisions."""
    group = editable_group(group_id)
    form = MeetingForm()
    if form.validate_on_submit():
        with rule_refusals():
            services.add_meeting(group, form.held_on.data, form.attendee_ids.data, form.minutes.data,
                                 form.decisions.data, today=today())
            return done(_("Meeting recorded."), ".group_detail", "meetings", group_id=group.id)
    else:
        flash_form_errors(form)
    return redirect(url_for(".group_detail", group_id=group.id, _anchor="meetings"))


@bp.route("/groups/<int:group_id>/opportunities/new", methods=["GET", "POST"])
@allow(TEAM_DATA)
def new_opportunity(group_id: int):
    """Log an opportunity with its source and the record it came from."""
    group = editable_group(group_id)
    form = OpportunityForm()
    if request.method == "GET":
        form.raised_on.data = today()
        form.source_kind.data = request.args.get("source") or form.source_kind.data
    if form.validate_on_submit():
        data = {**form.data, "source_id": form.source_id}
        with rule_refusals(form.source_record):
            improvement = raise_opportunity(group, data, actor=current_user, today=today())
            return done(_("Opportunity logged. Plan it, then put it through the SMART check."),
                        ".improvement_detail", improvement_id=improvement.id)
    return render_template("improvements/opportunity_form.html", form=form, group=group)
