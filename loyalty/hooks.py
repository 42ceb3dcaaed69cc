"""What the client census gives the other packages through ``core.signals``: B2's automatic evidence, and the
lists its import matches values to (exit reasons, typologies)."""

from core import signals
from loyalty import census_import, evidence


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"B2": evidence.census_evidence}


@signals.import_vocabularies.connect
def _import_vocabularies(sender, **kwargs):
    return census_import.vocabularies()
