"""The service cycle (seed 001, Dimensión 3): the moments of contact a client passes through in a programme,
in order, each with the processes that serve it and the indicators that measure its quality — so that the
quality, relevance and pertinence of each moment can be analysed (A1's map read from the client's side, B1's
listening placed along the client's path)."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.rules import RuleError
from core.shared_reads import shared
from core.versioning import ensure_current
from processes.models import (
    Indicator,
    Process,
    ProcessStatus,
    ServiceMoment,
    ServiceMomentIndicator,
    ServiceMomentProcess,
)
from processes.positions import move, renumber


class CycleRuleError(RuleError):
    """A moment of contact the rules refuse; the message says why."""


def moments_of(programme_ids) -> dict[int, list[ServiceMoment]]:
    """programme id → its moments of contact in order, with their processes and indicators (three queries)."""
    query = (select(ServiceMoment).where(ServiceMoment.programme_id.in_(list(programme_ids)))
             .options(selectinload(ServiceMoment.processes), selectinload(ServiceMoment.indicators))
             .order_by(ServiceMoment.programme_id, ServiceMoment.position, ServiceMoment.id))
    found: dict[int, list[ServiceMoment]] = {}
    for moment in db.session.scalars(query):
        found.setdefault(moment.programme_id, []).append(moment)
    return found


def cycle_of(programme_id: int) -> list[ServiceMoment]:
    return moments_of([programme_id]).get(programme_id, [])


def moments_serving(process_id: int) -> list[ServiceMoment]:
    """The moments of contact a process serves, by programme and order (one query)."""
    query = (select(ServiceMoment).join(ServiceMomentProcess, ServiceMomentProcess.moment_id == ServiceMoment.id)
             .where(ServiceMomentProcess.process_id == process_id)
             .order_by(ServiceMoment.programme_id, ServiceMoment.position))
    return list(db.session.scalars(query))


def _checked_links(process_ids, indicator_ids) -> tuple[list[int], list[int]]:
    """The ids kept, refusing an unknown or retired process and an indicator of a process the moment is not
    linked to (a moment's quality is measured by its own processes' indicators)."""
    process_ids, indicator_ids = list(dict.fromkeys(process_ids or [])), list(dict.fromkeys(indicator_ids or []))
    current = set(db.session.scalars(select(Process.id).where(Process.id.in_(process_ids),
                                                              Process.status != ProcessStatus.RETIRED)))
    if set(process_ids) - current:
        raise CycleRuleError(_("A moment of contact is served by current processes only."))
    owners = dict(db.session.execute(select(Indicator.id, Indicator.process_id)
                                     .where(Indicator.id.in_(indicator_ids))).all())
    if any(owners.get(i) not in current for i in indicator_ids):
        raise CycleRuleError(_("Each quality indicator of a moment must be an indicator of one of its processes."))
    return process_ids, indicator_ids


def save_moment(programme_id: int, moment: ServiceMoment | None, data: dict, *, version=None) -> ServiceMoment:
    """Add a moment at the end of the programme's cycle, or change one: its name, what the client experiences,
    its processes and its quality indicators (each link a row of the audit trail)."""
    process_ids, indicator_ids = _checked_links(data.get("process_ids"), data.get("indicator_ids"))
    if moment is None:
        moment = ServiceMoment(programme_id=programme_id, position=len(cycle_of(programme_id)) + 1)
        db.session.add(moment)
    else:
        ensure_current(moment, version)
    moment.name = data["name"].strip()
    moment.description = (data.get("description") or "").strip() or None
    _relink(moment.process_links, "process_id", process_ids, ServiceMomentProcess)
    _relink(moment.indicator_links, "indicator_id", indicator_ids, ServiceMomentIndicator)
    db.session.flush()
    db.session.refresh(moment)
    return moment


def _relink(links: list, column: str, wanted: list[int], model) -> None:
    """Remove the links no longer wanted and add the new ones, so the trail records only what changed."""
    for link in [link for link in links if getattr(link, column) not in wanted]:
        links.remove(link)
    have = {getattr(link, column) for link in links}
    links.extend(model(**{column: record_id}) for record_id in wanted if record_id not in have)


def move_moment(moment: ServiceMoment, offset: int) -> bool:
    """Move a moment earlier (-1) or later (+1) in the cycle; False when it is already at that end."""
    if not move(cycle_of(moment.programme_id), moment, offset):
        return False
    db.session.flush()
    return True


def remove_moment(moment: ServiceMoment) -> None:
    """Take a moment out of the cycle; the others close ranks (the audit trail keeps what it was)."""
    rest = [m for m in cycle_of(moment.programme_id) if m is not moment]
    db.session.delete(moment)
    db.session.flush()
    renumber(rest)
    db.session.flush()


@dataclass(frozen=True)
class CycleFacts:
    """A programme's service cycle as the evidence reads it."""

    moments: tuple = ()

    @property
    def without_process(self) -> list:
        return [m for m in self.moments if not m.processes]

    @property
    def without_indicator(self) -> list:
        return [m for m in self.moments if not m.indicators]


@shared
def cycle_facts(programme_id: int | None) -> CycleFacts:
    return CycleFacts(tuple(cycle_of(programme_id)) if programme_id is not None else ())
