"""Exit interviews in B2's exit analysis: what the clients who left in a period said when interviewed, and how their
answers confirmed or set the census's exit reasons.

The interviews are a client survey, which sits above the census: B2 asks for them through
``core.signals.exit_interviews`` and the survey engine answers (``surveys/exits.py``). An app without the survey
engine's hooks has no interviews, and B2 says nothing about them.
"""

from dataclasses import dataclass
from datetime import date

from core import signals


@dataclass(frozen=True)
class ExitInterviews:
    """The exit interviews of the clients who left in a period."""

    #: Clients who left in the period invited to an exit interview, and those who answered.
    invited: int
    answered: int
    #: (reason, answers) of the reasons they gave, most given first.
    reasons: tuple = ()
    #: Reviews of the answers against the census: reason confirmed, set where it had none, replaced, kept.
    confirmed: int = 0
    set: int = 0
    replaced: int = 0
    kept: int = 0
    #: Answers with a reason not reviewed yet, and how many of those differ from the census's reason.
    pending: int = 0
    differing: int = 0
    #: Where the answers waiting for review are (a wave's review page), or the interviews' survey list.
    url: str | None = None


def interviews(since: date, until: date) -> ExitInterviews | None:
    """The exit interviews of the clients who left between ``since`` and ``until``, from the first registered
    package that knows of some."""
    return next(iter(signals.send(signals.exit_interviews, since=since, until=until)), None)
