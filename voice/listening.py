"""Recording a listening activity (focus group, trusted-client consultation, market study, internal knowledge)
with what it found and what it cost."""

from core.extensions import db
from core.versioning import ensure_current
from voice.models import ListeningActivity

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
