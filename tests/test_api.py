"""The REST API: tokens (shown once, hashed, revoked, a deactivated holder's refused), problem details, the reads
of the process map and the checklist (filters, pages, ETags, statements), and measurements pushed (all or nothing,
row errors, Idempotency-Key, If-Match)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from accounts import services, tokens
from accounts.models import ApiToken
from core.audit import AuditEntry
from core.extensions import db
from core.models import User
from core.timeutil import utcnow
from processes.models import Measurement
from tests.conftest import sign_in


@pytest.fixture
def token_of(app):
    """``token_of(user, scope="write") -> secret``: a live token of ``user``."""

    def factory(user, scope="write", days=30):
        with app.app_context():
            _token, secret = tokens.create_token(db.session.get(User, user.id), name="Script", scope=scope, days=days)
            db.session.commit()
        return secret

    return factory


def bearer(secret) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_is_shown_once_kept_hashed_and_its_creation_and_revocation_are_in_the_trail(app, make_user):
    user = make_user("member")
    client = sign_in(app.test_client(), user)
    page = client.post("/account/tokens", data={"token-name": "CRM sync", "token-scope": "read", "token-days": "90"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    secret = text.split('id="api-token-secret" readonly value="')[1].split('"')[0]
    assert secret.startswith("fdz_") and len(secret) > 40
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.secret_hash == tokens.digest(secret) and secret not in str(vars(token))
        assert token.scope == "read" and (token.expires_at - utcnow()).days in (89, 90)
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "api_tokens")).all()
        assert len(entries) == 1 and secret not in str(entries[0].changes)
        token_id = token.id
    assert secret not in client.get("/account").get_data(as_text=True)  # never again
    assert app.test_client().get("/api/v1/processes", headers=bearer(secret)).status_code == 200
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    refused = app.test_client().get("/api/v1/processes", headers=bearer(secret))
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.entity_type == "api_tokens",
                                                             AuditEntry.action == "update")) is not None


def test_nobody_revokes_another_persons_token_but_an_administrator(app, make_user, token_of):
    holder, other, admin = make_user("member"), make_user("member"), make_user("admin")
    secret = token_of(holder)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    assert sign_in(app.test_client(), other).post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert app.test_client().get("/api/v1/processes", headers=bearer(secret)).status_code == 200
    listing = sign_in(app.test_client(), admin).get("/users/tokens").get_data(as_text=True)
    assert holder.name in listing
    assert sign_in(app.test_client(), admin).post(f"/users/tokens/{token_id}/revoke").status_code == 302
    assert app.test_client().get("/api/v1/processes", headers=bearer(secret)).status_code == 401


def test_a_deactivated_persons_token_stops_at_once_and_an_expired_one_too(app, make_user, token_of):
    user = make_user("coordinator")
    secret = token_of(user)
    assert app.test_client().get("/api/v1/processes", headers=bearer(secret)).status_code == 200
    with app.app_context():
        services.set_active(db.session.get(User, user.id), False)
        db.session.commit()
    assert app.test_client().get("/api/v1/processes", headers=bearer(secret)).status_code == 401
    other = make_user("coordinator")
    expired = token_of(other)
    with app.app_context():
        db.session.execute(db.update(ApiToken).where(ApiToken.secret_hash == tokens.digest(expired))
                           .values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert app.test_client().get("/api/v1/processes", headers=bearer(expired)).status_code == 401


def test_the_time_of_use_is_written_at_most_once_a_minute(app, make_user, token_of):
    secret = token_of(make_user("member"))
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for _ in range(3):
            assert app.test_client().get("/api/v1/processes", headers=bearer(secret)).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert sum(1 for sql in statements if sql.lstrip().upper().startswith("UPDATE API_TOKENS")) == 1
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_a_malformed_header_gets_a_problem_and_a_read_token_writes_nothing(app, make_user, token_of):
    client = app.test_client()
    assert client.get("/api/v1/processes", headers={"Authorization": "Basic eDp5"}).status_code == 401
    secret = token_of(make_user("coordinator"), scope="read")
    refused = client.post("/api/v1/measurements", headers=bearer(secret), json={"items": []})
    assert refused.status_code == 403 and refused.get_json()["status"] == 403


def test_processes_with_owner_participants_and_indicators_filtered_paged_and_with_an_etag(
        app, make_user, token_of, make_process, make_indicator):
    owner = make_user("member", name="Owner")
    first = make_process(code="A-01", owner_id=owner.id, name="Welcome")
    make_process(code="B-01", name="Billing")
    make_indicator(first, code="IND-A")
    client, headers = app.test_client(), bearer(token_of(make_user("reviewer")))
    body = client.get("/api/v1/processes?per_page=1", headers=headers)
    assert body.status_code == 200
    data = body.get_json()
    assert data["meta"] == {"page": 1, "per_page": 1, "total": 2, "pages": 2}
    assert data["items"][0]["code"] == "A-01" and data["items"][0]["owner"]["name"] == "Owner"
    assert data["items"][0]["indicators"][0]["code"] == "IND-A"
    assert [p["code"] for p in client.get("/api/v1/processes?q=bill", headers=headers).get_json()["items"]] == \
        ["B-01"]
    assert client.get(f"/api/v1/processes?owner={owner.id}", headers=headers).get_json()["meta"]["total"] == 1
    etag = body.headers["ETag"]
    again = client.get("/api/v1/processes?per_page=1", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    make_process(code="C-01")  # the data changed: the list with it
    assert client.get("/api/v1/processes?per_page=1", headers={**headers, "If-None-Match": etag}).status_code == 200
    assert client.get("/api/v1/processes?kind=nonsense", headers=headers).status_code == 400


def test_indicators_with_targets_latest_result_measurements_and_benchmarks(app, make_user, token_of, make_process,
                                                                         make_indicator):
    process = make_process(code="A-01")
    indicator = make_indicator(process, code="IND-A", values={date(2026, 1, 1): 4.0, date(2026, 2, 1): 5.0})
    client, headers = app.test_client(), bearer(token_of(make_user("member")))
    listed = client.get("/api/v1/indicators?q=ind-a", headers=headers).get_json()["items"]
    assert listed[0]["latest"] == {"period": "2026-02-01", "value": 5.0} and listed[0]["latest_status"] == "no_target"
    detail = client.get(f"/api/v1/indicators/{indicator}", headers=headers).get_json()
    assert detail["process"]["code"] == "A-01" and detail["benchmarks"] == []
    measured = client.get(f"/api/v1/indicators/{indicator}/measurements", headers=headers).get_json()
    assert [m["value"] for m in measured["items"]] == [4.0, 5.0]
    assert client.get(f"/api/v1/indicators/{indicator}/benchmarks", headers=headers).get_json() == []
    assert client.get("/api/v1/indicators/987654", headers=headers).status_code == 404


def _statements(app, client, url, headers) -> int:
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url, headers=headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def test_list_statements_do_not_grow_with_the_page_size(app, make_user, token_of, make_process, make_indicator):
    owner = make_user("member")
    for number in range(12):
        process = make_process(code=f"P-{number:02d}", owner_id=owner.id)
        make_indicator(process, code=f"I-{number:02d}", values={date(2026, 1, 1): number})
    client, headers = app.test_client(), bearer(token_of(make_user("member")))
    client.get("/api/v1/processes", headers=headers)  # first request: schema check, token's time of use
    for url in ("/api/v1/processes", "/api/v1/indicators"):
        assert _statements(app, client, f"{url}?per_page=2", headers) == \
            _statements(app, client, f"{url}?per_page=12", headers), url


def test_the_checklist_gives_each_criterion_its_automatic_status_reasons_and_gaps(app, make_user, token_of):
    from evidence.criteria_sets import ensure_builtin_sets

    with app.app_context():
        ensure_builtin_sets()
        db.session.commit()
    client, headers = app.test_client(), bearer(token_of(make_user("reviewer")))
    response = client.get("/api/v1/checklist?per_page=100", headers={**headers, "Accept-Language": "en"})
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["meta"]["total"] == len(data["items"]) > 0
    first = data["items"][0]
    assert first["status"] in ("met", "partly", "missing") and isinstance(first["gaps"], list)
    assert sum(data["readiness"].values()) == data["meta"]["total"]
    missing = client.get("/api/v1/checklist?status=missing", headers=headers).get_json()
    assert all(item["status"] == "missing" for item in missing["items"])
    again = {**headers, "If-None-Match": response.headers["ETag"], "Accept-Language": "en"}
    assert client.get("/api/v1/checklist?per_page=100", headers=again).status_code == 304
    assert client.get("/api/v1/checklist?per_page=100", headers={**again, "Accept-Language": "es"}).status_code == 200


@pytest.fixture
def measured(app, make_user, make_process, make_indicator):
    """An owner's process with two monthly indicators, one with a value for January 2026."""
    owner = make_user("member", name="Owner")
    process = make_process(code="A-01", owner_id=owner.id)
    first = make_indicator(process, code="IND-A", values={date(2026, 1, 1): 4.0})
    second = make_indicator(process, code="IND-B")
    return {"owner": owner, "first": first, "second": second}


def test_a_batch_of_measurements_is_recorded_all_or_nothing_with_row_errors(app, make_user, token_of, measured):
    client, headers = app.test_client(), bearer(token_of(measured["owner"]))
    bad = client.post("/api/v1/measurements", headers=headers, json={"items": [
        {"indicator": "IND-B", "period": "2026-02", "value": 1},
        {"indicator": "NOPE", "period": "2026-02", "value": 1},
        {"indicator": "IND-B", "period": "soon", "value": 1}]})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert [(e["row"], e["field"]) for e in bad.get_json()["errors"]] == [(1, "items.1.indicator"),
                                                                          (2, "items.2.period")]
    conflict = client.post("/api/v1/measurements", headers=headers, json={"items": [
        {"indicator": "IND-B", "period": "2026-02", "value": 1}, {"indicator": "ind-a", "period": "2026-01",
                                                                  "value": 9}]})
    assert conflict.status_code == 409 and conflict.get_json()["errors"][0]["row"] == 1
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Measurement.id))) == 1  # nothing of either batch
    done = client.post("/api/v1/measurements", headers=headers, json={"replace": True, "items": [
        {"indicator": "IND-B", "period": "2026-02", "value": 1}, {"indicator": "IND-A", "period": "2026-01",
                                                                  "value": 9, "comment": "Corrected"}]})
    assert done.status_code == 200 and done.get_json() == {"added": 1, "replaced": 1, "unchanged": 0}


def test_someone_who_may_not_record_an_indicator_is_refused_by_row(app, make_user, token_of, measured):
    client = app.test_client()
    refused = client.post("/api/v1/measurements", headers=bearer(token_of(make_user("member"))),
                          json={"items": [{"indicator": "IND-B", "period": "2026-02", "value": 1}]})
    assert refused.status_code == 422 and "may not record" in refused.get_json()["errors"][0]["message"]
    reviewer = client.post("/api/v1/measurements", headers=bearer(token_of(make_user("reviewer"))),
                           json={"items": [{"indicator": "IND-B", "period": "2026-02", "value": 1}]})
    assert reviewer.status_code == 403


def test_an_idempotency_key_replays_the_first_answer_and_writes_once(app, token_of, measured):
    client = app.test_client()
    with app.app_context():
        before = db.session.scalar(select(db.func.count(AuditEntry.id)).where(AuditEntry.entity_type == "measurements"))
    headers = {**bearer(token_of(measured["owner"])), "Idempotency-Key": "batch-1"}
    body = {"items": [{"indicator": "IND-B", "period": "2026-03", "value": 2}]}
    first = client.post("/api/v1/measurements", headers=headers, json=body)
    again = client.post("/api/v1/measurements", headers=headers, json=body)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json() == {"added": 1, "replaced": 0, "unchanged": 0}
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/measurements", headers=headers, json={**body, "replace": True})
    assert other.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(db.func.count(AuditEntry.id)).where(
            AuditEntry.entity_type == "measurements")) == before + 1


def test_a_change_with_a_stale_if_match_is_refused_412(app, token_of, measured):
    client, headers = app.test_client(), bearer(token_of(measured["owner"]))
    with app.app_context():
        measurement_id = db.session.scalar(select(Measurement.id))
    read = client.get(f"/api/v1/measurements/{measurement_id}", headers=headers)
    etag = read.headers["ETag"]
    changed = client.put(f"/api/v1/measurements/{measurement_id}", headers={**headers, "If-Match": etag},
                         json={"value": 4.5})
    assert changed.status_code == 200 and changed.get_json()["value"] == 4.5 and changed.headers["ETag"] != etag
    stale = client.put(f"/api/v1/measurements/{measurement_id}", headers={**headers, "If-Match": etag},
                       json={"value": 4.7})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert client.put(f"/api/v1/measurements/{measurement_id}", headers=headers, data="x",
                      content_type="text/plain").status_code == 415


def test_the_document_is_openapi_3_1_and_the_reference_page_runs_under_the_csp(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0" and "/api/v1/measurements" in document["paths"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<script>" not in text and "vendor/swagger-ui/swagger-ui-bundle.js" in text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    script = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    script.close()
    assert script.status_code == 200


@pytest.mark.parametrize("app_overrides", [{"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"}])
def test_requests_are_limited_per_token(app, make_user, token_of):
    client = app.test_client()
    first, second = bearer(token_of(make_user("member"))), bearer(token_of(make_user("member")))
    answers = [client.get("/api/v1/processes", headers=first).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get("/api/v1/processes", headers=first)
    assert limited.mimetype == "application/problem+json" and "Retry-After" in limited.headers
    assert client.get("/api/v1/processes", headers=second).status_code == 200
