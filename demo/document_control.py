"""The demo's document control and periodic reviews, loaded last (every sheet revision and evidence item exists by
then): each sheet's latest revision approved and published a week after it was written; FID-C06 with a draft
awaiting approval; FID-S01 past its yearly review; an evidence item whose validity ended days ago; agreements and
self-assessments with their review intervals, none overdue.

Dates run back from the day the demo is loaded (``core.reviews.today``), so the story holds whatever the day: on
2026-12-03 the FID-S01 review was due on 2026-11-03 and the training certificate counted until 2026-11-30.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from core import reviews, transitions
from core.audit import acting_as
from core.extensions import db
from core.reviews import add_months
from evidence import services as evidence_services
from evidence.models import CriteriaSet, SelfAssessment
from processes import document_control
from processes.document_control import REVISION_HISTORY_KIND, SheetState
from processes.models import Interface, Process, Revision
from processes.revisions import record_revision

#: Months between reviews of every sheet, agreement and self-assessment in the demo.
INTERVAL = 12
#: The sheet whose yearly review is a month overdue, and the one with a draft awaiting approval.
OVERDUE_SHEET, PENDING_SHEET = "FID-S01", "FID-C06"


def load(users: dict) -> None:
    """Approve the sheets, plan their reviews, leave one draft pending and let one evidence item expire."""
    today = reviews.today()
    coordinator = users["coordinator@demo.test"]
    processes = {p.code: p for p in db.session.scalars(select(Process).order_by(Process.code))}
    for process in processes.values():
        _publish(process, process.owner or coordinator, today)
        process.review_interval_months = INTERVAL
        # Reviewed at the last quality committee, two months ago, except the one left overdue.
        months_back = INTERVAL + 1 if process.code == OVERDUE_SHEET else 2
        process.reviewed_on = add_months(today, -months_back)
    _pending_draft(processes[PENDING_SHEET], users["maria.lopez@demo.test"], today)
    for interface in db.session.scalars(select(Interface).where(Interface.review_date.is_not(None))):
        interface.review_interval_months = INTERVAL
    newest = select(func.max(SelfAssessment.id)).group_by(SelfAssessment.criterion_id)
    for assessment in db.session.scalars(select(SelfAssessment).where(SelfAssessment.id.in_(newest))):
        assessment.review_interval_months = INTERVAL
    _expired_certificate(coordinator, today)
    db.session.flush()


def _day_after(moment: datetime, days: int, today) -> datetime:
    """``days`` after ``moment`` at noon, never later than yesterday (a recent revision was approved at once)."""
    latest = datetime.combine(today - timedelta(days=1), time(12, 0))
    return max(moment, min(datetime.combine(moment.date() + timedelta(days=days), time(12, 0)), latest))


def _publish(process: Process, approver, today) -> None:
    """The sheet's latest revision submitted the day after it was written and approved by ``approver`` a week after."""
    revision = db.session.scalar(select(Revision).where(Revision.process_id == process.id)
                                 .order_by(Revision.number.desc()).limit(1))
    if revision is None:
        return
    submitted, approved = _day_after(revision.created_at, 1, today), _day_after(revision.created_at, 7, today)
    with acting_as(revision.author or approver):
        revision.submitted_at, revision.submitted_by_id = submitted, getattr(revision.author, "id", None)
    with acting_as(approver):
        revision.approved_at, revision.approved_by_id, revision.effective_on = approved, approver.id, approved.date()
    db.session.flush()
    transitions.record_transition(REVISION_HISTORY_KIND, revision.id, from_value=SheetState.DRAFT,
                                  to_value=SheetState.SUBMITTED, actor=revision.author, at=submitted)
    transitions.record_transition(REVISION_HISTORY_KIND, revision.id, from_value=SheetState.SUBMITTED,
                                  to_value=SheetState.APPROVED, actor=approver, at=approved)


def _pending_draft(process: Process, author, today) -> None:
    """The communication sheet rewritten for the new app channel, submitted two days ago, not yet approved."""
    with acting_as(author):
        process.outputs = (process.outputs or "") + "; avisos en la aplicación móvil"
        written = datetime.combine(today - timedelta(days=5), time(9, 30))
        record_revision(process, "Se añade la aplicación móvil como canal de avisos a los socios.", author=author,
                        at=written)
        revision = document_control.submit(process, actor=author)
    revision.submitted_at = datetime.combine(today - timedelta(days=2), time(11, 0))
    change = db.session.scalar(select(transitions.StateChange).where(
        transitions.StateChange.record_kind == REVISION_HISTORY_KIND, transitions.StateChange.record_id == revision.id))
    change.at = revision.submitted_at


def _expired_certificate(coordinator, today) -> None:
    """A training certificate for D1 that was valid until three days ago: kept, marked, no longer counting."""
    checklist = db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == "FID-A1E1"))
    d1 = next(c for c in checklist.criteria if c.code == "D1")
    with acting_as(coordinator):
        item = evidence_services.add_evidence(
            "Certificado de formación en atención al socio", criteria=[d1],
            note="Curso anual de atención al socio; el certificado vence cada año y se renueva con el curso.",
            actor=coordinator)
        item.valid_until = today - timedelta(days=3)
        item.review_interval_months = INTERVAL
        item.reviewed_on = add_months(today, -INTERVAL + 1)
