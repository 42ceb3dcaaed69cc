"""Pooled database connections are checked before use only when they sat unused for a while.

SQLAlchemy's ``pool_pre_ping`` sends a round trip before every checkout. On PostgreSQL a kept page costs about
five (the ping, BEGIN, the signed-in user with the data version, ROLLBACK), so the ping alone was a fifth of what
such a request waits for. What the ping guards against is a connection the server or a firewall closed while it
sat in the pool: that happens to idle connections. So a connection idle for ``DATABASE_PING_AFTER_IDLE`` seconds
or more is pinged when it is handed out, and replaced at once if the ping fails; one that was in use a moment ago
is not. Should the server restart between two busy requests, the next statement on a connection it closed fails;
SQLAlchemy then sees a disconnection and replaces every connection of the pool older than it, so that request is
the only one to fail, and every later one gets a fresh connection.
"""

import time

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

#: Seconds of idleness after which a connection is pinged, where no app says (``DATABASE_PING_AFTER_IDLE``).
PING_AFTER_IDLE = 10
#: ``info`` key of a pooled connection: when it was last given back to the pool (``_now``).
_IDLE_SINCE = "fideliza_idle_since"


def _now() -> float:
    return time.monotonic()


def _ping_after_idle() -> float | None:
    return current_app.config.get("DATABASE_PING_AFTER_IDLE", PING_AFTER_IDLE) if has_app_context() \
        else PING_AFTER_IDLE


# On the classes, not on an engine: the tests' apps share one engine, and listeners on it would pile up.
@event.listens_for(Pool, "checkin")
def _note_idle_since(dbapi_connection, connection_record):
    if connection_record is not None:
        connection_record.info[_IDLE_SINCE] = _now()


@event.listens_for(Engine, "engine_connect")
def _ping_if_idle(connection):
    after_idle = _ping_after_idle()
    pooled = connection.connection
    idle_since = pooled.info.get(_IDLE_SINCE)
    # A connection just opened has never been idle: it answered a moment ago.
    if after_idle is None or idle_since is None or _now() - idle_since < after_idle:
        return
    try:
        alive = connection.dialect.do_ping(pooled.dbapi_connection)
    except connection.dialect.loaded_dbapi.Error:
        alive = False
    if not alive:
        # The next statement on this Connection takes a new DBAPI connection from the pool.
        connection.invalidate()
