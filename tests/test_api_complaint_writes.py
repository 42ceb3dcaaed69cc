"""Complaints pushed by a ticketing tool's reference (``voice.api_writes``): created then replaced through the
complaint form and ``save_complaint``, the form's refusals by field, the response date's history and its reason,
If-Match 412, If-None-Match: * 412, Idempotency-Key, scopes and roles."""

import pytest
from sqlalchemy import func, select

from core import transitions
from core.audit import AuditEntry
from core.extensions import db
from tests.test_api import bearer, token_of  # noqa: F401 - the fixture
from voice.complaints import COMPLAINT_HISTORY_KIND, ensure_default_categories
from voice.models import Complaint, ComplaintCategory

URL = "/api/v1/complaints/by-ref/TK-1001"


@pytest.fixture
def category(app) -> int:
    with app.app_context():
        ensure_default_categories()
        db.session.commit()
        return db.session.scalar(select(ComplaintCategory.id).order_by(ComplaintCategory.id))


@pytest.fixture
def editor(make_user, token_of):  # noqa: F811
    return bearer(token_of(make_user("member")))


def body(category: int, **changes) -> dict:
    return {"kind": "complaint", "received_on": "2026-11-02", "channel": "email", "category": category,
            "description": "The order arrived two weeks late", **changes}


def complaints(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Complaint.id)))


def test_the_first_put_creates_the_next_ones_replace_and_the_answer_joins_the_history(app, editor, category,
                                                                                   make_client):
    make_client("C-77")
    client = app.test_client()
    created = client.put(URL, headers=editor, json=body(category, client_code="C-77"))
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.headers["Location"].endswith(URL) and created.headers["ETag"].endswith('-v1"')
    data = created.get_json()
    assert data["reference"] == "TK-1001" and data["client"]["code"] == "C-77" and data["responded_on"] is None
    answered = client.put(URL, headers={**editor, "If-Match": created.headers["ETag"]}, json=body(
        category, responded_on="2026-11-05", resolution="Refunded the delivery", satisfaction=4))
    assert answered.status_code == 200 and answered.get_json()["response_days"] == 3
    assert answered.get_json()["client"] is None  # the whole record: a client code not sent is cleared
    assert complaints(app) == 1
    read = client.get(URL, headers=editor)
    assert read.status_code == 200 and read.headers["ETag"] == answered.headers["ETag"]
    with app.app_context():
        complaint_id = db.session.scalar(select(Complaint.id))
        history = transitions.history(COMPLAINT_HISTORY_KIND, complaint_id)
        assert [(row.field, row.to_value) for row in history] == [("responded_on", "2026-11-05")]
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.entity_type == "complaints")) == 2  # created, changed: the trail as from the pages


def test_the_forms_refusals_are_named_by_field(app, editor, category):
    client = app.test_client()
    refused = client.put(URL, headers=editor, json=body(987654, client_code="NOBODY"))
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"category", "client_code"}
    early = client.put(URL, headers=editor, json=body(category, responded_on="2026-11-01"))
    assert early.status_code == 422 and early.get_json()["errors"][0]["field"] == "responded_on"
    unanswered = client.put(URL, headers=editor, json=body(category, satisfaction=5))
    assert unanswered.status_code == 422
    assert client.put(URL, headers=editor, json={"kind": "complaint"}).status_code == 422  # the schema
    long = client.put(f"/api/v1/complaints/by-ref/{'X' * 41}", headers=editor, json=body(category))
    assert long.status_code == 422 and long.get_json()["errors"][0]["location"] == "path"
    assert complaints(app) == 0
    assert client.get(URL, headers=editor).status_code == 404


def test_moving_the_response_date_back_needs_its_reason(app, editor, category):
    client = app.test_client()
    assert client.put(URL, headers=editor, json=body(category, responded_on="2026-11-05")).status_code == 201
    reopened = client.put(URL, headers=editor, json=body(category))
    assert reopened.status_code == 422 and reopened.get_json()["errors"][0]["field"] == "date_reason"
    done = client.put(URL, headers=editor, json=body(category, date_reason="The client wrote again"))
    assert done.status_code == 200 and done.get_json()["responded_on"] is None
    with app.app_context():
        complaint_id = db.session.scalar(select(Complaint.id))
        reasons = [row.reason for row in transitions.history(COMPLAINT_HISTORY_KIND, complaint_id)]
        assert reasons[-1] == "The client wrote again"


def test_a_stale_if_match_and_if_none_match_on_a_recorded_reference_are_refused_412(app, editor, category):
    client = app.test_client()
    first = client.put(URL, headers=editor, json=body(category))
    assert client.put(URL, headers=editor, json=body(category, description="Changed by someone")).status_code == 200
    stale = client.put(URL, headers={**editor, "If-Match": first.headers["ETag"]}, json=body(category))
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert client.put(URL, headers={**editor, "If-None-Match": "*"}, json=body(category)).status_code == 412
    assert client.put("/api/v1/complaints/by-ref/TK-2", headers={**editor, "If-Match": first.headers["ETag"]},
                      json=body(category)).status_code == 412  # nothing to match
    with app.app_context():
        assert db.session.scalar(select(Complaint.description)) == "Changed by someone"
    assert complaints(app) == 1


def test_an_idempotency_key_replays_the_first_answer_and_writes_once(app, editor, category):
    client = app.test_client()
    headers = {**editor, "Idempotency-Key": "ticket-1001-created"}
    first = client.put(URL, headers=headers, json=body(category))
    again = client.put(URL, headers=headers, json=body(category))
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert db.session.scalar(select(Complaint.version)) == 1
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.entity_type == "complaints")) == 1


def test_a_read_token_and_a_reviewer_are_refused(app, make_user, token_of, category):  # noqa: F811
    client = app.test_client()
    read_only = bearer(token_of(make_user("coordinator"), scope="read"))
    assert client.put(URL, headers=read_only, json=body(category)).status_code == 403
    assert client.put(URL, headers=bearer(token_of(make_user("reviewer"))), json=body(category)).status_code == 403
    assert client.put(URL, json=body(category)).status_code == 401
    assert client.put(URL, headers=read_only, data="kind=complaint",
                      content_type="application/x-www-form-urlencoded").status_code == 403
    assert complaints(app) == 0
    writer = bearer(token_of(make_user("member")))
    assert client.put(URL, headers=writer, data="kind=complaint",
                      content_type="application/x-www-form-urlencoded").status_code == 415
