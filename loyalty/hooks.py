"""What the client census gives the other packages through ``core.signals``: B2's automatic evidence, the
lists its import matches values to (exit reasons, typologies), and its exit, retention and new-client figures
as the sources of computed indicators."""

from core import signals
from loyalty import census_import, evidence, indicator_sources


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"B2": evidence.census_evidence}


@signals.import_vocabularies.connect
def _import_vocabularies(sender, **kwargs):
    return census_import.vocabularies()


@signals.indicator_sources.connect
def _indicator_sources(sender, **kwargs):
    return indicator_sources.sources()
