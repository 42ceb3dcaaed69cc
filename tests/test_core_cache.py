"""The cache of computed pages: kept while nothing is saved, computed again as soon as anything is."""

import uuid

import pytest
from sqlalchemy import create_engine, delete, func, select, text

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


def test_nothing_is_kept_before_anything_was_saved(app, computed):
    with app.test_request_context():
        assert data_version() == (None, False)
        assert cached("thing", compute=computed) == "result 1"
        assert cached("thing", compute=computed) == "result 2"


def test_a_version_is_never_repeated_when_the_newest_entries_are_deleted(app, make_user):
    make_user("member")
    with app.app_context():
        before = data_version()[0]
        newest = db.session.scalar(select(func.max(AuditEntry.id)))
        db.session.execute(delete(AuditEntry).where(AuditEntry.id == newest))
        db.session.commit()
    make_user("member")  # on SQLite its entry takes the deleted id again
    with app.app_context():
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
