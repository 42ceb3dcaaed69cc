"""Settings: defaults here, then ``instance/config.py``, then the environment, then test overrides."""

import os
import secrets
from pathlib import Path

from core.imports.bounds import DEFAULT_SETTINGS as IMPORT_BOUNDS


def optional_hour(raw: str) -> int | None:
    """An hour of the day from the environment; ``off``, ``none`` or empty switch its job off."""
    raw = raw.strip().lower()
    return None if raw in {"", "off", "none", "no", "false"} else int(raw)


#: Settings that may come from the environment, with the type each is parsed as.
ENVIRONMENT_SETTINGS = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "RATELIMIT_STORAGE_URI": str,
    "LOGIN_FREE_ATTEMPTS": int,
    "LOGIN_BACKOFF_SECONDS": int,
    "LOGIN_BACKOFF_MAX_SECONDS": int,
    "LOGIN_IP_RATE_LIMIT": str,
    "SURVEY_RATE_LIMIT": str,
    "SURVEY_EXPORT_BATCH": int,
    "SURVEY_PUBLIC_MAX_PER_NETWORK": int,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_DEFAULT_SENDER": str,
    "MAIL_TIMEOUT": int,
    "MAIL_BACKEND": str,
    "UPLOAD_MAX_BYTES": int,
    "IMPORT_FILES_KEEP_DAYS": int,
    "SESSION_IDLE_TIMEOUT": int,
    "SESSION_MAX_AGE": int,
    "REMEMBER_COOKIE_DURATION": int,
    "SESSION_COOKIE_SECURE": bool,
    "TWO_FACTOR_REQUIRED_ROLES": str,
    "TWO_FACTOR_PENDING_SECONDS": int,
    "PREFERRED_URL_SCHEME": str,
    "FIDELIZA_SKIP_MIGRATION_CHECK": bool,
    "PROXY_FIX_X_FOR": int,
    "CACHE_TYPE": str,
    "CACHE_REDIS_URL": str,
    "SCHEDULE_ENABLED": bool,
    "SCHEDULE_REMINDERS_HOUR": optional_hour,
    "SCHEDULE_REMINDERS_DAYS": int,
    "SCHEDULE_CLOSE_WAVES_HOUR": optional_hour,
    "SCHEDULE_DIGEST_HOUR": optional_hour,
    "SCHEDULE_DIGEST_WEEKDAY": int,
    "TASK_QUEUE_URL": str,
    "TASK_QUEUE_WORKERS": int,
    "BASE_URL": str,
    **dict.fromkeys(IMPORT_BOUNDS, int),
}

DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # No session or remember-me cookie outlives this from the password sign-in (checked by the server too).
    "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
    # A session ends after this long without a request, and this long after it was opened.
    "SESSION_IDLE_TIMEOUT": 8 * 3600,
    "SESSION_MAX_AGE": 12 * 3600,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
    "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,
    # An import upload not applied within this many days is deleted (``flask imports cleanup``).
    "IMPORT_FILES_KEEP_DAYS": 7,
    "PASSWORD_MIN_LENGTH": 10,
    # Two-factor sign-in is offered to everyone; these roles must use it ("admin,coordinator" recommended in
    # production: docs/deployment.md). Empty: nobody is made to.
    "TWO_FACTOR_REQUIRED_ROLES": (),
    # How long after a right password the second step (the code) may be given.
    "TWO_FACTOR_PENDING_SECONDS": 300,
    "PASSWORD_HASH_METHOD": "scrypt",
    # Per e-mail (and per user for two-factor codes): free attempts, then waits doubling up to the ceiling.
    "LOGIN_FREE_ATTEMPTS": 5,
    "LOGIN_BACKOFF_SECONDS": 60,
    "LOGIN_BACKOFF_MAX_SECONDS": 3600,
    # Failed sign-ins per IP address: an office behind one address must not lock itself out.
    "LOGIN_IP_RATE_LIMIT": "100 per 15 minutes",
    # Public survey pages, per IP address: an office behind one address may answer a whole staff survey.
    "SURVEY_RATE_LIMIT": "60 per minute;600 per hour",
    # Anonymous waves: exports grow by at least this many responses at a time (docs/anonymity.md).
    "SURVEY_EXPORT_BATCH": 5,
    # Public-link answers a wave takes from one network (IPv4 /24, IPv6 /48).
    "SURVEY_PUBLIC_MAX_PER_NETWORK": 20,
    "RATELIMIT_STORAGE_URI": "memory://",
    # A sliding window: with fixed windows, failures straddling the minute boundary escape the count.
    "RATELIMIT_STRATEGY": "moving-window",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "fideliza",
    # A pooled connection idle this long (seconds) is pinged before use, and replaced if the server closed it
    # (core.connections); None: never. Not every checkout: a busy connection is alive, and a ping is a round trip.
    "DATABASE_PING_AFTER_IDLE": 10,
    "BABEL_DEFAULT_LOCALE": "es",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Madrid",
    "LANGUAGES": {"es": "Español", "en": "English"},
    "PER_PAGE": 25,
    "MAIL_SERVER": None,
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "fideliza@localhost",
    # Seconds an SMTP server may take to answer before the batch counts it as down (and tries again later).
    "MAIL_TIMEOUT": 20,
    "FIDELIZA_SKIP_MIGRATION_CHECK": False,
    # The scheduled jobs (``core.schedule``, docs/scheduled-jobs.md): the hour of the organisation's day each
    # runs at (None: never), the weekly digest's day (0 Monday … 6 Sunday), and one switch for them all.
    "SCHEDULE_ENABLED": True,
    "SCHEDULE_REMINDERS_HOUR": 8,
    "SCHEDULE_REMINDERS_DAYS": 7,
    "SCHEDULE_CLOSE_WAVES_HOUR": 1,
    "SCHEDULE_DIGEST_HOUR": 8,
    "SCHEDULE_DIGEST_WEEKDAY": 0,
    # Proxies in front that set X-Forwarded-For (0: none, use the connection's address). Survey network
    # keys and per-address limits need the client's address, not the proxy's.
    "PROXY_FIX_X_FOR": 0,
    # Computed pages (charts, maps) per worker; their keys carry the data version, so a shared store
    # (``RedisCache`` with ``CACHE_REDIS_URL``) only saves work, it is not needed for correctness.
    "CACHE_TYPE": "SimpleCache",
    "CACHE_DEFAULT_TIMEOUT": 3600,
    "CACHE_THRESHOLD": 200,
    "CACHE_KEY_PREFIX": "fideliza:",
    # The task queue (``core.tasks``): unset, a SQLite file in instance/; ``redis://…`` in production.
    # Immediate mode runs each task as it is enqueued (the tests).
    "TASK_QUEUE_URL": None,
    "TASK_QUEUE_NAME": "fideliza",
    "TASK_QUEUE_IMMEDIATE": False,
    # Tasks each ``flask worker`` runs at once (evidence packs, mail): the bound on concurrent packs.
    "TASK_QUEUE_WORKERS": 2,
    # The site's public address (``https://fideliza.example.org/``), for links built outside a request (tasks,
    # mail). Unset: a task builds them on the address of the request that enqueued it.
    "BASE_URL": None,
    # What an import reads of one file at most (``core.imports.bounds``): rows, columns, cell length, and
    # for .xlsx the unpacked size, shared strings, compression ratio and number of parts.
    **IMPORT_BOUNDS,
    # None means "decide from debug mode" (see ``configure``).
    "SESSION_COOKIE_SECURE": None,
}


def parse_environment(environ=os.environ) -> dict:
    """The settings present in the environment, converted to their types."""
    found = {}
    for name, kind in ENVIRONMENT_SETTINGS.items():
        if name not in environ:
            continue
        raw = environ[name]
        if kind is bool:
            found[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
        else:
            found[name] = kind(raw)
    return found


def database_uri(url: str | None, instance_path: str) -> str:
    """SQLAlchemy URI: ``DATABASE_URL`` (any postgres form, driven by psycopg 3) or the SQLite file."""
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "fideliza.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret_key(instance_path: str) -> str:
    """The key kept in ``instance/secret_key``, generated on the first run of this installation."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when several workers start at once, one writes and the others read its key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def configure(app, overrides: dict | None) -> None:
    """Apply defaults, ``instance/config.py``, the environment and the overrides, in that order."""
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(parse_environment())
    app.config.update(overrides or {})
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(
            app.config.get("DATABASE_URL"), app.instance_path
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    # Cookies travel only over HTTPS except when developing on localhost.
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not app.debug
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    # The session cookie's signature expires with the longest a session may last (Flask's default is 31 days).
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["SESSION_MAX_AGE"]
