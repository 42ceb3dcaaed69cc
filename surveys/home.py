"""What the survey engine shows on the home page: the waves open and their response rate.

Only counts: how many were invited and how many responses are shown (an anonymous wave's responses waiting for
their batch are not counted yet, as on its results page); never an answer, a name or a link."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from surveys import totals
from surveys.models import Invitation, ResponseSource, Wave, WaveStatus

#: Open waves listed.
LISTED = 6


@dataclass(frozen=True)
class OpenWave:
    wave: Wave
    invited: int
    responses: int
    #: Responses through personal links: the response rate's numerator (as ``surveys.results.WaveResults``).
    answered_links: int

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.answered_links / self.invited if self.invited else None


def open_waves(listed: int = LISTED) -> tuple[list[OpenWave], int]:
    """The open waves (the latest opened first, at most ``listed``) with their counts, and how many are open (four
    statements)."""
    is_open = Wave.status == WaveStatus.OPEN
    total = db.session.scalar(select(func.count()).select_from(Wave).where(is_open)) or 0
    waves = list(db.session.scalars(select(Wave).where(is_open).options(joinedload(Wave.survey))
                                    .order_by(Wave.opens_on.desc(), Wave.id.desc()).limit(listed)))
    ids = [w.id for w in waves]
    if not ids:
        return [], total
    invited = dict(db.session.execute(select(Invitation.wave_id, func.count()).where(Invitation.wave_id.in_(ids))
                                      .group_by(Invitation.wave_id)).all())
    shown = {wave_id: (sum(by_source.values()), by_source.get(str(ResponseSource.LINK), 0))
             for (wave_id, _group), by_source in totals.response_sizes(ids).items()}
    return [OpenWave(w, invited.get(w.id, 0), *shown.get(w.id, (0, 0))) for w in waves], total
