"""Opening, closing and reopening a wave: confirmed when it may undo evidence, and kept in the wave's history.

Closing a wave ends its links and may release an anonymous wave's results (``surveys.releases``); reopening a
closed one is a move back (its results may change under the criteria that read them: B1, C2, D1), so it says
why. Both wait for confirmation on a page showing what the criteria's evidence would then say
(``core.transitions``); opening a draft goes through unless it would lower a criterion.
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from core import transitions
from core.audit import acting_as_system
from core.extensions import db
from surveys import releases
from surveys.models import WAVE_HISTORY_KIND, Wave, WaveStatus

OPEN, CLOSE = "open", "close"


def must_confirm(wave: Wave, action: str) -> bool:
    """Closing, and opening a closed wave again, always wait for confirmation."""
    return action == CLOSE or wave.status == WaveStatus.CLOSED


def change_wave(wave: Wave, action: str, *, actor, reason: str | None = None, confirmed: bool = False) -> None:
    """Open (or reopen, saying why) or close a wave; refused until confirmed where ``must_confirm`` says so, or
    where it would lower a criterion (``transitions.ConfirmationNeeded``)."""
    transitions.confirm_or_refuse(lambda: preview_change(wave, action, actor=actor, reason=reason),
                                  confirmed=confirmed, always=must_confirm(wave, action))
    _apply(wave, action, actor=actor, reason=reason)


def preview_change(wave: Wave, action: str, *, actor, reason: str | None = None) -> None:
    """The change as ``transitions.preview`` runs it: without releasing an anonymous wave's pending responses.
    A preview shown after each new answer would otherwise tell one person's answer before its batch is
    released (``surveys.releases``); the evidence shown reads only what is released already."""
    _apply(wave, action, actor=actor, reason=reason or transitions.PREVIEW_REASON, release=False)


def _apply(wave: Wave, action: str, *, actor, reason: str | None, release: bool = True) -> None:
    old = wave.status
    if action == OPEN:
        wave.open(why=reason)
    else:
        wave.close()
        if release:
            releases.release_due(wave, actor=actor)
    transitions.record_transition(WAVE_HISTORY_KIND, wave.id, from_value=old, to_value=wave.status, actor=actor,
                                  reason=reason)


def close_past_waves(today: date) -> list[Wave]:
    """Close, as the system, the open waves whose end date is before ``today`` (the organisation's day), each
    with the reason in its history; an anonymous wave releases what is due as any closing does. Commits each
    wave (one that fails leaves the others closed). Returns the waves closed."""
    waves = list(db.session.scalars(select(Wave).where(Wave.status == WaveStatus.OPEN, Wave.closes_on.is_not(None),
                                                       Wave.closes_on < today).order_by(Wave.id)))
    for wave in waves:
        with acting_as_system():
            _apply(wave, CLOSE, actor=None, reason=_("Closed automatically: its end date has passed."))
        db.session.commit()
    return waves
