"""Throttles for guessing secrets (passwords, two-factor codes), counted in the rate-limit store.

Two rules, both in ``RATELIMIT_STORAGE_URI`` (memory per worker, or a Redis that all workers share):

- ``BackOff``, per subject (an e-mail address, a user's second factor): a few free attempts, then a
  wait that doubles with each further failure, up to a ceiling; a success starts again. An attempt
  *reserves* its place before the secret is checked, under a lock, so a burst of parallel requests
  gets no more checks than the rule allows, and the right secret is refused while the wait lasts.
  Nothing is given back when the check fails: the reservation was the failure.
- ``AddressLimit``, per IP address: failures in a sliding window, high enough for an office behind one
  address, so that one person's typos do not lock out their colleagues.

Neither looks at whether the subject exists: unknown e-mails are throttled exactly like known ones.

On Redis, ``BackOff`` keeps its counts and its lock in keys of its own (``<prefix>/backoff/...``), beside
the rate limiter's: resetting the rate limits (Flask-Limiter's ``reset``, which deletes every key of the
limits namespace on that Redis) must not open a lock in use nor forget failures in the middle of a burst.
That was the cause of bursts getting 6 to 15 checks instead of 5: a test's teardown, in another session
sharing the Redis, reset the store while the burst ran. The lock is a real one (``SET NX PX`` with a
token, released only by its owner), so an attempt that outlived the lock's expiry cannot release the next
holder's lock either.
"""

import hashlib
import logging
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from limits import parse_many
from limits.storage import MemoryStorage, RedisStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import LockError

EXTENSION = "fideliza.throttle"
#: How long a subject's failures are remembered after its last attempt.
MEMORY = 24 * 3600
#: A lock held longer than this (a worker that died holding it) is taken over.
LOCK_EXPIRY = 30
#: How long an attempt waits for the lock before it is refused (and told to wait a little).
LOCK_PATIENCE = 10.0
#: How often a waiting attempt asks for the lock again.
LOCK_POLL = 0.005

log = logging.getLogger(__name__)


def clock() -> float:
    """Now, in seconds since the epoch (tests move it to see the waits grow)."""
    return time.time()


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may check its secret; if not, how many seconds until it may."""

    allowed: bool
    retry_after: int = 0


ALLOWED = Verdict(True)


def subject_key(text: str) -> str:
    """A store key for a subject that does not keep the e-mail itself in the store."""
    return hashlib.sha256(text.strip().lower().encode()).hexdigest()[:32]


class StoreError(RuntimeError):
    """The rate-limit store is of a kind the throttle cannot lock in (neither memory nor Redis)."""


class _MemoryState:
    """Counts in a memory store of this process, and locks of this process (exact: the store is its own)."""

    def __init__(self, storage: MemoryStorage):
        self.storage = storage
        # A fixed pool of locks, chosen by key: one account's attempts wait for each other, not for
        # everyone's, and guessing many e-mails grows nothing.
        self._locks = [threading.Lock() for _ in range(64)]

    def get(self, key: str) -> int:
        return self.storage.get(key)

    def put(self, key: str, value: int, expiry: int) -> None:
        # The store counts; it has no "set". Under the lock, clearing and adding is one.
        self.storage.clear(key)
        self.storage.incr(key, expiry, amount=value)

    def clear(self, key: str) -> None:
        self.storage.clear(key)

    @contextmanager
    def locked(self, key: str):
        lock = self._locks[hash(key) % len(self._locks)]
        held = lock.acquire(timeout=LOCK_PATIENCE)
        try:
            yield held
        finally:
            if held:
                lock.release()


class _RedisState:
    """Counts and locks in plain keys of the store's Redis, outside the limits namespace (see the module)."""

    def __init__(self, storage: RedisStorage):
        self.redis = storage.get_connection()

    def get(self, key: str) -> int:
        return int(self.redis.get(key) or 0)

    def put(self, key: str, value: int, expiry: int) -> None:
        self.redis.set(key, value, ex=expiry)

    def clear(self, key: str) -> None:
        self.redis.delete(key)

    @contextmanager
    def locked(self, key: str):
        lock = self.redis.lock(f"{key}/lock", timeout=LOCK_EXPIRY, sleep=LOCK_POLL, blocking_timeout=LOCK_PATIENCE)
        held = lock.acquire()
        try:
            yield held
        finally:
            if held:
                try:
                    lock.release()
                except LockError:  # held past LOCK_EXPIRY: taken over meanwhile, and not ours to release
                    log.warning("A sign-in attempt held its throttle lock longer than %d s", LOCK_EXPIRY)


def _state(storage: Storage):
    if isinstance(storage, MemoryStorage):
        return _MemoryState(storage)
    if isinstance(storage, RedisStorage):
        return _RedisState(storage)
    raise StoreError(f"RATELIMIT_STORAGE_URI: the sign-in throttle needs memory:// or a Redis store "
                     f"(redis://, rediss://, redis+sentinel://, redis+cluster://), not {type(storage).__name__}")


class BackOff:
    """Consecutive failures of one subject: ``free`` attempts, then waits of ``first_wait`` seconds,
    doubled after each further failure up to ``longest_wait``, counted from the last attempt."""

    def __init__(self, storage: Storage, prefix: str, *, free: int, first_wait: int, longest_wait: int):
        self.state, self.prefix = _state(storage), prefix
        self.free, self.first_wait, self.longest_wait = free, first_wait, longest_wait

    def wait_after(self, failures: int) -> int:
        """Seconds to wait after ``failures`` consecutive failed (or still running) attempts."""
        if failures < self.free:
            return 0
        doublings = min(failures - self.free, 30)
        return min(self.first_wait * 2 ** doublings, self.longest_wait)

    def reserve(self, subject: str) -> Verdict:
        """Take an attempt for ``subject`` before its secret is checked, or say how long to wait."""
        with self.attempt(subject) as (verdict, _forget):
            return verdict

    def succeeded(self, subject: str) -> None:
        """The secret was right: the subject's failures are forgotten."""
        base = f"{self.prefix}/{subject_key(subject)}"
        with self.state.locked(base):
            self._forget(base)

    @contextmanager
    def attempt(self, subject: str):
        """One whole attempt for ``subject`` under its lock: yields the verdict and a function to call when
        the secret was right. Parallel attempts of one account are judged one after another, so the count
        is exact and a right password is never refused for attempts that were still in flight."""
        base = f"{self.prefix}/{subject_key(subject)}"
        with self.state.locked(base) as held:
            if not held:
                yield Verdict(False, 1), lambda: None
                return
            yield self._reserve(base), lambda: self._forget(base)

    def _reserve(self, base: str) -> Verdict:
        now = clock()
        until = self.state.get(f"{base}/until")
        if now < until:
            return Verdict(False, math.ceil(until - now))
        failures = self.state.get(f"{base}/failures") + 1
        self.state.put(f"{base}/failures", failures, MEMORY)
        wait = self.wait_after(failures)
        if wait:
            self.state.put(f"{base}/until", int(now) + wait, wait + LOCK_EXPIRY)  # whole seconds in the store
        return ALLOWED

    def _forget(self, base: str) -> None:
        self.state.clear(f"{base}/failures")
        self.state.clear(f"{base}/until")


class AddressLimit:
    """Failed attempts from one IP address in sliding windows (``"100 per 15 minutes"``)."""

    def __init__(self, storage: Storage, prefix: str, limits: str):
        self.strategy, self.prefix = MovingWindowRateLimiter(storage), prefix
        self.items = parse_many(limits)

    def check(self, address: str) -> Verdict:
        """Whether this address may try now (its failures are within every window)."""
        for item in self.items:
            if not self.strategy.test(item, self.prefix, address):
                reset_at = self.strategy.get_window_stats(item, self.prefix, address).reset_time
                return Verdict(False, max(1, math.ceil(reset_at - time.time())))
        return ALLOWED

    def failed(self, address: str) -> None:
        for item in self.items:
            self.strategy.hit(item, self.prefix, address)


@dataclass(frozen=True)
class Throttles:
    """The app's throttles, built once from its settings: sign-in passwords, two-factor codes, addresses."""

    password: BackOff
    code: BackOff
    address: AddressLimit


def init_app(app) -> None:
    """Open the throttles' store and build them (none when ``RATELIMIT_ENABLED`` is off, as in most tests)."""
    config = app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return
    storage, prefix = storage_from_string(config["RATELIMIT_STORAGE_URI"]), config["RATELIMIT_KEY_PREFIX"]
    waits = {"free": config["LOGIN_FREE_ATTEMPTS"], "first_wait": config["LOGIN_BACKOFF_SECONDS"],
             "longest_wait": config["LOGIN_BACKOFF_MAX_SECONDS"]}
    app.extensions[EXTENSION] = Throttles(
        password=BackOff(storage, f"{prefix}/backoff/password", **waits),
        code=BackOff(storage, f"{prefix}/backoff/code", **waits),
        address=AddressLimit(storage, f"{prefix}/address", config["LOGIN_IP_RATE_LIMIT"]),
    )


def throttles() -> Throttles | None:
    """This app's throttles, or None when throttling is off."""
    return current_app.extensions.get(EXTENSION)
