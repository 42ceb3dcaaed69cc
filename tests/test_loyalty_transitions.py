"""A client's exit date, which B2 counts losses by, is never overwritten by a later exit: undoing an exit waits
for confirmation and a reason, leaving again keeps the first date unless a reason says why it changes, and an
explicit change of the date says why. Every change is in the client's history, on its page."""

from datetime import date

import pytest

from core.extensions import db
from core.rules import TransitionRefused
from core.transitions import ConfirmationNeeded, history
from loyalty import services
from loyalty.models import Client
from loyalty.services import CLIENT_HISTORY_KIND, EXIT_DATE


def left_on(app, client_id):
    with app.app_context():
        return db.session.get(Client, client_id).left_on


def rows(app, client_id):
    with app.app_context():
        return [(r.field, r.from_value, r.to_value, r.reason) for r in history(CLIENT_HISTORY_KIND, client_id)]


def test_leaving_coming_back_and_leaving_again_keeps_the_first_exit_date(app, client_as, make_client,
                                                                         exit_reasons):
    client_id = make_client("BYE", joined=date(2020, 1, 1))
    member = client_as("member")
    lost = {"left_on": "2023-01-31", "reason": exit_reasons["no_use"], "confirm": "yes"}
    member.post(f"/clients/{client_id}/lost", data=lost)
    assert left_on(app, client_id) == date(2023, 1, 31)

    url = f"/clients/{client_id}/reinstate"
    page = member.post(url, data={}).get_data(as_text=True)  # unconfirmed: the page that asks
    assert "What it changes in the evidence" in page and "Why? (required" in page
    assert left_on(app, client_id) == date(2023, 1, 31)
    refused = member.post(url, data={"confirm": "yes", "reason": " "}).get_data(as_text=True)
    assert "Say why BYE is a current client again." in refused and left_on(app, client_id) == date(2023, 1, 31)
    member.post(url, data={"confirm": "yes", "reason": "Came back in spring"})
    assert left_on(app, client_id) is None
    assert "left before, on" in member.get(f"/clients/{client_id}").get_data(as_text=True)

    again = member.post(f"/clients/{client_id}/lost", data={**lost, "left_on": "2024-06-30"},
                        follow_redirects=True).get_data(as_text=True)
    assert left_on(app, client_id) == date(2023, 1, 31)  # the first exit date is kept
    assert "the exit date first recorded" in again
    member.post(url, data={"confirm": "yes", "reason": "Back again"})
    member.post(f"/clients/{client_id}/lost", data={**lost, "left_on": "2024-06-30",
                                                    "date_reason": "Second exit is the real one"})
    assert left_on(app, client_id) == date(2024, 6, 30)  # changed explicitly, with a reason
    assert rows(app, client_id) == [
        (EXIT_DATE, None, "2023-01-31", None), (EXIT_DATE, "2023-01-31", None, "Came back in spring"),
        (EXIT_DATE, None, "2023-01-31", None), (EXIT_DATE, "2023-01-31", None, "Back again"),
        (EXIT_DATE, None, "2024-06-30", "Second exit is the real one")]
    detail = member.get(f"/clients/{client_id}").get_data(as_text=True)
    assert 'data-testid="history"' in detail and "Came back in spring" in detail and "Exit date" in detail


def test_changing_the_exit_date_is_confirmed_and_says_why(app, client_as, make_client, exit_reasons):
    client_id = make_client("MOVE", joined=date(2020, 1, 1))
    member = client_as("member")
    member.post(f"/clients/{client_id}/lost", data={"left_on": "2023-01-31", "reason": exit_reasons["no_use"],
                                                     "confirm": "yes"})
    url = f"/clients/{client_id}/exit-date"
    page = member.post(url, data={"left_on": "2023-03-31"}).get_data(as_text=True)
    assert "What it changes in the evidence" in page and 'value="2023-03-31"' in page
    assert left_on(app, client_id) == date(2023, 1, 31)
    refused = member.post(url, data={"left_on": "2023-03-31", "confirm": "yes"}).get_data(as_text=True)
    assert "Say why the exit date changes." in refused and left_on(app, client_id) == date(2023, 1, 31)
    member.post(url, data={"left_on": "2023-03-31", "confirm": "yes", "reason": "The letter was dated March"})
    assert left_on(app, client_id) == date(2023, 3, 31)
    assert rows(app, client_id)[-1] == (EXIT_DATE, "2023-01-31", "2023-03-31", "The letter was dated March")


def test_the_services_refuse_an_unconfirmed_undo_and_change(app, make_client, exit_reasons):
    client_id = make_client("SVC", joined=date(2020, 1, 1))
    with app.test_request_context():
        client = db.session.get(Client, client_id)
        from loyalty.models import ExitReason

        services.mark_lost(client, date(2023, 1, 31), db.session.get(ExitReason, exit_reasons["no_use"]))
        with pytest.raises(ConfirmationNeeded):
            services.reinstate(client, actor=None, reason="Back")
        with pytest.raises(ConfirmationNeeded):
            services.change_exit_date(client, date(2023, 2, 1), actor=None, reason="Later")
        with pytest.raises(TransitionRefused, match="Say why"):
            services.reinstate(client, actor=None, confirmed=True)
        assert client.left_on == date(2023, 1, 31)
        assert services.kept_exit_date(client) == date(2023, 1, 31)
