"""Recording a listening activity (focus group, trusted-client consultation, market study, internal knowledge)
with what it found and what it cost."""

from datetime import date

from flask import url_for
from sqlalchemy import select

from core.extensions import db
from core.findings import Listening
from core.versioning import ensure_current
from voice.models import ActivityKind, ListeningActivity

ACTIVITY_FIELDS = ("kind", "title", "held_on", "participants", "typology", "findings", "staff_hours",
                   "hourly_rate", "external_cost")


def save_activity(activity: ListeningActivity | None, data: dict, *, version=None) -> ListeningActivity:
    """Create or change a listening activity from a form's data (costs left empty count as nothing)."""
    if activity is None:
        activity = ListeningActivity()
        db.session.add(activity)
    else:
        ensure_current(activity, version)
    for name in ACTIVITY_FIELDS:
        setattr(activity, name, data.get(name))
    activity.typology = data.get("typology") or None
    for name in ("staff_hours", "hourly_rate", "external_cost"):
        setattr(activity, name, getattr(activity, name) or 0.0)
    db.session.flush()
    return activity


def staff_focus_groups(since: date) -> list[Listening]:
    """The staff focus groups held since ``since``, oldest first (D1 counts them; one query)."""
    query = (select(ListeningActivity).where(ListeningActivity.kind == ActivityKind.STAFF_FOCUS_GROUP,
                                             ListeningActivity.held_on >= since)
             .order_by(ListeningActivity.held_on, ListeningActivity.id))
    return [Listening(a.title, a.held_on, a.participants, a.findings,
                      url_for("voice.activity_detail", activity_id=a.id)) for a in db.session.scalars(query)]
