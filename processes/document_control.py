"""Document control of process sheets: a draft is submitted, approved by the process owner or a coordinator, and
published from its effective date; the published version is never lost while the next draft is edited.

Every save of a sheet or of its diagram is a numbered ``Revision`` holding the sheet as it then was
(``processes.revisions``). The working copy (the process row and its stages) is therefore always the latest
revision, and document control only marks revisions:

- **draft**: the latest revision, neither submitted nor approved (any edit makes a new one);
- **submitted**: waiting for approval; an edit after submitting makes a newer draft, which must be submitted again
  (what is approved is exactly what was submitted);
- **approved**: published from ``effective_on``. The *published* version of a sheet is its latest approved revision
  already in effect; one approved with a later effective date is *scheduled* and the earlier one stays published.

Each move is a row of the revision's history (``core.transitions``, kind ``process_revision``) beside its audit rows.
Sheets stored before document control existed were marked published by migration 0033; a process with no revision
at all (loaded outside the app's forms) is taken as published too, its sheet being the working copy.
"""

import enum
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import schedule, transitions
from core.extensions import db
from core.reviews import is_overdue, next_review
from core.rules import TransitionRefused
from core.timeutil import utcnow
from processes.lifecycle import PROCESS_HISTORY_KIND
from processes.models import Process, Revision

#: The kind of record of a revision in the state-change history.
REVISION_HISTORY_KIND = "process_revision"


class SheetState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"


STATE_LABELS = {SheetState.DRAFT: _l("Draft"), SheetState.SUBMITTED: _l("Awaiting approval"),
                SheetState.APPROVED: _l("Approved")}


def state_of(revision: Revision) -> SheetState:
    if revision.approved_at is not None:
        return SheetState.APPROVED
    return SheetState.SUBMITTED if revision.submitted_at is not None else SheetState.DRAFT


@dataclass(frozen=True)
class Control:
    """Where a sheet stands: its published version, the one scheduled to replace it, and the draft after them."""

    process: Process
    #: The latest approved revision in effect; None when none is (a new sheet).
    published: Revision | None
    #: An approved revision whose effective date is still to come.
    scheduled: Revision | None
    #: The latest revision when it is not approved (draft or submitted).
    draft: Revision | None
    #: The sheet has no revision at all: its working copy is what is in force.
    uncontrolled: bool = False

    @property
    def is_published(self) -> bool:
        return self.published is not None or self.uncontrolled

    @property
    def review_due(self) -> date | None:
        """When the published sheet is due for its periodic review: from the later of its effective date and its
        last review."""
        process = self.process
        starts = [d for d in (self.published.effective_on if self.published else None, process.reviewed_on) if d]
        return next_review(max(starts) if starts else None, process.review_interval_months)

    def review_overdue(self, today: date) -> bool:
        return is_overdue(self.review_due, today)


def _revisions(process_ids) -> dict[int, list[Revision]]:
    ids = list(process_ids)
    found: dict[int, list[Revision]] = {i: [] for i in ids}
    if ids:
        query = select(Revision).where(Revision.process_id.in_(ids)).order_by(Revision.process_id, Revision.number)
        for revision in db.session.scalars(query):
            found[revision.process_id].append(revision)
    return found


def _control(process: Process, revisions: list[Revision], today: date) -> Control:
    if not revisions:
        return Control(process, None, None, None, uncontrolled=True)
    approved = [r for r in revisions if r.approved_at is not None]
    published = next((r for r in reversed(approved) if r.effective_on is None or r.effective_on <= today), None)
    scheduled = next((r for r in reversed(approved) if r.effective_on and r.effective_on > today), None)
    latest = revisions[-1]
    return Control(process, published, scheduled, None if latest.approved_at is not None else latest)


def controls(processes, today: date) -> dict[int, Control]:
    """Each process's document control, by id (one statement for all of them)."""
    processes = list(processes)
    revisions = _revisions(p.id for p in processes)
    return {p.id: _control(p, revisions[p.id], today) for p in processes}


def control(process: Process, today: date) -> Control:
    return controls([process], today)[process.id]


def _latest(process: Process) -> Revision | None:
    db.session.flush()
    return db.session.scalar(select(Revision).where(Revision.process_id == process.id)
                             .order_by(Revision.number.desc()).limit(1))


def _move(revision: Revision, old: SheetState, new: SheetState, *, actor, reason: str | None = None) -> None:
    db.session.flush()
    transitions.record_transition(REVISION_HISTORY_KIND, revision.id, from_value=old, to_value=new, actor=actor,
                                  reason=reason)


def submit(process: Process, *, actor) -> Revision:
    """Submit the sheet's draft (its latest revision) for approval; refused when there is no draft to submit."""
    revision = _latest(process)
    if revision is None or state_of(revision) != SheetState.DRAFT:
        raise TransitionRefused(_("%(process)s has no draft to submit: change the sheet or its diagram first.",
                                  process=process.code))
    revision.submitted_at, revision.submitted_by_id = utcnow(), getattr(actor, "id", None)
    _move(revision, SheetState.DRAFT, SheetState.SUBMITTED, actor=actor)
    return revision


def approve(process: Process, *, actor, effective_on: date, number: int | None = None) -> Revision:
    """Approve the submitted draft, published from ``effective_on``. ``number`` is the revision the approver saw:
    when the sheet changed since (a newer draft), the approval is refused rather than publish something unread."""
    revision = _latest(process)
    if revision is None or state_of(revision) != SheetState.SUBMITTED:
        raise TransitionRefused(_("%(process)s has no draft awaiting approval.", process=process.code))
    if number is not None and number != revision.number:
        raise TransitionRefused(_("The sheet of %(process)s changed while you were reading it: read revision "
                                  "%(number)d before approving it.", process=process.code, number=revision.number))
    if effective_on is None:
        raise TransitionRefused(_("Give the date the approved sheet comes into effect."))
    # The day it was written where the organisation is: a stored UTC moment can already be tomorrow in UTC.
    written_on = schedule.today(revision.created_at) if revision.created_at is not None else None
    if written_on is not None and effective_on < written_on:
        raise TransitionRefused(_("Revision %(number)d was written on %(date)s: it cannot come into effect before.",
                                  number=revision.number, date=format_date(written_on, "short")))
    revision.approved_at, revision.approved_by_id = utcnow(), getattr(actor, "id", None)
    revision.effective_on = effective_on
    _move(revision, SheetState.SUBMITTED, SheetState.APPROVED, actor=actor)
    return revision


def send_back(process: Process, *, actor, reason: str | None) -> Revision:
    """Return a submitted draft to its authors without approving it, saying why (it stays a draft)."""
    revision = _latest(process)
    if revision is None or state_of(revision) != SheetState.SUBMITTED:
        raise TransitionRefused(_("%(process)s has no draft awaiting approval.", process=process.code))
    reason = transitions.require_reason(reason, _("Say what the draft of %(process)s needs before it can be "
                                                  "approved.", process=process.code))
    revision.submitted_at = revision.submitted_by_id = None
    _move(revision, SheetState.SUBMITTED, SheetState.DRAFT, actor=actor, reason=reason)
    return revision


def record_review(process: Process, *, interval_months: int | None, reviewed_on: date | None, actor) -> None:
    """Set the sheet's review interval and, when given, the day it was reviewed and found still right."""
    if reviewed_on is not None and not control(process, reviewed_on).is_published:
        raise TransitionRefused(_("%(process)s has no published sheet to review yet: approve a version first.",
                                  process=process.code))
    process.review_interval_months = interval_months or None
    if reviewed_on is not None:
        old, process.reviewed_on = process.reviewed_on, reviewed_on
        db.session.flush()
        transitions.record_transition(PROCESS_HISTORY_KIND, process.id, field="reviewed_on", from_value=old,
                                      to_value=reviewed_on, actor=actor)
    db.session.flush()


def revision_histories(revisions) -> dict[int, list]:
    """The document-control moves of each revision, oldest first (one statement)."""
    ids = [r.id for r in revisions]
    found: dict[int, list] = {i: [] for i in ids}
    if ids:
        query = (select(transitions.StateChange).where(transitions.StateChange.record_kind == REVISION_HISTORY_KIND,
                                                       transitions.StateChange.record_id.in_(ids))
                 .order_by(transitions.StateChange.at, transitions.StateChange.id))
        for row in db.session.scalars(query):
            found[row.record_id].append(row)
    return found
