"""Improvements on the REST API: each improvement with its SMART check, its result before and after, its C1 standing
and its trace (``improvements.queries``, ``improvements.trace``), and the improvement groups. Everyone who reads the
pages reads every group and improvement; what the object rule decides (``services.may_edit_group``) is whether the
caller may change its work, given as ``may_edit`` as the pages show or hide their forms (``core.api``)."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core import api
from core.access import TEAM_DATA, allow
from core.extensions import db
from improvements import smart
from improvements.api_schemas import (
    ImprovementDetailSchema,
    ImprovementGroupDetailSchema,
    ImprovementGroupPage,
    ImprovementPage,
    ImprovementQuery,
)
from improvements.listing import ImprovementFilters, board_query
from improvements.models import Group, GroupMember, Improvement, Meeting
from improvements.queries import ASSESSED, assess, group_improvements, improvement_page
from improvements.services import may_edit_group
from improvements.sources import is_client_voice, resolve_records, source_label
from improvements.trace import trace

blp = api.Blueprint("api_improvements", __name__, url_prefix=api.PREFIX,
                    description="Improvements and their groups (C1, C2, C3)")

FIELDS = ("id", "title", "statement", "group", "status", "raised_on", "objective", "indicator", "measure_name",
          "measure_unit", "baseline_value", "baseline_period", "target_value", "deadline", "owner", "approved_on",
          "implemented_on", "verified_on", "version")


def _bodies(improvements: list[Improvement]) -> list[dict]:
    """Each improvement as its page judges it: one assessment of them all (one measurements query), their source
    records one query per kind."""
    assessments = assess(improvements)
    records = resolve_records(improvements)
    bodies = []
    for improvement in improvements:
        assessment = assessments[improvement.id]
        record = records.get((improvement.source_kind, improvement.source_id))
        voice, label = is_client_voice(improvement, record), source_label(improvement, record)
        check, result = improvement.latest_check, assessment.result
        criteria = smart.current_results(improvement) or []
        bodies.append({
            **{name: getattr(improvement, name) for name in FIELDS},
            "source": {"kind": improvement.source_kind, "id": improvement.source_id, "label": label,
                       "client_voice": voice},
            "smart": {"checked": check is not None, "passed": assessment.smart_passed,
                      "checked_on": check.checked_on if check else None,
                      "criteria": [{"key": c.key, "label": c.label, "met": c.met, "justification": c.justification,
                                    "reasons": [str(reason) for reason in c.reasons]} for c in criteria],
                      "failures": smart.failures(improvement)},
            "result": {"before": result.before, "after": result.after, "target": result.target,
                       "before_period": result.before_period, "after_period": result.after_period,
                       "source": result.source, "higher_is_better": result.higher_is_better,
                       "change": result.change, "change_pct": result.change_pct, "improved": result.improved,
                       "target_met": result.target_met},
            "valued": assessment.valued,
            "c1": {"qualifies": assessment.qualifies, "reasons": [str(r) for r in assessment.c1_reasons]},
            "trace": [vars(link) for link in trace(improvement, smart_passed=assessment.smart_passed, result=result,
                                                   valued=assessment.valued, client_voice=voice, source=label)],
            "may_edit": may_edit_group(current_user, improvement.group),
        })
    return bodies


@blp.get("/improvements")
@allow(TEAM_DATA)
@blp.arguments(ImprovementQuery, location="query", error_status_code=400)
@blp.response(200, ImprovementPage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def improvements(args):
    """The improvements matching the board's search (words, group), by deadline, each with its SMART check, result,
    C1 standing and trace."""
    etag = api.list_etag("improvements")
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    query = board_query(ImprovementFilters(q=(args.get("q") or "").strip() or None, group_id=args.get("group")))
    query = query.options(*ASSESSED, joinedload(Improvement.group).selectinload(Group.members))
    body = api.paginate(query, args)
    body["items"] = _bodies(body["items"])
    return body, 200, api.etag_header(etag)


@blp.get("/improvements/<int:improvement_id>")
@allow(TEAM_DATA)
@blp.response(200, ImprovementDetailSchema)
def improvement(improvement_id: int):
    """One improvement from the client voice it came from to the result clients value, with its tasks."""
    found = improvement_page(improvement_id)
    if found is None:
        abort(404)
    return {**_bodies([found])[0], "tasks": found.tasks}


def _group_options():
    return (joinedload(Group.facilitator), selectinload(Group.members).joinedload(GroupMember.user),
            selectinload(Group.processes))


def _group(group: Group) -> dict:
    return {"id": group.id, "name": group.name, "purpose": group.purpose, "facilitator": group.facilitator,
            "members": group.members, "processes": group.processes,
            "may_edit": may_edit_group(current_user, group), "version": group.version}


@blp.get("/improvement-groups")
@allow(TEAM_DATA)
@blp.arguments(api.PageArgs, location="query", error_status_code=400)
@blp.response(200, ImprovementGroupPage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def groups(args):
    """The improvement groups, by name, with their facilitator, members and processes."""
    etag = api.list_etag("improvement-groups")
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    body = api.paginate(select(Group).options(*_group_options()).order_by(Group.name, Group.id), args)
    body["items"] = [_group(group) for group in body["items"]]
    return body, 200, api.etag_header(etag)


@blp.get("/improvement-groups/<int:group_id>")
@allow(TEAM_DATA)
@blp.response(200, ImprovementGroupDetailSchema)
def group(group_id: int):
    """One group: members with their roles, processes, meetings and improvements, as on its page."""
    found = db.get_or_404(Group, group_id, options=[
        *_group_options(), selectinload(Group.meetings).selectinload(Meeting.attendees)])
    return {**_group(found), "meetings": found.meetings, "improvements": group_improvements(found.id)}
