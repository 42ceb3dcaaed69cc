"""Client evidence computed from the voice of the client (C2): a hook for ``loyalty/`` and the survey engine.

Entered evidence lives in ``Evidence`` rows. What the complaints register and the client survey waves can
compute by themselves — complaint counts and response times before vs after an improvement, the satisfaction
of the attribute it targeted wave over wave — comes from providers those modules register here:
``register_provider(fn)``, where ``fn(improvements)`` returns ``{improvement_id: [ComputedEvidence, …]}`` in a
fixed number of queries. Until one is registered, none is shown and only entered evidence counts.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ComputedEvidence:
    """One piece of client evidence a provider computed for an improvement."""

    kind: str  # an ``EvidenceKind`` value: survey, complaints, response_time…
    title: str
    before_value: float | None
    after_value: float | None
    higher_is_better: bool
    #: Whether the values show clients valuing the change (C2).
    favourable: bool


_providers: list[Callable] = []


def register_provider(provider: Callable) -> None:
    """Called by ``loyalty/`` (complaints) and the survey engine (waves) when they start."""
    if provider not in _providers:
        _providers.append(provider)


def unregister_provider(provider: Callable) -> None:
    if provider in _providers:
        _providers.remove(provider)


def computed_for(improvements) -> dict[int, list[ComputedEvidence]]:
    """Every provider's evidence for these improvements, by improvement id."""
    found: dict[int, list[ComputedEvidence]] = {}
    improvements = list(improvements)
    for provider in _providers:
        for improvement_id, rows in (provider(improvements) or {}).items():
            found.setdefault(improvement_id, []).extend(rows)
    return found
