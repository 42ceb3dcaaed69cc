"""The one plug-in mechanism: receivers connected once per process in each package's hooks, heard only by the
apps that registered those hooks, and a package left out visibly missing from the checklist."""

import pytest

import app as application
from core import signals
from core.extensions import db
from evidence.automatic import finding_for, sources
from evidence.records import parse_record, record_choices, record_link
from processes.models import Process
from tests.conftest import sign_in
from tests.evidence_fixtures import checklist_ids, criterion


@pytest.fixture
def app_without(app, app_factory, database_url, monkeypatch):
    """Build an app whose ``create_app`` leaves one package's hooks out (its blueprints are all there)."""

    def build(hooks_module: str):
        monkeypatch.setattr(application, "HOOKS", tuple(h for h in application.HOOKS if h != hooks_module))
        return app_factory(database_url)

    return build


def test_an_app_without_a_packages_hooks_names_the_criterion_without_a_source(app, app_without, make_user):
    other = app_without("surveys.hooks")
    ids = checklist_ids(other)
    with other.test_request_context("/"):
        assert "D1" not in sources() and "B1" in sources()
        finding = finding_for(criterion("D1"))
    assert finding.status == "missing"
    assert finding.reasons[0].text.startswith("No automatic evidence source “D1” is registered for D1")
    html = sign_in(other.test_client(), make_user("coordinator")).get("/evidence/").get_data(as_text=True)
    assert "No automatic evidence source is registered for D1:" in html
    assert f'href="/evidence/criteria/{ids["D1"]}"' in html
    full = sign_in(app.test_client(), make_user("coordinator")).get("/evidence/").get_data(as_text=True)
    assert "No automatic evidence source is registered" not in full  # the full app: every criterion has its source


def test_receivers_are_connected_once_however_many_apps_are_built(app, app_factory, database_url):
    before = len(list(signals.evidence_sources.receivers_for(None)))
    app_factory(database_url)
    app_factory(database_url)
    assert len(list(signals.evidence_sources.receivers_for(None))) == before
    with app.test_request_context("/"):
        assert sorted(sources()) == ["A1", "A2", "B1", "B2", "C1", "C2", "C3", "D1", "E1"]


def _gives_a1_again(sender, **kwargs):
    return {"A1": lambda detail=False: None}


def test_a_receiver_counts_only_in_an_app_that_registered_its_hooks_and_a_key_twice_is_refused(app):
    signals.evidence_sources.connect(_gives_a1_again)
    try:
        with app.test_request_context("/"):
            assert sources()["A1"].__name__ == "process_map_evidence"  # this module is not among the app's hooks
            signals.register_hooks(app, __name__)
            with pytest.raises(RuntimeError, match="answer “A1” to the evidence-sources signal"):
                sources()
    finally:
        signals.evidence_sources.disconnect(_gives_a1_again)


def test_manual_evidence_points_at_the_records_the_process_map_offers_only_where_its_hooks_are(
        app, app_without, make_process):
    process_id = make_process()
    with app.test_request_context("/"):
        assert (f"process:{process_id}", f"Process · {db.session.get(Process, process_id)}") in record_choices()
        assert parse_record(f"process:{process_id}") == ("process", process_id)
        assert record_link("process", process_id)[1] == f"/processes/{process_id}"
    other = app_without("processes.hooks")
    with other.test_request_context("/"):
        assert record_choices() == [] and parse_record(f"process:{process_id}") == (None, None)
        assert record_link("process", process_id) is None


def test_a_census_clients_page_shows_the_voice_of_the_client_only_where_its_hooks_are(
        app, app_without, make_user, make_client):
    client_id = make_client("VOX")
    full = sign_in(app.test_client(), make_user("member")).get(f"/clients/{client_id}").get_data(as_text=True)
    assert 'data-testid="voice-of-the-client"' in full and "No enquiries, complaints, claims or incidents" in full
    other = app_without("voice.hooks")
    page = sign_in(other.test_client(), make_user("member")).get(f"/clients/{client_id}")
    assert page.status_code == 200 and "VOX" in page.get_data(as_text=True)
    assert 'data-testid="voice-of-the-client"' not in page.get_data(as_text=True)
