"""Recording a client requirement with the record it came from (a listening activity, a complaint or a survey
wave), whose kind must agree with the requirement's source."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from core import transitions
from core.extensions import db
from core.versioning import ensure_current
from voice.labels import ACTIVITY_SOURCE, SOURCE_LABELS
from voice.models import (
    REQUIREMENT_BACKWARD,
    REQUIREMENT_HISTORY_KIND,
    ListeningActivity,
    Requirement,
    RequirementSource,
    RequirementStatus,
    VoiceRuleError,
)

REQUIREMENT_FIELDS = ("statement", "explicit", "typology", "source", "identified_on", "importance", "need_level")
#: The register's sort keys and the column each orders by (ties broken by the newest record).
SORTS = {"identified": Requirement.identified_on, "importance": Requirement.importance,
         "status": Requirement.status, "source": Requirement.source}


@dataclass(frozen=True)
class RequirementFilters:
    """What the requirements register is narrowed to: words of the statement, source, status, typology, level."""

    q: str | None = None
    source: str | None = None
    status: str | None = None
    typology: str | None = None
    need_level: str | None = None


def requirements_query(filters: RequirementFilters, *, sort: str = "identified", descending: bool = True) -> Select:
    """The requirements matching ``filters``, sorted (the register page and the API)."""
    query = select(Requirement)
    if filters.q:
        query = query.where(func.lower(Requirement.statement).like(f"%{filters.q.strip().lower()}%"))
    for name in ("source", "status", "typology", "need_level"):
        if getattr(filters, name):
            query = query.where(getattr(Requirement, name) == getattr(filters, name))
    column = SORTS.get(sort, Requirement.identified_on)
    return query.order_by(column.desc() if descending else column.asc(), Requirement.id.desc())


def check_origin(source: RequirementSource, origin: tuple[str, int] | None) -> None:
    """A requirement from a complaint names a complaint source; one from an activity, that activity's kind."""
    if origin is None:
        return
    kind, record_id = origin
    if kind == "complaint" and source != RequirementSource.COMPLAINT:
        raise VoiceRuleError(_("A requirement that came from a complaint has the source “%(source)s”.",
                               source=SOURCE_LABELS[RequirementSource.COMPLAINT]))
    if kind == "wave" and source != RequirementSource.SURVEY:
        raise VoiceRuleError(_("A requirement that came from a survey wave has the source “%(source)s”.",
                               source=SOURCE_LABELS[RequirementSource.SURVEY]))
    if kind == "activity":
        activity = db.session.get(ListeningActivity, record_id)
        if activity is not None and activity.kind not in ACTIVITY_SOURCE:
            raise VoiceRuleError(_("“%(activity)s” listened to staff: a client requirement does not come from it.",
                                   activity=activity.title))
        if activity is not None and ACTIVITY_SOURCE[activity.kind] != source:
            raise VoiceRuleError(_("A requirement that came from “%(activity)s” has the source “%(source)s”.",
                                   activity=activity.title, source=SOURCE_LABELS[ACTIVITY_SOURCE[activity.kind]]))


def save_requirement(requirement: Requirement | None, data: dict, origin: tuple[str, int] | None,
                     *, version=None) -> Requirement:
    """Create or change a requirement; ``origin`` is ("activity" | "complaint" | "wave", id) or None."""
    source = RequirementSource(data["source"])
    check_origin(source, origin)
    if requirement is None:
        requirement = Requirement()
        db.session.add(requirement)
    else:
        ensure_current(requirement, version)
    for name in REQUIREMENT_FIELDS:
        setattr(requirement, name, data.get(name))
    requirement.source = source
    requirement.typology = data.get("typology") or None
    requirement.need_level = data.get("need_level") or None
    kind, record_id = origin or (None, None)
    requirement.activity_id = record_id if kind == "activity" else None
    requirement.complaint_id = record_id if kind == "complaint" else None
    requirement.wave_id = record_id if kind == "wave" else None
    db.session.flush()
    return requirement


def move_requirement(requirement: Requirement, status: RequirementStatus, *, actor, reason: str | None = None,
                     confirmed: bool = False) -> None:
    """Move a requirement along its workflow; refused until confirmed (``transitions.ConfirmationNeeded``) when
    it goes back a step or would lower a criterion. Kept in the requirement's history with ``reason``."""
    transitions.confirm_or_refuse(lambda: _move(requirement, status, actor=actor,
                                                reason=reason or transitions.PREVIEW_REASON),
                                  confirmed=confirmed, always=(requirement.status, status) in REQUIREMENT_BACKWARD)
    _move(requirement, status, actor=actor, reason=reason)


def _move(requirement: Requirement, status: RequirementStatus, *, actor, reason: str | None) -> None:
    old = requirement.status
    requirement.move_to(status, reason=reason)
    db.session.flush()
    transitions.record_transition(REQUIREMENT_HISTORY_KIND, requirement.id, from_value=old, to_value=status,
                                  actor=actor, reason=reason)
