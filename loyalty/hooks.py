"""What the client census gives the other packages through ``core.signals``: B2's automatic evidence and its
part of the demo."""

from core import signals
from core.demo import DemoLoader
from loyalty import demo, evidence


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"B2": evidence.census_evidence}


@signals.demo_loaders.connect
def _demo_loaders(sender, **kwargs):
    return {"loyalty": DemoLoader(demo.load)}
