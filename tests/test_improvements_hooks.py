"""The hooks the voice of the client and the survey engine plug into: computed client evidence, the staff
participation survey of a group, and source kinds with records."""

import pytest

import app as application
from core import signals
from improvements import participation
from improvements.models import Status
from improvements.results import ComputedEvidence
from improvements.sources import SourceRecords, source_kinds


def _complaints(sender, *, improvements, **kwargs):
    return {i.id: [ComputedEvidence("complaints", "Complaints about answers", 38, 17, False, True)]
            for i in improvements}


@pytest.fixture
def provider(app):
    """This module's receiver of computed client evidence, heard by the test's app."""
    signals.client_evidence.connect(_complaints)
    signals.register_hooks(app, __name__)
    yield _complaints
    signals.client_evidence.disconnect(_complaints)


def test_computed_client_evidence_shows_and_counts_as_client_valuation(client_as, make_group, make_improvement,
                                                                       provider):
    improvement = make_improvement(make_group(), status=Status.IMPLEMENTED, smart=True, after_value=92.0)
    html = client_as("reviewer").get(f"/improvements/{improvement}").get_data(as_text=True)
    assert "Complaints about answers" in html and "It counts towards C1." in html


def _did_we_listen(sender, **kwargs):
    return participation.Participation("/surveys/7", "Did we listen?", 4, 3, 66.7)


def test_a_group_shows_its_participation_survey_once_the_engine_provides_it(app, client_as, make_group):
    group = make_group()
    client = client_as("member")
    html = client.get(f"/improvements/groups/{group}").get_data(as_text=True)
    assert "have not been invited to a staff participation survey yet" in html  # the engine's provider: no wave
    signals.group_participation.connect(_did_we_listen)
    signals.register_hooks(app, __name__)
    try:
        html = client.get(f"/improvements/groups/{group}").get_data(as_text=True)
    finally:
        signals.group_participation.disconnect(_did_we_listen)
    assert "Did we listen?" in html and "75" in html and "66" in html


def _delays(sender, **kwargs):
    return {"complaint_category": SourceRecords(lambda ids: {i: f"Category {i}" for i in ids},
                                                lambda: [(1, "Delays")], lambda record: "/delays")}


def test_a_client_voice_kind_gets_its_records_from_the_hooks_that_give_them(app, app_factory, database_url,
                                                                             monkeypatch):
    monkeypatch.setattr(application, "HOOKS", tuple(h for h in application.HOOKS if h != "voice.hooks"))
    other = app_factory(database_url)
    signals.opportunity_records.connect(_delays)
    try:
        with other.test_request_context("/"):
            before = source_kinds()["complaint_category"]
            assert not before.linkable and before.client_voice  # nobody gives its records: a note only
            signals.register_hooks(other, __name__)
            kind = source_kinds()["complaint_category"]
            assert kind.linkable and kind.client_voice and str(kind.label) == "Complaint category"
            assert kind.choices() == [(1, "Delays")]
    finally:
        signals.opportunity_records.disconnect(_delays)
    with app.test_request_context("/"):
        assert source_kinds()["complaint_category"].resolve.__module__ == "voice.hooks"  # the full app's
