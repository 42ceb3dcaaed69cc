"""What the survey engine gives the other packages through ``core.signals``: D1's automatic evidence."""

from core import signals
from surveys import evidence


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"D1": evidence.participation_evidence}
