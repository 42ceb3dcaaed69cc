"""What the survey engine gives the other packages through ``core.signals``: D1's automatic evidence and
survey items as the source of an opportunity."""

from core import signals
from improvements.sources import SURVEY_RESULT
from surveys import client_evidence, evidence


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"D1": evidence.participation_evidence}


@signals.opportunity_records.connect
def _opportunity_records(sender, **kwargs):
    return {SURVEY_RESULT: client_evidence.ITEM_RECORDS}
