"""The staff participation survey of a group's members (D1): a hook for the survey engine (issue 5).

The survey engine owns the survey, its invitations and its anonymous answers. Once it exists it registers
a provider here, ``register_provider(fn)``, where ``fn(group)`` returns a ``Participation`` (or None when
the group has no survey yet). Until then a group's page says the survey is not available.
"""

from collections.abc import Callable
from dataclasses import dataclass


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


_provider: Callable | None = None


def register_provider(provider: Callable | None) -> None:
    """Called by the survey engine at start-up: ``provider(group) -> Participation | None``."""
    global _provider
    _provider = provider


def available() -> bool:
    return _provider is not None


def for_group(group) -> Participation | None:
    return _provider(group) if _provider is not None else None
