"""Organisation settings and the audit-trail query: plain functions the views and tests call."""

import datetime as dt

from flask_babel import get_timezone
from sqlalchemy import String, cast, or_, select

from core.audit import AuditEntry, audit_children
from core.extensions import db
from core.files import IMAGES, Owner, store_upload
from core.listing import text_matches
from core.models import Organisation
from core.timeutil import utc_start_of
from core.versioning import ensure_current

OPTIONAL_ORGANISATION_FIELDS = ("description", "sector", "country", "time_zone")


def save_organisation(organisation: Organisation | None, data: dict, *, version) -> Organisation:
    """Create the organisation, or apply edited settings unless someone saved them meanwhile."""
    if organisation is None:
        organisation = Organisation()
        db.session.add(organisation)
    else:
        ensure_current(organisation, version)
    organisation.name = data["name"].strip()
    for field in OPTIONAL_ORGANISATION_FIELDS:
        setattr(organisation, field, (data.get(field) or "").strip() or None)
    db.session.flush()
    return organisation


def replace_logo(organisation: Organisation, upload, *, actor) -> Organisation:
    """Store a new logo image and make it the organisation's; the old one stays in storage."""
    organisation.logo = store_upload(upload, owner=Owner.ORGANISATION_LOGO, accept=IMAGES, actor=actor)
    db.session.flush()
    return organisation


def audit_query(*, actor_id: int | None = None, entity_type: str | None = None,
                date_from: dt.date | None = None, date_to: dt.date | None = None,
                entity_id: str | None = None, action: str | None = None, q: str | None = None):
    """The audit entries matching the filters, newest first (a SELECT to paginate). The dates are days of
    the organisation's time zone, in which the trail shows its times. One record (kind and id: its "History"
    link) comes with the entries of the records that belong to it (``record_and_children``). ``q``: words of the
    record's name as the trail shows it."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if q:
        query = query.where(text_matches(q, AuditEntry.entity_label))
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if entity_type and entity_id:
        query = query.where(record_and_children(entity_type, entity_id))
    elif entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    elif entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if date_from:
        query = query.where(AuditEntry.created_at >= utc_start_of(date_from, get_timezone()))
    if date_to:
        query = query.where(AuditEntry.created_at < utc_start_of(date_to + dt.timedelta(days=1), get_timezone()))
    return query


def record_and_children(entity_type: str, entity_id: str):
    """The condition on entries selecting one record's and its children's (``core.audit.audit_children``: an
    improvement's tasks, scores, SMART checks…): each child that belongs to it now, or whose creation or deletion
    entry says it did (a child deleted since). Subqueries of the one SELECT: the page's number of statements does
    not grow with the children."""
    condition = (AuditEntry.entity_type == entity_type) & (AuditEntry.entity_id == entity_id)
    if not entity_id.isdigit():
        return condition
    parent_id = int(entity_id)
    for model, column in audit_children(entity_type):
        table = model.__table__
        now = select(cast(table.c.id, String)).where(table.c[column] == parent_id)
        ever = select(AuditEntry.entity_id).where(
            AuditEntry.entity_type == table.name,
            or_(AuditEntry.changes[(column, 1)].as_integer() == parent_id,
                AuditEntry.changes[(column, 0)].as_integer() == parent_id))
        condition = condition | ((AuditEntry.entity_type == table.name) & AuditEntry.entity_id.in_(now.union(ever)))
    return condition


def audited_entity_types() -> list[str]:
    """The kinds of record that appear in the trail, for the filter menu."""
    return list(db.session.scalars(select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)))
