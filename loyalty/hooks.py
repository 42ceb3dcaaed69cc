"""What the client census gives the other packages through ``core.signals``: B2's automatic evidence."""

from core import signals
from loyalty import evidence


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"B2": evidence.census_evidence}
