"""What the survey engine gives the other packages through ``core.signals``: D1's automatic evidence, survey
items as the source of an opportunity, the targeted item wave over wave as an improvement's client evidence
(C2), each improvement group's participation survey (D1), and its part of the demo."""

from core import signals
from core.demo import DemoLoader
from improvements.sources import SURVEY_RESULT
from surveys import client_evidence, demo, evidence, participation


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"D1": evidence.participation_evidence}


@signals.opportunity_records.connect
def _opportunity_records(sender, **kwargs):
    return {SURVEY_RESULT: client_evidence.ITEM_RECORDS}


@signals.client_evidence.connect
def _client_evidence(sender, *, improvements, **kwargs):
    return client_evidence.survey_evidence(improvements)


@signals.group_participation.connect
def _group_participation(sender, **kwargs):
    return participation.group_participation(sender)


@signals.demo_loaders.connect
def _demo_loaders(sender, **kwargs):
    return {"surveys": DemoLoader(demo.load, after=("loyalty", "voice"))}
