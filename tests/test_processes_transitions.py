"""Retiring a process waits for confirmation with what it changes in the criteria, and a reason; bringing it back
and every other move of its status are kept in its history; a sheet that was in force is retired, not deleted."""

import pytest
from sqlalchemy import select

from core.extensions import db
from core.rules import TransitionRefused
from core.transitions import ConfirmationNeeded, history
from processes import lifecycle
from processes.lifecycle import PROCESS_HISTORY_KIND
from processes.models import Process, ProcessStatus


def status(app, process_id) -> ProcessStatus:
    with app.app_context():
        return db.session.get(Process, process_id).status


def test_retiring_is_refused_without_confirmation_and_names_the_consequence(app, client_as, make_process):
    process_id = make_process(code="PC-01", name="Welcome new clients")
    coordinator = client_as("coordinator")
    url = f"/processes/{process_id}/retire"
    assert coordinator.post(url, data={}).headers["Location"].endswith(url)  # unconfirmed: to the page that asks
    assert status(app, process_id) == ProcessStatus.IN_FORCE
    page = coordinator.get(url).get_data(as_text=True)
    # The only process of the certified programme's map: A1 would say the map has no processes.
    assert 'data-criterion="A1" data-lowered="yes"' in page and "has no processes yet" in page
    assert "Why? (required" in page
    refused = coordinator.post(url, data={"confirm": "yes", "reason": "  "}).get_data(as_text=True)
    assert "Say why PC-01 is retired." in refused
    assert status(app, process_id) == ProcessStatus.IN_FORCE
    coordinator.post(url, data={"confirm": "yes", "reason": "Merged into onboarding"})
    assert status(app, process_id) == ProcessStatus.RETIRED

    restore = f"/processes/{process_id}/restore"
    assert coordinator.post(restore, data={}).status_code == 302  # lowers nothing: through without confirmation
    assert status(app, process_id) == ProcessStatus.IN_FORCE
    with app.app_context():
        rows = history(PROCESS_HISTORY_KIND, process_id)
        assert [(r.from_value, r.to_value, r.reason, r.actor.role) for r in rows] == [
            ("in_force", "retired", "Merged into onboarding", "coordinator"), ("retired", "in_force", None,
                                                                               "coordinator")]
    detail = coordinator.get(f"/processes/{process_id}").get_data(as_text=True)
    assert 'data-testid="history"' in detail and "Merged into onboarding" in detail


def test_the_service_refuses_an_unconfirmed_retirement_and_one_without_a_reason(app, make_process):
    process_id = make_process()
    with app.test_request_context():
        process = db.session.get(Process, process_id)
        with pytest.raises(ConfirmationNeeded):
            lifecycle.change_status(process, ProcessStatus.RETIRED, actor=None, reason="Old")
        with pytest.raises(TransitionRefused, match="Say why"):
            lifecycle.change_status(process, ProcessStatus.RETIRED, actor=None, confirmed=True)
        assert process.status == ProcessStatus.IN_FORCE and history(PROCESS_HISTORY_KIND, process_id) == []
        lifecycle.change_status(process, ProcessStatus.RETIRED, actor=None, reason="Old", confirmed=True)
        assert lifecycle.restored_status(process) == ProcessStatus.IN_FORCE


def test_the_sheet_form_neither_retires_nor_brings_back_nor_moves_back(app, client_as, make_process):
    from tests.test_processes_sheets import SHEET

    process_id = make_process(code="PC-01")
    coordinator = client_as("coordinator")
    with app.app_context():
        version = db.session.get(Process, process_id).version
    back = coordinator.post(f"/processes/{process_id}/edit", data={**SHEET, "status": "draft", "version": version},
                            follow_redirects=True).get_data(as_text=True)
    assert "cannot go back to draft from its sheet" in back and status(app, process_id) == ProcessStatus.IN_FORCE
    coordinator.post(f"/processes/{process_id}/retire", data={"confirm": "yes", "reason": "Obsolete"})
    with app.app_context():
        version = db.session.get(Process, process_id).version
    coordinator.post(f"/processes/{process_id}/edit", data={**SHEET, "status": "in_force", "version": version})
    assert status(app, process_id) == ProcessStatus.RETIRED  # an edited retired sheet stays retired


def test_a_draft_put_in_force_from_its_sheet_is_kept_in_history_and_can_no_longer_be_deleted(app, client_as,
                                                                                            make_process):
    from tests.test_processes_sheets import SHEET

    process_id = make_process(code="PC-01", status=ProcessStatus.DRAFT)
    coordinator = client_as("coordinator")
    with app.app_context():
        version = db.session.get(Process, process_id).version
    coordinator.post(f"/processes/{process_id}/edit", data={**SHEET, "status": "in_force", "version": version})
    assert status(app, process_id) == ProcessStatus.IN_FORCE
    with app.app_context():
        assert [(r.from_value, r.to_value) for r in history(PROCESS_HISTORY_KIND, process_id)] == [
            ("draft", "in_force")]
    page = coordinator.post(f"/processes/{process_id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "retire it instead of deleting it" in page
    with app.app_context():
        assert db.session.scalar(select(Process.id).where(Process.id == process_id)) == process_id
