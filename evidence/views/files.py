"""The files of manual evidence, served through the evidence item they belong to (to all who read evidence)."""

from flask import abort

from core.access import TEAM_DATA, allow
from core.extensions import db
from core.files import Owner, download_response
from evidence import bp
from evidence.models import EvidenceItem


@bp.get("/items/<int:item_id>/file")
@allow(TEAM_DATA)
def evidence_file(item_id: int):
    """The current version of an evidence item's file."""
    revision = db.get_or_404(EvidenceItem, item_id).current_revision
    return download_response(revision.file if revision else None, owner=Owner.EVIDENCE_ITEM)


@bp.get("/items/<int:item_id>/revisions/<int:number>/file")
@allow(TEAM_DATA)
def evidence_revision_file(item_id: int, number: int):
    """One version of an evidence item's file, as it was uploaded (replaced versions stay readable)."""
    item = db.get_or_404(EvidenceItem, item_id)
    revision = next((r for r in item.revisions if r.number == number), None)
    if revision is None:
        abort(404)
    return download_response(revision.file, owner=Owner.EVIDENCE_ITEM)
