"""Closing and reopening a survey wave wait for confirmation (reopening says why), and both are in its history."""

import pytest

from core.extensions import db
from core.rules import TransitionRefused
from core.transitions import ConfirmationNeeded, history
from surveys import lifecycle
from surveys.models import WAVE_HISTORY_KIND, Wave, WaveStatus


def _status(app, wave_id):
    with app.app_context():
        return db.session.get(Wave, wave_id).status


def test_closing_a_wave_waits_for_confirmation_on_a_page_that_shows_its_consequences(app, client_as, make_survey,
                                                                                     make_wave):
    wave_id = make_wave(make_survey())
    client = client_as("coordinator")
    page = client.get(f"/surveys/waves/{wave_id}").get_data(as_text=True)
    assert f'href="/surveys/waves/{wave_id}/close"' in page
    posted = client.post(f"/surveys/waves/{wave_id}/close")
    assert posted.headers["Location"].endswith(f"/surveys/waves/{wave_id}/close")
    assert _status(app, wave_id) == WaveStatus.OPEN
    confirm = client.get(f"/surveys/waves/{wave_id}/close").get_data(as_text=True)
    assert "What it changes in the evidence" in confirm and "Its links will no longer take answers." in confirm
    assert _status(app, wave_id) == WaveStatus.OPEN
    client.post(f"/surveys/waves/{wave_id}/close", data={"confirm": "yes"})
    assert _status(app, wave_id) == WaveStatus.CLOSED
    with app.app_context():
        [row] = history(WAVE_HISTORY_KIND, wave_id)
        assert (row.from_value, row.to_value, row.reason) == ("open", "closed", None)


def test_reopening_a_closed_wave_says_why_and_is_kept_in_its_history(app, client_as, make_survey, make_wave):
    wave_id = make_wave(make_survey(), status="closed")
    client = client_as("coordinator")
    assert client.post(f"/surveys/waves/{wave_id}/open").headers["Location"].endswith(f"/{wave_id}/open")
    refused = client.post(f"/surveys/waves/{wave_id}/open", data={"confirm": "yes", "reason": ""})
    assert "Say why the closed wave opens again." in refused.get_data(as_text=True)
    assert _status(app, wave_id) == WaveStatus.CLOSED
    client.post(f"/surveys/waves/{wave_id}/open", data={"confirm": "yes", "reason": "Paper answers still arriving"})
    assert _status(app, wave_id) == WaveStatus.OPEN
    with app.app_context():
        [row] = history(WAVE_HISTORY_KIND, wave_id)
        assert (row.from_value, row.to_value, row.reason) == ("closed", "open", "Paper answers still arriving")
    page = client.get(f"/surveys/waves/{wave_id}").get_data(as_text=True)
    assert "Paper answers still arriving" in page and 'data-testid="history"' in page


def test_the_service_refuses_unconfirmed_closing_and_reopening_but_opens_a_draft(app, make_survey, make_wave):
    survey = make_survey()
    wave_id, draft_id = make_wave(survey), make_wave(survey, name="Draft", status="draft")
    with app.test_request_context():
        wave = db.session.get(Wave, wave_id)
        with pytest.raises(ConfirmationNeeded):
            lifecycle.change_wave(wave, "close", actor=None)
        assert wave.status == WaveStatus.OPEN
        lifecycle.change_wave(wave, "close", actor=None, confirmed=True)
        with pytest.raises(ConfirmationNeeded):
            lifecycle.change_wave(wave, "open", actor=None, reason="Late answers")
        with pytest.raises(TransitionRefused, match="Say why"):
            lifecycle.change_wave(wave, "open", actor=None, confirmed=True)
        draft = db.session.get(Wave, draft_id)
        lifecycle.change_wave(draft, "open", actor=None)  # a first opening lowers nothing: no confirmation
        assert draft.status == WaveStatus.OPEN
        with pytest.raises(TransitionRefused, match="already open"):
            lifecycle.change_wave(draft, "open", actor=None)
        assert [(r.from_value, r.to_value) for r in history(WAVE_HISTORY_KIND, draft.id)] == [("draft", "open")]
