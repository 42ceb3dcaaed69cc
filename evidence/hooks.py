"""What the evidence package gives the others through ``core.signals``: A1, A2, C3 and E1's automatic
evidence, and its part of the demo."""

from core import signals
from core.demo import DemoLoader
from evidence import demo
from evidence.sources import improvement_changes, indicators, process_map


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"A1": process_map.process_map_evidence, "A2": process_map.joint_map_evidence,
            "C3": improvement_changes.change_evidence, "E1": indicators.data_management_evidence}


@signals.demo_loaders.connect
def _demo_loaders(sender, **kwargs):
    return {"evidence": DemoLoader(demo.load, after=("processes",))}
