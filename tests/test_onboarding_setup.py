"""The first-run setup: each step done on its own page and back, skipped and resumed; only coordinators and
administrators see it; the home points at it while a step is left; a form that needs a parent offers to create it."""

import io

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from core.models import Organisation
from evidence.models import CriteriaSet
from onboarding.models import SkippedStep
from processes.models import ProcessStandard, Programme

SETUP = "/setup/"


@pytest.fixture
def coordinator(client_as):
    return client_as("coordinator")


def step_state(page: str, key: str) -> str:
    """The step's item of the setup page."""
    start = page.index(f'data-step="{key}"')
    return page[start:page.index("</li>", start)]


def test_the_steps_come_in_order_and_the_first_is_open(coordinator):
    page = coordinator.get(SETUP).get_data(as_text=True)
    keys = ["organisation", "programme", "standard", "processes", "census"]
    assert [page.index(f'data-step="{key}"') for key in keys] == sorted(page.index(f'data-step="{k}"') for k in keys)
    assert 'aria-current="step"' in step_state(page, "organisation")
    assert "/settings/organisation?next=/setup/" in step_state(page, "organisation")
    assert "/clients/import/template.csv" in step_state(page, "census")


@pytest.mark.parametrize("role, status", [("admin", 200), ("coordinator", 200), ("member", 403), ("reviewer", 403)])
def test_only_coordinators_and_administrators_reach_the_setup(client_as, role, status):
    client = client_as(role)
    assert client.get(SETUP).status_code == status
    assert client.post("/setup/organisation/skip").status_code in ({403} if status == 403 else {302})


def test_the_organisation_step_saves_and_comes_back(app, coordinator):
    sent = coordinator.post("/settings/organisation?next=/setup/", data={"name": "Fondo Mutual", "version": ""})
    assert sent.status_code == 302 and sent.headers["Location"] == "/setup/"
    page = coordinator.get(SETUP).get_data(as_text=True)
    assert "Done" in step_state(page, "organisation") and 'aria-current="step"' in step_state(page, "programme")
    # the logo, on the same page, comes back to the setup too
    logo = coordinator.post("/settings/organisation/logo?next=/setup/", content_type="multipart/form-data",
                            data={"logo": (io.BytesIO(PNG), "logo.png")})
    assert logo.headers["Location"] == "/setup/"
    with app.app_context():
        assert Organisation.current().logo is not None


def test_the_programme_standard_and_process_steps_come_back(app, coordinator):
    form = coordinator.get("/processes/programmes/new?next=/setup/").get_data(as_text=True)
    assert '<input checked class="form-check-input" id="is_certified"' in form  # the first one is the certified one
    sent = coordinator.post("/processes/programmes/new?next=/setup/",
                            data={"code": "FID", "name": "Fidelización", "is_certified": "y"})
    assert sent.headers["Location"] == "/setup/"
    sent = coordinator.post("/processes/standard?next=/setup/", data={
        "required_fields": ["purpose", "owner"], "min_participants": "1", "min_indicators": "1", "version": ""})
    assert sent.headers["Location"] == "/setup/"
    with app.app_context():
        programme_id = db.session.scalar(select(Programme.id))
        assert db.session.scalar(select(func.count()).select_from(ProcessStandard)) == 1
    sent = coordinator.post("/processes/new?next=/setup/", data={
        "code": "P01", "name": "Captación", "kind": "key", "programme_id": str(programme_id), "parent_id": "0",
        "owner_id": "0", "status": "draft"})
    assert sent.headers["Location"] == "/setup/", sent.get_data(as_text=True)
    page = coordinator.get(SETUP).get_data(as_text=True)
    for key in ("programme", "standard", "processes"):
        assert "Done" in step_state(page, key)
    assert 'aria-current="step"' in step_state(page, "organisation")  # the one left, first


def test_a_next_to_another_site_is_ignored(coordinator):
    sent = coordinator.post("/processes/programmes/new?next=//evil.example/x", data={"code": "FID", "name": "F"})
    assert sent.headers["Location"] == "/processes/programmes"


def test_a_step_is_skipped_credited_and_resumed(app, coordinator):
    assert coordinator.post("/setup/organisation/skip").headers["Location"] == "/setup/"
    page = coordinator.get(SETUP).get_data(as_text=True)
    assert "Skipped" in step_state(page, "organisation") and "Resume" in step_state(page, "organisation")
    assert 'aria-current="step"' in step_state(page, "programme")
    coordinator.post("/setup/organisation/skip")  # twice changes nothing
    with app.app_context():
        skipped = db.session.scalars(select(SkippedStep)).all()
        assert [s.step for s in skipped] == ["organisation"] and skipped[0].skipped_by.role.value == "coordinator"
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.entity_type == "setup_skipped_steps")) == 1
    coordinator.post("/setup/organisation/resume")
    page = coordinator.get(SETUP).get_data(as_text=True)
    resumed = step_state(page, "organisation")
    assert "Skipped" not in resumed and 'aria-current="step"' in resumed


def test_an_unknown_step_is_not_found(coordinator):
    assert coordinator.post("/setup/nothing/skip").status_code == 404


def test_the_home_points_at_the_setup_until_every_step_is_done_or_skipped(client_as, coordinator):
    assert 'data-testid="setup-pointer"' in coordinator.get("/").get_data(as_text=True)
    assert 'data-testid="setup-pointer"' not in client_as("member").get("/").get_data(as_text=True)
    for key in ("organisation", "programme", "standard", "processes", "census"):
        coordinator.post(f"/setup/{key}/skip")
    assert 'data-testid="setup-pointer"' not in coordinator.get("/").get_data(as_text=True)
    assert 'data-testid="setup-finished"' in coordinator.get(SETUP).get_data(as_text=True)


def test_the_setup_stores_the_shipped_criteria_sets_on_a_post_only(app, coordinator):
    page = coordinator.get(SETUP).get_data(as_text=True)
    assert 'data-testid="setup-criteria"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CriteriaSet)) == 0
    sent = coordinator.post("/evidence/sets/shipped?next=/setup/")
    assert sent.headers["Location"] == "/setup/"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CriteriaSet)) >= 1
    assert 'data-testid="setup-criteria"' not in coordinator.get(SETUP).get_data(as_text=True)


def test_the_empty_checklist_offers_the_shipped_sets(client_as, coordinator):
    page = coordinator.get("/evidence/").get_data(as_text=True)
    assert 'data-testid="no-criteria-set"' in page and "/evidence/sets/shipped" in page
    assert "/evidence/sets/shipped" not in client_as("member").get("/evidence/").get_data(as_text=True)
    assert client_as("member").post("/evidence/sets/shipped").status_code == 403


def test_a_new_process_without_a_programme_offers_to_create_it_and_comes_back(app, coordinator):
    page = coordinator.get("/processes/new").get_data(as_text=True)
    assert 'data-testid="needs-programme"' in page and "Invalid choice" not in page
    assert "/processes/programmes/new?next=/processes/new" in page
    sent = coordinator.post("/processes/programmes/new?next=/processes/new", data={"code": "FID", "name": "F",
                                                                                "is_certified": "y"})
    assert sent.headers["Location"] == "/processes/new"
    page = coordinator.get("/processes/new").get_data(as_text=True)
    assert 'data-testid="needs-programme"' not in page and 'name="programme_id"' in page


def test_a_new_interface_without_two_processes_offers_a_process_sheet_and_comes_back(app, coordinator, make_process):
    page = coordinator.get("/processes/interfaces/new").get_data(as_text=True)
    assert 'data-testid="needs-processes"' in page and 'name="from_process_id"' not in page
    assert "/processes/new?next=/processes/interfaces/new" in page
    make_process(code="FID-1")
    assert 'data-testid="needs-processes"' in coordinator.get("/processes/interfaces/new").get_data(as_text=True)
    make_process(code="COM-1")
    page = coordinator.get("/processes/interfaces/new").get_data(as_text=True)
    assert 'data-testid="needs-processes"' not in page and 'name="from_process_id"' in page


def test_the_census_step_is_done_once_clients_exist(coordinator, make_client):
    make_client()
    assert "Done" in step_state(coordinator.get(SETUP).get_data(as_text=True), "census")


def test_the_steps_are_read_in_a_fixed_number_of_queries(app, coordinator, make_process, make_client):
    from tests.test_core_audit_trail import count_statements

    coordinator.get(SETUP)  # the first request of an app checks its schema once
    empty = count_statements(app, coordinator, SETUP)
    for _ in range(3):
        make_process()
        make_client()
    assert count_statements(app, coordinator, SETUP) == empty


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
