"""Exports of an anonymous wave, released in batches.

Comparing the responses export before and after one person answered would show that person's row, so
an anonymous wave's exports hold only *released* responses: a batch is released when at least
``SURVEY_EXPORT_BATCH`` responses arrived since the last release, or, for a wave closed before any
release, all at once. Between releases every export shows the same rows, so two exports differ by a whole
batch or not at all. Closing does not release a remainder smaller than a batch after an earlier release:
that remainder would be the difference between two exports (it stays in the results page, see
docs/anonymity.md). Each release is an
``ExportRelease`` row (who, when, how many) and stamps its responses with the batch number.

Named waves and excluded responses: named waves export everything at once (nothing to hide); excluded
responses never leave in an export.
"""

from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update

from core.extensions import db
from surveys.models import Answer, ExportRelease, Response, Wave, WaveStatus


@dataclass(frozen=True)
class ReleaseState:
    """How much of a wave the exports hold, and what waits for the next batch."""

    batched: bool
    released: int
    pending: int
    batch_size: int
    closed: bool

    @property
    def due(self) -> bool:
        """A new batch may be released now."""
        if not self.batched or self.pending == 0:
            return False
        return self.pending >= self.batch_size or (self.closed and self.released == 0)

    @property
    def waiting_for(self) -> int:
        """How many more responses the next batch needs (0 when it is due)."""
        return 0 if self.due or not self.batched else self.batch_size - self.pending


def batch_size() -> int:
    return max(1, int(current_app.config["SURVEY_EXPORT_BATCH"]))


def counted():
    """Responses that count: not excluded."""
    return Response.exclusion_id.is_(None)


def release_state(wave: Wave) -> ReleaseState:
    """Released and pending responses of the wave (one query)."""
    released, pending = db.session.execute(
        select(func.count(Response.batch), func.count() - func.count(Response.batch))
        .where(Response.wave_id == wave.id, counted())).one()
    return ReleaseState(batched=bool(wave.survey.anonymous), released=int(released or 0), pending=int(pending or 0),
                        batch_size=batch_size(), closed=wave.status == WaveStatus.CLOSED)


def release_due(wave: Wave, *, actor=None) -> ReleaseState:
    """Release the pending responses as a new batch when one is due; the state after it. Flushes.

    The wave's row is locked first (PostgreSQL), so two exports at once release one batch, not two."""
    db.session.execute(select(Wave.id).where(Wave.id == wave.id).with_for_update())
    state = release_state(wave)
    if not state.due:
        return state
    number = (db.session.scalar(select(func.max(Response.batch)).where(Response.wave_id == wave.id)) or 0) + 1
    db.session.execute(update(Response.__table__).where(
        Response.__table__.c.wave_id == wave.id, Response.__table__.c.batch.is_(None),
        Response.__table__.c.exclusion_id.is_(None)).values(batch=number))
    db.session.add(ExportRelease(wave_id=wave.id, responses=state.pending,
                                 released_by_id=getattr(actor, "id", None)))
    db.session.flush()
    return release_state(wave)


def exported_responses(wave: Wave):
    """The condition on ``Response`` rows an export of the wave may hold."""
    condition = counted()
    if wave.survey.anonymous:
        condition = condition & Response.batch.is_not(None)
    return condition


def exported_item_counts(wave: Wave) -> dict[int, dict[float, int]]:
    """``{item_id: {value: count}}`` over the responses the exports may hold (one aggregate)."""
    query = (select(Answer.item_id, Answer.number, func.count())
             .join(Response, Response.id == Answer.response_id)
             .where(Answer.wave_id == wave.id, Answer.number.is_not(None), exported_responses(wave))
             .group_by(Answer.item_id, Answer.number))
    found: dict = defaultdict(dict)
    for item_id, number, count in db.session.execute(query):
        found[item_id][float(number)] = count
    return found
