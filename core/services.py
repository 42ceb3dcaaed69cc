"""Organisation settings and the audit-trail query: plain functions the views and tests call."""

import datetime as dt

from flask_babel import get_timezone
from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from core.files import IMAGES, Owner, store_upload
from core.models import Organisation
from core.timeutil import utc_start_of
from core.versioning import ensure_current

OPTIONAL_ORGANISATION_FIELDS = ("description", "sector", "country")


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
                entity_id: str | None = None, action: str | None = None):
    """The audit entries matching the filters, newest first (a SELECT to paginate). The dates are days of
    the organisation's time zone, in which the trail shows its times."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if date_from:
        query = query.where(AuditEntry.created_at >= utc_start_of(date_from, get_timezone()))
    if date_to:
        query = query.where(AuditEntry.created_at < utc_start_of(date_to + dt.timedelta(days=1), get_timezone()))
    return query


def audited_entity_types() -> list[str]:
    """The kinds of record that appear in the trail, for the filter menu."""
    return list(db.session.scalars(select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)))
