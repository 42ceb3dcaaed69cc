"""What the evidence package gives the others through ``core.signals``: C3's automatic evidence, and its part
of the demo."""

from core import signals
from core.demo import DemoLoader
from evidence import demo
from evidence.sources import improvement_changes


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"C3": improvement_changes.change_evidence}


@signals.demo_loaders.connect
def _demo_loaders(sender, **kwargs):
    return {"evidence": DemoLoader(demo.load, after=("processes",))}
