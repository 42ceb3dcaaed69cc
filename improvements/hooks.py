"""What the improvements package gives the others through ``core.signals``: C1, C2 and C3's automatic evidence,
the indicators its SMART improvements are measured with (the E1 dashboard lists them first), and its part of
the demo."""

from core import signals
from core.demo import DemoLoader
from improvements import demo, evidence


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"C1": evidence.improvement_groups_evidence, "C2": evidence.results_evidence,
            "C3": evidence.change_evidence}


@signals.smart_indicators.connect
def _smart_indicators(sender, **kwargs):
    return evidence.smart_indicator_ids()


@signals.demo_loaders.connect
def _demo_loaders(sender, **kwargs):
    return {"improvements": DemoLoader(demo.load, after=("processes", "voice", "surveys"))}
