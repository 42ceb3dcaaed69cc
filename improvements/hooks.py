"""What the improvements package gives the others through ``core.signals``: C1, C2 and C3's automatic evidence
and the indicators its SMART improvements are measured with (the E1 dashboard lists them first)."""

from core import signals
from improvements import evidence


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"C1": evidence.improvement_groups_evidence, "C2": evidence.results_evidence,
            "C3": evidence.change_evidence}


@signals.evidence_thresholds.connect
def _evidence_thresholds(sender, **kwargs):
    return {"C1": evidence.C1_THRESHOLDS, "C2": evidence.C2_THRESHOLDS, "C3": evidence.C3_THRESHOLDS}


@signals.smart_indicators.connect
def _smart_indicators(sender, **kwargs):
    return evidence.smart_indicator_ids()
