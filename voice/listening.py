"""Recording a listening activity (focus group, trusted-client consultation, market study, internal knowledge)
with what it found and what it cost."""

from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import Select, func, select

from core.extensions import db
from core.findings import Listening
from core.listing import text_matches
from core.versioning import ensure_current
from loyalty.models import Typology
from voice.models import ActivityKind, ListeningActivity, Requirement

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


@dataclass(frozen=True)
class ActivityFilters:
    """What the list of listening activities is narrowed to."""

    q: str | None = None
    kind: str | None = None
    typology: str | None = None
    start: date | None = None
    end: date | None = None

    def conditions(self) -> list:
        found = [text_matches(self.q, ListeningActivity.title, ListeningActivity.findings)]
        if self.kind:
            found.append(ListeningActivity.kind == ActivityKind(self.kind))
        if self.typology:
            found.append(ListeningActivity.typology == Typology(self.typology))
        if self.start:
            found.append(ListeningActivity.held_on >= self.start)
        if self.end:
            found.append(ListeningActivity.held_on <= self.end)
        return [condition for condition in found if condition is not None]


def activities_query(filters: ActivityFilters) -> Select:
    """The activities matching ``filters``, latest first, each with how many requirements it produced."""
    produced = (select(Requirement.activity_id, func.count().label("n")).group_by(Requirement.activity_id)
                .subquery())
    return (select(ListeningActivity, func.coalesce(produced.c.n, 0).label("produced"))
            .outerjoin(produced, produced.c.activity_id == ListeningActivity.id)
            .where(*filters.conditions()).order_by(ListeningActivity.held_on.desc(), ListeningActivity.id.desc()))


def staff_focus_groups(since: date, until: date | None = None) -> list[Listening]:
    """The staff focus groups held since ``since`` (and up to ``until``, a cycle's period end), oldest first (D1
    counts them; one query)."""
    query = (select(ListeningActivity).where(ListeningActivity.kind == ActivityKind.STAFF_FOCUS_GROUP,
                                             ListeningActivity.held_on >= since,
                                             ListeningActivity.held_on <= (until or date.max))
             .order_by(ListeningActivity.held_on, ListeningActivity.id))
    return [Listening(a.title, a.held_on, a.participants, a.findings,
                      url_for("voice.activity_detail", activity_id=a.id)) for a in db.session.scalars(query)]
