"""Client evidence computed from the voice of the client (C2).

Entered evidence lives in ``Evidence`` rows. What the complaints register and the client survey waves can
compute by themselves — complaint counts and response times before vs after an improvement, the satisfaction
of the attribute it targeted wave over wave — comes from their packages' hooks through the
``core.signals.client_evidence`` signal; an app without those hooks counts entered evidence only.
"""

from dataclasses import dataclass

from core import signals


@dataclass(frozen=True)
class ComputedEvidence:
    """One piece of client evidence a package computed for an improvement."""

    kind: str  # an ``EvidenceKind`` value: survey, complaints, response_time…
    title: str
    before_value: float | None
    after_value: float | None
    higher_is_better: bool
    #: Whether the values show clients valuing the change (C2).
    favourable: bool


def computed_for(improvements) -> dict[int, list[ComputedEvidence]]:
    """Every registered package's evidence for these improvements, by improvement id."""
    found: dict[int, list[ComputedEvidence]] = {}
    for given in signals.send(signals.client_evidence, improvements=list(improvements)):
        for improvement_id, rows in given.items():
            found.setdefault(improvement_id, []).extend(rows)
    return found
