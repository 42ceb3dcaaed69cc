"""Opening, closing and reopening a wave: confirmed when it may undo evidence, and kept in the wave's history.

Closing a wave ends its links and may release an anonymous wave's results (``surveys.releases``); reopening a
closed one is a move back (its results may change under the criteria that read them: B1, C2, D1), so it says
why. Both wait for confirmation on a page showing what the criteria's evidence would then say
(``core.transitions``); opening a draft goes through unless it would lower a criterion.
"""

from core import transitions
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
