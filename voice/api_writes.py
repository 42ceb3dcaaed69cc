"""Complaints written through the REST API by a ticketing tool's own reference (``voice.complaint_api``)."""

from functools import wraps

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import api, idempotency
from core.access import TEAM_DATA, allow
from core.extensions import db
from core.idempotency import committed_write
from voice import complaint_api
from voice.api_schemas import ComplaintSchema
from voice.api_write_schemas import ComplaintInSchema

blp = api.Blueprint("api_complaint_writes", __name__, url_prefix=api.PREFIX,
                    description="Complaints pushed by a ticketing tool (B1)")

HEADERS = [
    idempotency.PARAMETER,
    {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
     "description": "The ETag read with the complaint: refused with 412 if it changed since."},
    {"in": "header", "name": "If-None-Match", "required": False, "schema": {"type": "string", "enum": ["*"]},
     "description": "*: create only, refused with 412 if the reference is recorded already."},
]


def _only_create_only(view):
    """Refuse an ``If-None-Match`` other than ``*`` before anything else, a replayed ``Idempotency-Key`` included:
    a header the document does not allow is refused, never answered with a kept answer."""

    @wraps(view)
    def checked(*args, **kwargs):
        given = request.headers.get("If-None-Match")
        if given is not None and given.strip() != "*":
            message = _("Only * (create, never replace) is understood here.")
            api.refuse(400, message, errors=[{"location": "headers", "field": "If-None-Match", "message": message}])
        return view(*args, **kwargs)

    return checked


@blp.get("/complaints/by-ref/<string:reference>")
@allow(TEAM_DATA)
@blp.response(200, ComplaintSchema)
def complaint_by_reference(reference: str):
    """The complaint with the ticketing tool's reference; its ETag is its version, for ``If-Match``."""
    found = complaint_api.by_reference(reference)
    if found is None:
        api.refuse(404, _("There is no complaint with this reference."))
    return found, 200, {"ETag": complaint_api.etag_of(found)}


@blp.put("/complaints/by-ref/<string:reference>")
@allow(TEAM_DATA)
@_only_create_only
@committed_write
@blp.arguments(ComplaintInSchema)
@blp.response(200, ComplaintSchema)
@blp.alt_response(201, schema=ComplaintSchema, description="Created: no complaint had this reference")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.doc(parameters=HEADERS)
def put_complaint(data, reference: str):
    """Create the complaint with this reference (201), or replace it (200): the whole record, checked as the
    complaint form checks it (a known category, the client's code in the census, a response not before receipt,
    a satisfaction only with a response). Clearing or changing an answered complaint's response date needs
    ``date_reason``; answered again after a reopening, it keeps its first response date unless ``date_reason``
    says why it changes. Every response date written joins the complaint's history, as from the pages."""
    saved, created = complaint_api.upsert(reference, data, if_match=request.if_match,
                                          if_none_match=request.if_none_match, actor=current_user)
    db.session.refresh(saved)  # as stored: the form gives the kind and channel as text, the answer as choices
    headers = {"ETag": complaint_api.etag_of(saved)}
    if created:
        headers["Location"] = url_for(".complaint_by_reference", reference=saved.reference)
    return saved, 201 if created else 200, headers
