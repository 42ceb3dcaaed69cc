"""Results and exports of an anonymous wave, released in batches.

Comparing the results page or an export before and after one person answered would show that person's
answers, so everything an anonymous wave shows (the results page, its breakdowns, drivers and trend, the
exports, the evidence and the pack, the group pages) counts only *released* responses. A batch is released
when at least ``SURVEY_EXPORT_BATCH`` responses arrived since the last release (checked whenever the
results page or an export is opened), or, for a wave closed before any release, all at once (on closing).
Between releases everything shows the same figures, so two looks differ by a whole batch or not at all.

After an earlier release, closing does not release a remainder smaller than a batch: that remainder would
be the difference between two looks, and whoever watched the count of waiting responses could tell whose
it is. It stays unshown, and the results page says so; reopening the wave lets it grow into a batch. Each
release is an ``ExportRelease`` row (who, when, how many) and stamps its responses with the batch number.

Named waves and excluded responses: named waves show everything at once (nothing to hide); excluded
responses are never shown.
"""

from dataclasses import dataclass, replace

from flask import current_app
from sqlalchemy import func, select, update

from core.extensions import db
from surveys import engine, totals
from surveys.models import Answer, ExportRelease, Response, Survey, Wave, WaveStatus


@dataclass(frozen=True)
class ReleaseState:
    """How much of a wave its results and exports show, and what waits for the next batch."""

    batched: bool
    released: int
    pending: int
    batch_size: int
    closed: bool
    #: Batches released so far (excluded responses' batches too): closing releases all only before the first.
    batches: int = 0
    #: Responses the ``release_due`` call that gave this state released (the caller then commits).
    just_released: int = 0

    @property
    def due(self) -> bool:
        """A new batch may be released now."""
        if not self.batched or self.pending == 0:
            return False
        return self.pending >= self.batch_size or (self.closed and self.batches == 0)

    @property
    def waiting_for(self) -> int:
        """How many more responses the next batch needs (0 when it is due)."""
        return 0 if self.due or not self.batched else self.batch_size - self.pending

    @property
    def held_back(self) -> bool:
        """A closed wave's remainder, smaller than a batch, that closing did not release."""
        return self.batched and self.closed and self.pending > 0 and not self.due


def batch_size() -> int:
    return max(1, int(current_app.config["SURVEY_EXPORT_BATCH"]))


def counted():
    """Responses that count: not excluded."""
    return Response.exclusion_id.is_(None)


def release_state(wave: Wave) -> ReleaseState:
    """Released and pending responses of the wave (two queries, none over the wave's responses: the released ones
    are the running totals' shown responses, the pending ones and the batches are read on an index)."""
    pending = (select(func.count()).select_from(Response)
               .where(Response.wave_id == wave.id, Response.batch.is_(None), counted()).scalar_subquery())
    last_batch = (select(Response.batch).where(Response.wave_id == wave.id, Response.batch.is_not(None))
                  .order_by(Response.batch.desc()).limit(1).scalar_subquery())  # the index's last entry
    pending, batches = db.session.execute(select(pending, last_batch)).one()
    batches = batches or 0
    released = sum(totals.response_sizes([wave.id]).get((wave.id, None), {}).values()) if wave.survey.anonymous else 0
    return ReleaseState(batched=bool(wave.survey.anonymous), released=int(released), pending=int(pending),
                        batch_size=batch_size(), closed=wave.status == WaveStatus.CLOSED, batches=int(batches))


def release_due(wave: Wave, *, actor=None) -> ReleaseState:
    """Release the pending responses as a new batch when one is due; the state after it. Flushes.

    Only when a batch is due is the wave held (``engine.hold_wave``) and the state read again, so two
    looks at once release one batch, not two, and a look with nothing to release writes nothing."""
    state = release_state(wave)
    if not state.due:
        return state
    engine.hold_wave(wave)
    state = release_state(wave)
    if not state.due:
        return state
    table = Response.__table__
    db.session.execute(update(table).where(table.c.wave_id == wave.id, table.c.batch.is_(None),
                                           table.c.exclusion_id.is_(None)).values(batch=state.batches + 1))
    totals.count_stored((Response.wave_id == wave.id) & (Response.batch == state.batches + 1)
                        & Response.exclusion_id.is_(None))
    db.session.add(ExportRelease(wave_id=wave.id, responses=state.pending, released_by_id=getattr(actor, "id", None)))
    db.session.flush()
    return replace(release_state(wave), just_released=state.pending)


def unreleased(wave_ids=None):
    """Keys of the responses of anonymous waves that wait for their batch (among ``wave_ids``, or of every
    wave). Few at any time: the results page and the exports release a batch as soon as one is due."""
    query = (select(Response.id).join(Wave, Wave.id == Response.wave_id).join(Survey, Survey.id == Wave.survey_id)
             .where(Survey.anonymous.is_(True), Response.batch.is_(None)))
    if wave_ids is not None:
        query = query.where(Response.wave_id.in_(list(wave_ids)))
    return query


def shown_answers(wave_ids=None):
    """The condition on ``Answer`` rows that results may count: not excluded, and released when the wave is
    anonymous. ``wave_ids`` names the waves read, when known (a smaller set of keys to leave out)."""
    return Answer.excluded.is_(False) & Answer.response_id.not_in(unreleased(wave_ids))


def shown_responses(wave_ids=None):
    """The condition on ``Response`` rows that results and exports may count (as ``shown_answers``)."""
    return counted() & Response.id.not_in(unreleased(wave_ids))
