"""The voice of the client on the REST API: the complaints register, the client requirements and the listening
activities, filtered as on their pages through the same queries (``core.api``)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core import api
from core.access import TEAM_DATA, allow
from core.extensions import db
from voice.api_schemas import (
    ActivityDetailSchema,
    ActivityPage,
    ActivityQuery,
    ComplaintDetailSchema,
    ComplaintPage,
    ComplaintQuery,
    RequirementPage,
    RequirementQuery,
    RequirementSchema,
)
from voice.complaints import ComplaintFilters, complaints_query
from voice.listening import ActivityFilters, activities_query
from voice.models import Complaint, ListeningActivity, Requirement
from voice.requirements import RequirementFilters, requirements_query

blp = api.Blueprint("api_voice", __name__, url_prefix=api.PREFIX,
                    description="The voice of the client: complaints, requirements, listening (B1)")


def _value(member):
    return member.value if member is not None else None


def _complaint_body(complaint: Complaint, days=None) -> dict:
    return {**{name: getattr(complaint, name) for name in (
        "id", "reference", "kind", "received_on", "channel", "category", "client", "description", "responded_on",
        "resolution", "satisfaction", "created_at", "version")},
        "response_days": complaint.response_days if days is None else days}


@blp.get("/complaints")
@allow(TEAM_DATA)
@blp.arguments(ComplaintQuery, location="query", error_status_code=400)
@blp.response(200, ComplaintPage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def complaints(args):
    """The enquiries, complaints, claims and incidents, filtered and sorted as on the register (newest first)."""
    etag = api.list_etag("complaints")
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    filters = ComplaintFilters(q=(args.get("q") or "").strip() or None, kind=_value(args.get("kind")),
                               category_id=args.get("category"), channel=_value(args.get("channel")),
                               status=args.get("status"), client_id=args.get("client"), start=args.get("start"),
                               end=args.get("end"))
    query = complaints_query(filters, sort=args["sort"], descending=args["descending"]).options(
        joinedload(Complaint.category), joinedload(Complaint.client))
    body = api.paginate_rows(query, args, shape=lambda row: _complaint_body(row.Complaint, row.response_days))
    return body, 200, api.etag_header(etag)


@blp.get("/complaints/<int:complaint_id>")
@allow(TEAM_DATA)
@blp.response(200, ComplaintDetailSchema)
def complaint(complaint_id: int):
    """One complaint: what the client said, the answer, the response time and the requirements it raised."""
    found = db.get_or_404(Complaint, complaint_id, options=[joinedload(Complaint.category),
                                                             joinedload(Complaint.client)])
    raised = db.session.scalars(select(Requirement).where(Requirement.complaint_id == found.id)
                                .order_by(Requirement.id)).all()
    return {**_complaint_body(found), "requirements": raised}


def _requirement(requirement: Requirement) -> dict:
    origin = None
    for kind, record_id in (("activity", requirement.activity_id), ("complaint", requirement.complaint_id),
                            ("wave", requirement.wave_id)):
        if record_id is not None:
            origin = {"kind": kind, "id": record_id}
            break
    return {**{name: getattr(requirement, name) for name in (
        "id", "statement", "explicit", "typology", "source", "identified_on", "need_level", "importance", "status",
        "rejection_reason", "created_at", "version")}, "origin": origin}


@blp.get("/requirements")
@allow(TEAM_DATA)
@blp.arguments(RequirementQuery, location="query", error_status_code=400)
@blp.response(200, RequirementPage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def requirements(args):
    """The client requirements, filtered and sorted as on the register (latest identified first)."""
    etag = api.list_etag("requirements")
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    filters = RequirementFilters(q=(args.get("q") or "").strip() or None, source=_value(args.get("source")),
                                 status=_value(args.get("status")), typology=_value(args.get("typology")),
                                 need_level=_value(args.get("need_level")))
    body = api.paginate(requirements_query(filters, sort=args["sort"], descending=args["descending"]), args)
    body["items"] = [_requirement(item) for item in body["items"]]
    return body, 200, api.etag_header(etag)


@blp.get("/requirements/<int:requirement_id>")
@allow(TEAM_DATA)
@blp.response(200, RequirementSchema)
def requirement(requirement_id: int):
    """One requirement: where it came from and its status."""
    return _requirement(db.get_or_404(Requirement, requirement_id))


def _activity(activity: ListeningActivity, produced: int) -> dict:
    return {**{name: getattr(activity, name) for name in (
        "id", "kind", "title", "held_on", "participants", "typology", "findings", "staff_hours", "hourly_rate",
        "external_cost", "cost", "created_at", "version")}, "produced": produced}


@blp.get("/listening")
@allow(TEAM_DATA)
@blp.arguments(ActivityQuery, location="query", error_status_code=400)
@blp.response(200, ActivityPage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def activities(args):
    """The listening activities matching the filters, latest first, with their cost and how many requirements
    each produced, as on the listening page."""
    etag = api.list_etag("listening")
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    filters = ActivityFilters(q=(args.get("q") or "").strip() or None, kind=_value(args.get("kind")),
                              typology=_value(args.get("typology")), start=args.get("start"), end=args.get("end"))
    body = api.paginate_rows(activities_query(filters), args,
                             shape=lambda row: _activity(row.ListeningActivity, row.produced))
    return body, 200, api.etag_header(etag)


@blp.get("/listening/<int:activity_id>")
@allow(TEAM_DATA)
@blp.response(200, ActivityDetailSchema)
def activity(activity_id: int):
    """One listening activity: its findings, its cost and the requirements it produced."""
    found = db.get_or_404(ListeningActivity, activity_id, options=[selectinload(ListeningActivity.requirements)])
    return {**_activity(found, len(found.requirements)), "requirements": found.requirements}
