"""The checklist on the REST API: each criterion's automatic status, its reasons and gaps (``evidence.automatic``),
the latest self-assessment and verdict (``core.api``)."""

import marshmallow as ma
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core import api
from core.access import PACKS, TEAM_DATA, allow
from core.extensions import db
from core.findings import Status
from core.ids import MAX_ID
from evidence import listing, pack_facts, services
from evidence.api_schemas import SnapshotDetailSchema, SnapshotPage, SnapshotQuery
from evidence.criteria_sets import current_set
from evidence.models import Assessment, CriteriaSet, PackSnapshot

blp = api.Blueprint("api_evidence", __name__, url_prefix=api.PREFIX, description="The checklist (all criteria)")


class LineSchema(ma.Schema):
    text = fields.String()
    #: The app's page with the records behind it, or where it is fixed (a path).
    url = fields.String(allow_none=True)


class JudgementSchema(ma.Schema):
    status = fields.Enum(Assessment, by_value=True)
    comment = fields.String(allow_none=True)
    created_at = api.UtcDateTime()


class CriterionSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    group = fields.String(allow_none=True)
    text = fields.String()
    #: What the live data says, with why (reasons) and what is missing (gaps).
    status = fields.Enum(Status, by_value=True)
    reasons = fields.List(fields.Nested(LineSchema))
    gaps = fields.List(fields.Nested(LineSchema))
    self_assessment = fields.Nested(JudgementSchema, allow_none=True)
    verdict = fields.Nested(JudgementSchema, allow_none=True)
    manual_evidence = fields.Integer(metadata={"description": "How many items of manual evidence it has"})


class SetSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class ReadinessSchema(ma.Schema):
    met = fields.Integer()
    partly = fields.Integer()
    missing = fields.Integer()


class ChecklistQuery(api.PageArgs):
    set = fields.Integer(validate=validate.Range(min=1, max=MAX_ID),
                         metadata={"description": "A criteria set's id; without it, the set in use"})
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Words of the code, text or group"})
    status = fields.Enum(Status, by_value=True)


class ChecklistSchema(api.page_schema(CriterionSchema, "CriterionPage")):
    criteria_set = fields.Nested(SetSchema, required=True)
    #: Over every criterion of the set, whatever the filters.
    readiness = fields.Nested(ReadinessSchema, required=True)


def _language() -> str:
    return str(get_locale() or "es").split("_")[0]


def _row(row, language: str) -> dict:
    criterion, finding = row.criterion, row.finding
    return {"id": criterion.id, "code": criterion.code, "group": criterion.group_in(language) or None,
            "text": criterion.text_in(language), "status": finding.status, "reasons": finding.reasons,
            "gaps": finding.gaps, "self_assessment": row.self_assessment, "verdict": row.verdict,
            "manual_evidence": len(row.evidence)}


@blp.get("/checklist")
@allow(TEAM_DATA)
@blp.arguments(ChecklistQuery, location="query", error_status_code=400)
@blp.response(200, ChecklistSchema)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def checklist(args):
    """The criteria of a set (the one in use by default) in the set's order, filtered as on the checklist page."""
    criteria_set = db.session.get(CriteriaSet, args["set"]) if args.get("set") else current_set()
    if criteria_set is None:
        api.refuse(404, _("No criteria set is in use: install one on the checklist page."))
    etag = api.list_etag("checklist", criteria_set.id)
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    language = _language()
    rows = services.checklist(criteria_set)
    status = args.get("status")
    shown = listing.listed(rows, listing.ChecklistFilters(q=(args.get("q") or "").strip() or None,
                                                          status=status.value if status else None), language)
    first = (args["page"] - 1) * args["per_page"]
    readiness = {status.value: count for status, count in services.readiness(rows).items()}
    body = {"criteria_set": {"id": criteria_set.id, "code": criteria_set.code,
                             "name": criteria_set.title(language)},
            "readiness": readiness,
            "items": [_row(row, language) for row in shown[first:first + args["per_page"]]],
            "meta": {"page": args["page"], "per_page": args["per_page"], "total": len(shown),
                     "pages": -(-len(shown) // args["per_page"])}}
    return body, 200, ({"ETag": f'"{etag}"'} if etag else {})



# --- Evidence packs: the snapshots kept, with their manifests (the PDF itself from the app's download address) ---

def _snapshot_options():
    # The PDF's bytes are deferred: only its name, size and digest are read.
    return (joinedload(PackSnapshot.criteria_set), joinedload(PackSnapshot.created_by),
            joinedload(PackSnapshot.file))


def _snapshot(snapshot: PackSnapshot) -> dict:
    file = snapshot.file
    return {"id": snapshot.id, "criteria_set": snapshot.criteria_set, "scope": snapshot.scope,
            "language": snapshot.language, "data_as_at": snapshot.data_as_at, "audit_head": snapshot.audit_head,
            "created_by": snapshot.created_by, "page_count": snapshot.page_count, "manifest": snapshot.manifest,
            "file": {"filename": file.filename, "size": file.size, "sha256": file.sha256,
                     "download": url_for("evidence.download_pack", snapshot_id=snapshot.id)}}


@blp.get("/packs")
@allow(PACKS)
@blp.arguments(SnapshotQuery, location="query", error_status_code=400)
@blp.response(200, SnapshotPage)
@blp.alt_response(304, description="Not modified since the ETag given in If-None-Match")
def snapshots(args):
    """Every evidence pack generated, newest first, with its data date and the manifest of its attached files."""
    etag = api.list_etag("packs")
    if (unchanged := api.not_modified(etag)) is not None:
        return unchanged
    query = select(PackSnapshot).options(*_snapshot_options()).order_by(PackSnapshot.id.desc())
    if args.get("set"):
        query = query.where(PackSnapshot.set_id == args["set"])
    body = api.paginate(query, args)
    body["items"] = [_snapshot(snapshot) for snapshot in body["items"]]
    return body, 200, api.etag_header(etag)


@blp.get("/packs/<int:snapshot_id>")
@allow(PACKS)
@blp.response(200, SnapshotDetailSchema)
def snapshot(snapshot_id: int):
    """One pack: when its data is from, who generated it, each criterion's status then, the file manifest and the
    SHA-256 of its content recomputed from what the snapshot keeps."""
    found = db.get_or_404(PackSnapshot, snapshot_id, options=list(_snapshot_options()))
    return {**_snapshot(found), "statuses": found.statuses, "content_digest": pack_facts.snapshot_digest(found)}
