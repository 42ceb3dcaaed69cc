"""The cache of computed pages: kept while nothing is saved, computed again as soon as anything is."""

import uuid

import pytest
from sqlalchemy import create_engine, event, func, select, text

from core.audit import AuditEntry
from core.cache import cached, data_version
from core.extensions import cache, db
from tests import database
from tests.test_deployment import REDIS_URL, redis_reachable


@pytest.fixture
def computed():
    """A computation that counts its runs: ``computed.calls`` after ``cached(..., compute=computed)``."""

    class Computation:
        calls = 0

        def __call__(self):
            self.calls += 1
            return f"result {self.calls}"

    return Computation()


def test_a_result_is_kept_until_something_is_saved(app, make_user, computed):
    make_user("member")
    with app.test_request_context():
        assert cached("thing", 1, compute=computed) == cached("thing", 1, compute=computed) == "result 1"
        assert cached("thing", 2, compute=computed) == "result 2"  # other parts, another entry
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert cached("thing", 1, compute=computed) == "result 3"  # each language its own
    make_user("member")
    with app.test_request_context():
        assert cached("thing", 1, compute=computed) == "result 4"
        assert cached("thing", 1, compute=computed) == "result 4"


def test_the_version_read_with_the_user_answers_lookups_until_the_transaction_writes(app, make_user):
    from core.cache import seen_data_version, with_data_version
    from core.models import Role, User

    user_id = make_user("member").id
    with app.test_request_context():
        row = db.session.execute(with_data_version(select(User).where(User.id == user_id))).one()
        assert row[0].id == user_id
        seen_data_version(*row[1:])
        newest = db.session.scalar(select(func.max(AuditEntry.id)))
        seen = []

        def count(*args):
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            version, settled = data_version(for_storing=False)
            assert version.startswith(f"{newest}@") and not settled and seen == [], seen
            # A write of this very transaction: its own audit entry is newer than the version seen.
            db.session.add(User(email="new@example.test", name="New", role=Role.MEMBER, password_hash="x"))
            db.session.flush()
            written, _settled = data_version(for_storing=False)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert written != version and seen
        db.session.rollback()
        assert data_version(for_storing=False)[0] == version  # read again, in a statement of its own


def test_nothing_is_kept_before_anything_was_saved(app, computed):
    with app.test_request_context():
        assert data_version() == (None, False)
        assert cached("thing", compute=computed) == "result 1"
        assert cached("thing", compute=computed) == "result 2"


def test_a_version_is_never_repeated_when_the_trail_is_erased(app, make_user):
    make_user("member")
    with app.app_context():
        before = data_version()[0]
        assert db.session.scalar(select(func.max(AuditEntry.id))) == 1
        database.empty_all_tables(db)  # as ``flask demo --reset`` erases everything
    make_user("member")  # its entry takes id 1 again
    with app.app_context():
        assert db.session.scalar(select(func.max(AuditEntry.id))) == 1
        assert data_version()[0] != before


def holding_a_transaction_id(connection):
    """Make ``connection`` look like a writer in the middle of its transaction."""
    connection.begin()
    connection.execute(text("SELECT pg_current_xact_id()"))
    return connection


@pytest.mark.skipif(database.backend() != "postgresql", reason="only PostgreSQL draws ids before commit")
def test_nothing_is_stored_while_another_transaction_of_the_database_may_be_writing(app, make_user, computed):
    make_user("member")
    with app.app_context():
        engine = db.engine
    with engine.connect() as connection:
        holding_a_transaction_id(connection)
        with app.test_request_context():
            assert data_version()[1] is False
            cached("thing", compute=computed), cached("thing", compute=computed)
        assert computed.calls == 2
        connection.rollback()
    other_database = create_engine(database._server_url())  # other databases on the server do not count
    with other_database.connect() as connection:
        holding_a_transaction_id(connection)
        with app.test_request_context():
            cached("thing", compute=computed), cached("thing", compute=computed)
        assert computed.calls == 3
        connection.rollback()
    other_database.dispose()


@pytest.mark.skipif(database.backend() != "postgresql", reason="only PostgreSQL looks for writers in flight")
def test_what_was_stored_is_served_without_looking_for_writers_and_while_one_writes(app, make_user, computed):
    make_user("member")
    with app.app_context():
        engine = db.engine
    with app.test_request_context():
        assert cached("thing", compute=computed) == "result 1"
    sent = []

    def listener(conn, cursor, statement, *args):
        sent.append(statement)

    with engine.connect() as connection:
        holding_a_transaction_id(connection)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            with app.test_request_context():
                assert cached("thing", compute=computed) == "result 1"  # kept while settled: still this version's
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        connection.rollback()
    assert computed.calls == 1
    assert len(sent) == 1 and "pg_locks" not in sent[0]  # the lookup reads the version alone


@pytest.mark.skipif(not redis_reachable(), reason=f"Redis is not reachable at {REDIS_URL} (set TEST_REDIS_URL)")
def test_workers_share_what_they_computed_through_redis_and_both_see_a_change(app_factory, database_url,
                                                                               make_user, computed):
    make_user("member")
    config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL,
              "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}:"}
    worker_one, worker_two = app_factory(database_url, **config), app_factory(database_url, **config)
    for worker in (worker_one, worker_two):
        with worker.test_request_context():
            assert cached("thing", compute=computed) == "result 1"
    make_user("member")
    for worker in (worker_two, worker_one):
        with worker.test_request_context():
            assert cached("thing", compute=computed) == "result 2"
    with worker_one.app_context():
        cache.clear()


CSRF_ON = pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])


def statements(app, client, url):
    """(page text, SQL statements it ran)."""
    seen = []

    def count(*_args):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    from sqlalchemy import event
    event.listen(engine, "before_cursor_execute", count)
    try:
        text_ = client.get(url).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return text_, len(seen)


@pytest.fixture
def indicator_page(make_process, make_indicator):
    from datetime import date
    return f"/processes/indicators/{make_indicator(make_process(), values={date(2025, 1, 1): 70.0})}"


@CSRF_ON
def test_a_whole_page_is_served_again_to_the_same_session_until_the_data_changes(app, client_as, indicator_page):
    from datetime import date

    from processes.indicators import record_measurements
    from processes.models import Indicator

    client = client_as("coordinator")
    client.get(indicator_page)  # the session's first form: its CSRF secret is made now, nothing is kept
    first, _computed = statements(app, client, indicator_page)
    again, kept_statements = statements(app, client, indicator_page)
    assert again == first
    assert kept_statements == 1, "a kept page reads who is signed in, and the data version with them"
    with app.app_context():
        record_measurements(db.session.scalars(select(Indicator)).one(), {date(2025, 2, 1): (88.5, None)}, actor=None)
        db.session.commit()
    assert "88.5" in client.get(indicator_page).get_data(as_text=True)


@CSRF_ON
def test_each_session_gets_its_own_page_and_its_forms_stay_valid(app, make_user, indicator_page):
    import re

    from tests.conftest import sign_in

    coordinator = make_user("coordinator")
    first, second = sign_in(app.test_client(), coordinator), sign_in(app.test_client(), coordinator)
    first.get(indicator_page)
    page_one = first.get(indicator_page).get_data(as_text=True)  # from the cache
    second.get(indicator_page)
    page_two = second.get(indicator_page).get_data(as_text=True)
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    assert token.search(page_one).group(1) != token.search(page_two).group(1)
    # The token of the kept page is accepted in its own session.
    answer = first.post(f"{indicator_page}/measurements", data={
        "csrf_token": token.search(page_one).group(1), "period": "2025-03", "value": "71"})
    assert answer.status_code == 302


@CSRF_ON
def test_a_pending_message_is_shown_not_a_kept_page(app, client_as, indicator_page):
    client = client_as("coordinator")
    client.get(indicator_page)
    client.get(indicator_page)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved just now.")]
    assert "Saved just now." in client.get(indicator_page).get_data(as_text=True)
    assert "Saved just now." not in client.get(indicator_page).get_data(as_text=True)


@CSRF_ON
def test_people_do_not_see_each_others_pages(app, client_as, indicator_page):
    coordinator, reviewer = client_as("coordinator"), client_as("reviewer")
    for client in (coordinator, reviewer, coordinator, reviewer):
        client.get(indicator_page)
    assert "Enter many periods" in coordinator.get(indicator_page).get_data(as_text=True)
    assert "Enter many periods" not in reviewer.get(indicator_page).get_data(as_text=True)
