"""The staff participation survey of a group's members (D1), as the group's page shows it.

The survey engine owns the survey, its invitations and its anonymous answers; its hooks answer the
``core.signals.group_participation`` signal with a ``Participation`` (or None when the group has no survey).
"""

from dataclasses import dataclass

from core import signals


@dataclass(frozen=True)
class Participation:
    """A group's staff participation survey as the group page shows it."""

    url: str
    title: str
    invited: int
    responses: int
    #: Share of answers that value positively that their opinion was taken into account (D1), 0–100.
    favourable_pct: float | None
    #: Responses not counted yet: an anonymous survey's results are released in batches.
    waiting: int = 0

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.responses / self.invited, 1) if self.invited else None


def for_group(group) -> Participation | None:
    """The group's participation survey, from the first registered package that knows one."""
    return next(iter(signals.send(signals.group_participation, group)), None)
