"""Programmes, process sheets, participants and documents: the operations behind the forms."""

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select

from core import transitions
from core.access import COORDINATORS
from core.extensions import db
from core.files import DOCUMENTS, Owner, store_upload
from core.rules import RuleError
from core.shared_reads import shared
from core.versioning import ensure_current
from processes import diagrams, lifecycle
from processes.computed import refresh, source_of
from processes.models import (
    Indicator,
    Interface,
    Measurement,
    Participant,
    Process,
    ProcessDocument,
    ProcessKind,
    ProcessStage,
    ProcessStatus,
    Programme,
    Revision,
    ServiceMomentIndicator,
    ServiceMomentProcess,
)
from processes.revisions import FIRST_REASON, record_revision

SHEET_ATTRIBUTES = ("code", "name", "kind", "programme_id", "parent_id", "purpose", "scope_start", "scope_end",
                    "inputs", "outputs", "process_clients", "owner_id", "status")


class ProcessRuleError(RuleError):
    """A change the process map's rules refuse; the message says why."""


def may_edit_process(user, process: Process | None) -> bool:
    """Coordinators change every process; an owner changes their own."""
    if user.role in COORDINATORS:
        return True
    return process is not None and process.owner_id == user.id


def may_edit_interface(user, from_process_id: int | None, to_process_id: int | None) -> bool:
    """Coordinators, or the owner of either process an interface joins."""
    processes = [db.session.get(Process, pid) for pid in (from_process_id, to_process_id) if pid]
    return may_edit_process(user, None) or any(may_edit_process(user, p) for p in processes if p)


def may_record_measurements(user, indicator: Indicator) -> bool:
    """Those who may edit the process, and the person responsible for the indicator."""
    return may_edit_process(user, indicator.process) or indicator.responsible_id == user.id


def ancestors(process_id: int | None) -> list[int]:
    """The ids above a process in the hierarchy, nearest first (stops at a cycle, should one exist)."""
    parents = dict(db.session.execute(select(Process.id, Process.parent_id)).all())
    found, current = [], parents.get(process_id) if process_id else None
    while current is not None and current not in found:
        found.append(current)
        current = parents.get(current)
    return found


def check_parent(process: Process, parent_id: int | None) -> None:
    """Refuse a parent that would put the process inside itself."""
    if parent_id is None or process.id is None:
        return
    if parent_id == process.id or process.id in ancestors(parent_id):
        raise ProcessRuleError(_("A process cannot be inside itself: choose another parent process."))


def _blank_to_none(value):
    if isinstance(value, str):
        return value.strip() or None
    return value


def save_process(process: Process | None, data: dict, *, actor, reason: str = "", version=None) -> Process:
    """Create a process sheet or apply an edited one, with the numbered revision that keeps it and why (C3).

    Refuses a stale form and hierarchy cycles; a new sheet's revision says it was created, and an edit
    that changes nothing makes no revision."""
    creating = process is None
    if creating:
        process = Process()
        db.session.add(process)
    else:
        ensure_current(process, version)
        check_parent(process, data.get("parent_id"))
        data = {**data, "status": _edited_status(process, data.get("status"))}
    old_status = process.status
    for attribute in SHEET_ATTRIBUTES:
        if attribute in data:
            setattr(process, attribute, _blank_to_none(data[attribute]))
    process.code = process.code.upper()
    record_revision(process, str(FIRST_REASON) if creating else reason, author=actor)
    if not creating:
        lifecycle.record_edit(process, old_status, actor=actor, reason=reason)
    return process


def _edited_status(process: Process, value) -> ProcessStatus:
    """The status an edited sheet keeps: the form may put a draft in force, nothing else. Retiring, bringing a
    retired process back and a move back to draft go through ``processes.lifecycle`` (confirmed, with a reason):
    a retired sheet edited stays retired."""
    if not value or process.status == ProcessStatus.RETIRED:
        return process.status
    status = ProcessStatus(value)
    if lifecycle.is_backward(process, status):
        raise ProcessRuleError(_("%(process)s is in force: it cannot go back to draft from its sheet. Retire it "
                                 "instead (that asks what it changes first).", process=process.code))
    return status


def has_history(process: Process) -> bool:
    """Whether measurements or interfaces refer to the process, so that deleting it would lose evidence."""
    measured = exists().where(Measurement.indicator_id == Indicator.id, Indicator.process_id == process.id)
    linked = exists().where(or_(Interface.from_process_id == process.id, Interface.to_process_id == process.id))
    return bool(db.session.scalar(select(measured | linked)))


def delete_process(process: Process) -> None:
    """Delete a draft sheet entered by mistake; anything with history, or a sheet that was ever in force (the
    map the evidence showed), must be retired instead."""
    if process.status != ProcessStatus.DRAFT or transitions.history(lifecycle.PROCESS_HISTORY_KIND, process.id):
        raise ProcessRuleError(_("%(process)s has been in force: retire it instead of deleting it (the evidence "
                                 "showed it).", process=process.code))
    if has_history(process):
        raise ProcessRuleError(_("%(process)s has measurements or interfaces: retire it instead of deleting it.",
                                 process=process.code))
    if process.children:
        raise ProcessRuleError(_("%(process)s has sub-processes: move or retire them first.", process=process.code))
    # A draft may already be linked to moments of the service cycle: the links go with it (each in the trail).
    indicator_ids = [indicator.id for indicator in process.indicators]
    for link in db.session.scalars(select(ServiceMomentProcess).where(ServiceMomentProcess.process_id == process.id)):
        db.session.delete(link)
    for link in db.session.scalars(select(ServiceMomentIndicator)
                                   .where(ServiceMomentIndicator.indicator_id.in_(indicator_ids))):
        db.session.delete(link)
    for indicator in list(process.indicators):
        db.session.delete(indicator)
    db.session.delete(process)
    db.session.flush()


def add_participant(process: Process, user_id: int, role: str) -> Participant:
    if any(p.user_id == user_id for p in process.participants):
        raise ProcessRuleError(_("This person already takes part in the process."))
    participant = Participant(user_id=user_id, role=role.strip())
    process.participants.append(participant)
    db.session.flush()
    return participant


def remove_participant(process: Process, participant_id: int) -> None:
    participant = next((p for p in process.participants if p.id == participant_id), None)
    if participant is None:
        raise ProcessRuleError(_("This person does not take part in the process."))
    process.participants.remove(participant)
    db.session.flush()


def add_stage(process: Process, data: dict, *, actor, reason: str = "") -> ProcessStage:
    """Add a stage at the end of the diagram, with the revision that records it (``reason``, else what changed)."""
    stage = diagrams.save_stage(process, None, data)
    record_revision(process, reason or _("Diagram: stage “%(name)s” added", name=stage.name), author=actor)
    return stage


def change_stage(process: Process, stage: ProcessStage, data: dict, *, actor, version,
                 reason: str = "") -> Revision | None:
    """Change a stage, with the revision that records it; None when nothing changed, so no revision was made."""
    diagrams.save_stage(process, stage, data, version=version)
    return record_revision(process, reason or _("Diagram: stage “%(name)s” changed", name=stage.name), author=actor)


def move_stage(process: Process, stage: ProcessStage, offset: int, *, actor) -> bool:
    """Move a stage earlier (-1) or later (+1), with its revision; False, and no revision, at that end already."""
    if not diagrams.move_stage(process, stage, offset):
        return False
    reason = (_("Diagram: stage “%(name)s” moved later", name=stage.name) if offset > 0
              else _("Diagram: stage “%(name)s” moved earlier", name=stage.name))
    record_revision(process, reason, author=actor)
    return True


def remove_stage(process: Process, stage: ProcessStage, *, actor) -> None:
    """Take a stage out of the diagram; its revision keeps the diagram as it was before."""
    name = stage.name
    diagrams.remove_stage(process, stage)
    record_revision(process, _("Diagram: stage “%(name)s” removed", name=name), author=actor)


def add_document(process: Process, upload, title: str, *, actor) -> ProcessDocument:
    stored = store_upload(upload, owner=Owner.PROCESS_DOCUMENT, accept=DOCUMENTS, actor=actor)
    document = ProcessDocument(file=stored, title=title.strip() or stored.filename)
    process.documents.append(document)
    db.session.flush()
    return document


INDICATOR_ATTRIBUTES = ("code", "name", "definition", "unit", "frequency", "direction", "kind", "alert_threshold",
                        "data_source", "computed_source", "source_parameter", "responsible_id")


def save_indicator(indicator: Indicator | None, data: dict, *, process: Process | None = None,
                   version=None) -> Indicator:
    """Define a new indicator of ``process`` or change one (refusing a stale form)."""
    if indicator is None:
        indicator = Indicator(process=process)
        db.session.add(indicator)
    else:
        ensure_current(indicator, version)
    for attribute in INDICATOR_ATTRIBUTES:
        if attribute in data:
            setattr(indicator, attribute, _blank_to_none(data[attribute]))
    indicator.code = indicator.code.upper()
    if not indicator.computed_source:
        indicator.source_parameter = None
    elif not indicator.unit and (source := source_of(indicator)) is not None and source.unit:
        indicator.unit = str(source.unit)  # the figure's own unit, unless the team wrote one
    db.session.flush()
    if indicator.computed_source:  # its source, parameter or frequency may have changed: measure it again
        refresh([indicator])
    return indicator


SORTABLE = {"code": Process.code, "name": Process.name, "kind": Process.kind, "status": Process.status}


def process_query(*, q=None, programme_id=None, kind=None, status=None, owner_id=None, sort="code",
                  descending=False):
    """The processes matching a search and filters, in the requested order (a SELECT to paginate)."""
    query = select(Process)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(Process.code).like(pattern), func.lower(Process.name).like(pattern)))
    if programme_id:
        query = query.where(Process.programme_id == programme_id)
    if kind:
        query = query.where(Process.kind == ProcessKind(kind))
    if status:
        query = query.where(Process.status == ProcessStatus(status))
    else:
        query = query.where(Process.status != ProcessStatus.RETIRED)
    if owner_id:
        query = query.where(Process.owner_id == owner_id)
    column = SORTABLE.get(sort, Process.code)
    return query.order_by(column.desc() if descending else column.asc(), Process.id)


@shared
def certified_programme() -> Programme | None:
    """The programme under certification (the loyalty programme)."""
    return db.session.scalar(select(Programme).where(Programme.is_certified).order_by(Programme.id).limit(1))


def save_programme(programme: Programme | None, data: dict, *, version=None) -> Programme:
    if programme is None:
        programme = Programme()
        db.session.add(programme)
    else:
        ensure_current(programme, version)
    programme.code = data["code"].strip().upper()
    programme.name = data["name"].strip()
    programme.description = (data.get("description") or "").strip() or None
    if data.get("is_certified"):
        for other in db.session.scalars(select(Programme).where(Programme.is_certified)):
            if other is not programme:
                other.is_certified = False
    programme.is_certified = bool(data.get("is_certified"))
    db.session.flush()
    return programme
