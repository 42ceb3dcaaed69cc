"""Retiring a process and bringing it back: confirmed when it may undo evidence, and kept in its history.

A retired process leaves the map (A1), its indicators leave the dashboard (E1) and its interfaces stop
counting, so retiring is a move back: it always waits for confirmation on a page showing what the criteria's
evidence would then say (``core.transitions``), and says why. Bringing a retired process back goes through
unless it would lower a criterion. Every move is one row of the process's history. A sheet that was ever in
force is evidence of the map as it was: it is retired, never deleted (``processes.services.delete_process``).
"""

from flask_babel import gettext as _

from core import transitions
from core.extensions import db
from processes.models import Process, ProcessStatus

#: The kind of record of a process in the state-change history (``core.transitions``).
PROCESS_HISTORY_KIND = "process"
#: Moves that take a process back: retiring it, and a sheet in force going back to draft.
BACKWARD = {(ProcessStatus.IN_FORCE, ProcessStatus.RETIRED), (ProcessStatus.DRAFT, ProcessStatus.RETIRED),
            (ProcessStatus.IN_FORCE, ProcessStatus.DRAFT)}


def is_backward(process: Process, status: ProcessStatus) -> bool:
    return (process.status, status) in BACKWARD


def restored_status(process: Process) -> ProcessStatus:
    """What a retired process goes back to: the status it had before it was retired (in force if unknown)."""
    for row in reversed(transitions.history(PROCESS_HISTORY_KIND, process.id)):
        if row.to_value == ProcessStatus.RETIRED and row.from_value:
            return ProcessStatus(row.from_value)
    return ProcessStatus.IN_FORCE


def change_status(process: Process, status: ProcessStatus, *, actor, reason: str | None = None,
                  confirmed: bool = False) -> None:
    """Move a process to ``status`` (retire it, bring it back, put it in force); refused until confirmed
    (``transitions.ConfirmationNeeded``) when it moves back or would lower a criterion, and a move back says why."""
    transitions.confirm_or_refuse(lambda: _apply(process, status, actor=actor,
                                                 reason=reason or transitions.PREVIEW_REASON),
                                  confirmed=confirmed, always=is_backward(process, status))
    _apply(process, status, actor=actor, reason=reason)


def preview_change(process: Process, status: ProcessStatus, *, actor, reason: str | None = None) -> None:
    """The change as ``transitions.preview`` runs it (the reason may not be written yet)."""
    _apply(process, status, actor=actor, reason=reason or transitions.PREVIEW_REASON)


def _apply(process: Process, status: ProcessStatus, *, actor, reason: str | None) -> None:
    old = process.status
    if old == status:
        return
    if is_backward(process, status):
        transitions.require_reason(reason, _("Say why %(process)s is retired.", process=process.code)
                                   if status == ProcessStatus.RETIRED else
                                   _("Say why %(process)s goes back to draft.", process=process.code))
    process.status = status
    db.session.flush()
    transitions.record_transition(PROCESS_HISTORY_KIND, process.id, from_value=old, to_value=status, actor=actor,
                                  reason=reason)


def record_edit(process: Process, old: ProcessStatus, *, actor, reason: str | None) -> None:
    """Keep in the history a status the sheet's form changed (only forward moves: the form offers no other)."""
    if process.status != old:
        transitions.record_transition(PROCESS_HISTORY_KIND, process.id, from_value=old, to_value=process.status,
                                      actor=actor, reason=reason)

