"""The sign-in throttle under parallel requests: exact per e-mail, growing waits, fair to an office."""

import threading
import uuid
from contextlib import contextmanager

import pytest
from limits.storage import MemoryStorage, RedisStorage

from core import throttle
from core.models import User
from tests.conftest import PASSWORD, hand_clock
from tests.test_deployment import REDIS_URL, redis_reachable

THROTTLED = {"RATELIMIT_ENABLED": True}
#: Parametrize ``app_overrides`` indirectly with these: on Redis each test gets a key prefix of its own.
STORES = [
    pytest.param({**THROTTLED, "RATELIMIT_STORAGE_URI": "memory://"}, id="memory"),
    pytest.param({**THROTTLED, "RATELIMIT_STORAGE_URI": REDIS_URL}, id="redis",
                 marks=pytest.mark.skipif(not redis_reachable(), reason=f"no Redis at {REDIS_URL}")),
]
#: Bursts per test (the gap closed here showed in about one burst in five, and in every one under resets).
BURSTS = 6


@pytest.fixture
def app_overrides(request):
    """The store of the test's parameter. The Redis is shared by parallel test runs and never emptied, so a
    test on it counts under a key prefix of its own."""
    overrides = dict(getattr(request, "param", THROTTLED))
    if overrides.get("RATELIMIT_STORAGE_URI", "").startswith("redis"):
        overrides["RATELIMIT_KEY_PREFIX"] = f"t-{uuid.uuid4().hex}"
    return overrides


def login(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def in_parallel(count: int, action) -> list:
    """``action(i)`` in ``count`` threads released at the same moment; their results in order."""
    barrier, results = threading.Barrier(count), [None] * count

    def run(i):
        barrier.wait()
        results[i] = action(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def password_checks(monkeypatch):
    """Every password check of a known account, counted."""
    checks, original = [], User.check_password

    def spy(user, password):
        checks.append(password)
        return original(user, password)

    monkeypatch.setattr(User, "check_password", spy)
    return checks


@pytest.fixture
def clock(monkeypatch):
    """The throttle clock, moved by hand: ``clock.advance(seconds)``."""
    return hand_clock(monkeypatch, throttle)


@contextmanager
def limits_reset_meanwhile(app):
    """On Redis, delete the rate limiter's keys of this app again and again, as ``RedisStorage.reset()`` does
    to the whole limits namespace (a test run's teardown did that while other runs' bursts went on; here only
    this test's keys, since others share the Redis). Memory stores are each their own: nothing to do."""
    prefix, stop = app.config["RATELIMIT_KEY_PREFIX"], threading.Event()
    if not app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        yield
        return
    redis = RedisStorage(app.config["RATELIMIT_STORAGE_URI"]).get_connection()

    def reset():
        while not stop.wait(0.01):
            for key in redis.scan_iter(f"{RedisStorage.PREFIX}:*{prefix}*"):
                redis.delete(key)

    thread = threading.Thread(target=reset)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@pytest.mark.parametrize("app_overrides", STORES, indirect=True)
def test_a_burst_of_wrong_passwords_gets_no_more_checks_than_the_limit(app, make_user, password_checks):
    with limits_reset_meanwhile(app):
        for burst in range(BURSTS):  # one account a burst: each starts with its five free attempts
            email = f"ana{burst}@example.test"
            make_user("member", email=email)
            password_checks.clear()
            answers = in_parallel(40, lambda i, email=email: login(app.test_client(), email, f"wrong {i}").status_code)
            # Five, unless a loaded machine made some attempts give up waiting for the lock (refused, not checked).
            checked = len(password_checks)
            assert 1 <= checked <= 5, burst
            assert sorted(answers) == [200] * checked + [429] * (40 - checked)
            for _attempt in range(5 - checked):
                login(app.test_client(), email, "wrong")
            assert login(app.test_client(), email, PASSWORD).status_code == 429  # right, but locked
            assert len(password_checks) == 5


@pytest.mark.parametrize("app_overrides", STORES, indirect=True)
def test_simultaneous_right_sign_ins_of_one_account_all_succeed(app, db, make_user):
    user = make_user("member", email="ana@example.test")
    answers = in_parallel(8, lambda i: login(app.test_client(), "ana@example.test", PASSWORD).status_code)
    assert answers == [302] * 8
    assert login(app.test_client(), "ana@example.test", PASSWORD).status_code == 302
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.last_login_at is not None and stored.version == user.version


@pytest.mark.parametrize("app_overrides", [THROTTLED])
def test_the_wait_doubles_with_each_failure_and_a_success_starts_again(app, make_user, clock):
    make_user("member", email="ana@example.test")
    client = app.test_client()
    for _attempt in range(5):
        assert login(client, "ana@example.test", "wrong").status_code == 200
    waits = []
    for _round in range(3):
        refused = login(client, "ana@example.test", "wrong")
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(waits[-1] - 2)
        assert login(client, "ana@example.test", PASSWORD).status_code == 429  # not yet, even when right
        clock.advance(2)
        assert login(client, "ana@example.test", "wrong").status_code == 200  # one more check, failed
    assert waits == [60, 120, 240]
    clock.advance(480)
    assert login(client, "ana@example.test", PASSWORD).status_code == 302
    for _attempt in range(5):  # forgotten: free attempts again
        assert login(app.test_client(), "ana@example.test", "wrong").status_code == 200


def test_the_wait_has_a_ceiling():
    backoff = throttle.BackOff(MemoryStorage(), "t", free=5, first_wait=60, longest_wait=3600)
    assert [backoff.wait_after(n) for n in range(1, 13)] == [0, 0, 0, 0, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert backoff.wait_after(10_000) == 3600


@pytest.mark.parametrize("app_overrides", [THROTTLED])
def test_one_persons_failures_do_not_lock_out_their_colleagues_behind_the_same_address(app, make_user):
    make_user("member", email="ana@example.test")
    make_user("member", email="bea@example.test")
    for _attempt in range(6):
        login(app.test_client(), "ana@example.test", "wrong")
    assert login(app.test_client(), "ana@example.test", PASSWORD).status_code == 429
    assert login(app.test_client(), "bea@example.test", PASSWORD).status_code == 302


@pytest.mark.parametrize("app_overrides", [{**THROTTLED, "LOGIN_IP_RATE_LIMIT": "3 per 15 minutes"}])
def test_an_address_with_too_many_failures_is_refused_whatever_the_email(app, make_user):
    make_user("member", email="ana@example.test")
    for email in ("x@example.test", "y@example.test", "z@example.test"):
        assert login(app.test_client(), email, "wrong").status_code == 200
    refused = login(app.test_client(), "ana@example.test", PASSWORD)
    assert refused.status_code == 429 and "Too many failed attempts" in refused.get_data(as_text=True)
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"  # another address (a WSGI value; nothing is sent)
    assert login(elsewhere, "ana@example.test", PASSWORD).status_code == 302


def test_a_store_the_throttle_cannot_lock_in_is_refused_with_what_it_needs():
    with pytest.raises(throttle.StoreError, match=r"memory:// or a Redis store"):
        throttle.BackOff(object(), "t", free=5, first_wait=60, longest_wait=3600)
