"""Fixtures: the app on a migrated throw-away database, clients, and factories for records."""

import itertools
import os
import shutil

import jinja2
import pytest

from tests import database

#: Each capability's record factories (``make_process``, ``make_client``…), as fixtures every test can ask for.
pytest_plugins = [
    "tests.processes_fixtures",
    "tests.loyalty_fixtures",
    "tests.improvements_fixtures",
    "tests.surveys_fixtures",
    "tests.certification_fixtures",
]

PASSWORD = "correct horse battery"


def _reuse_url_builders():
    """Every test builds its own app, and werkzeug compiles two Python functions per URL rule for building
    URLs (``Rule._compile_builder``, an AST put together and ``compile``d): 0.12 s of the 0.14 s an app costs.
    The function depends only on the rule's text, its parsed trace, its defaults and its converters' types, and
    takes the rule as its first argument, so one compiled for an identical rule of an earlier app is the same
    function. Where werkzeug changes that method, apps are built as before."""
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "reused", False):
        return
    compiled = {}

    def reused(rule, append_unknown=True):
        key = (rule.rule, append_unknown, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())),
               tuple((name, type(converter)) for name, converter in rule._converters.items()))
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    reused.reused = True
    Rule._compile_builder = reused


_reuse_url_builders()

#: The run's database URL -> the one engine every app of the run opens on it (``_share_engines``).
_shared_engines = {}


def _share_engines(url):
    """Let every app of the run built on ``url`` use one SQLAlchemy engine. An engine keeps the SQL it
    compiled (each statement ~10 ms the first time), so with an engine per test every test compiled all its
    statements again: a third of a page's first request. Sharing it changes nothing else a test sees: each
    test's teardown still disposes of the engine, closing its connections (the next checkout opens new ones),
    and the app listens on sessions and the Engine class, not on an engine. Apps on other URLs or with other
    engine options (``app_factory``) get their own engine, as before."""
    from core.extensions import db

    if not getattr(db._make_engine, "shares", False):
        make_engine = db._make_engine

        def shared_or_new(bind_key, options, app):
            engines = _shared_engines.get(_url_text(options.get("url")))
            if engines is None:
                return make_engine(bind_key, options, app)
            key = (bind_key, repr(sorted(options.items(), key=lambda item: item[0])))
            if key not in engines:
                engines[key] = make_engine(bind_key, options, app)
            return engines[key]

        shared_or_new.shares = True
        db._make_engine = shared_or_new
    _shared_engines.setdefault(_url_text(url), {})


def _url_text(url):
    import sqlalchemy as sa

    return None if url is None else sa.make_url(url).render_as_string(hide_password=False)


def pytest_report_header(config):
    return f"database backend: {database.backend()}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database migrated to head, for the whole run; PostgreSQL ones are dropped at the end."""
    if database.backend() == "postgresql":
        try:
            url = database.create_postgres_database()
        except database.PostgresUnavailable as error:
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                pytest.fail(str(error), pytrace=False)
            pytest.skip(str(error))
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "fideliza-test.sqlite3")
    _migrate(url, tmp_path_factory.mktemp("instance"))
    _share_engines(url)
    yield url
    for engine in _shared_engines.pop(_url_text(url)).values():
        engine.dispose()
    if database.backend() == "postgresql":
        database.drop_postgres_database(url)


def _migrate(url, instance_path):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True})
    with app.app_context():
        upgrade()
        from core.extensions import db

        db.engine.dispose()


def make_app(database_url, tmp_path, **overrides):
    from app import create_app

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "SESSION_COOKIE_SECURE": False,
        # Tests assert English texts unless they ask for Spanish (user setting or Accept-Language).
        "BABEL_DEFAULT_LOCALE": "en",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # production's scrypt costs 0.2 s a hash
        # Tasks run as they are enqueued (Huey immediate mode), each in its own app context.
        "TASK_QUEUE_IMMEDIATE": True,
        # A real cache, but each app its own (whatever CACHE_TYPE the environment sets): pages are
        # tested served from it, and every test starts empty.
        "CACHE_TYPE": "SimpleCache",
    }
    config.update(overrides)
    app = create_app(config)
    # Each app would compile every template it renders anew (~20 ms a page); compiled once, they are kept
    # for the run's other apps, keyed by the template's name and checked against its source.
    app.jinja_env.bytecode_cache = _compiled_templates
    return app


class _CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates kept in memory for the run."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_compiled_templates = _CompiledTemplates()


@pytest.fixture
def app_factory(tmp_path):
    """Build extra apps (another worker, another database); their connections close after the test."""
    from core.extensions import db

    built = []

    def factory(url, **overrides):
        built.append(make_app(url, tmp_path, **overrides))
        return built[-1]

    yield factory
    for extra in built:
        with extra.app_context():
            db.engine.dispose()


@pytest.fixture
def app_overrides():
    """Override in a test module (or parametrize) to configure the app differently."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_overrides, monkeypatch):
    """The app, with no context pushed: each request gets its own app context, ``g`` and session,
    as in production. Tests that touch the database directly use ``with app.app_context():``."""
    monkeypatch.chdir(tmp_path)  # nothing a test does may write into the working tree
    app = make_app(database_url, tmp_path, **app_overrides)
    yield app
    from core.extensions import db, limiter

    with app.app_context():
        database.empty_all_tables(db)
        db.engine.dispose()
    from limits.storage import MemoryStorage

    # A Redis is shared by parallel test runs, each with its own key prefix: resetting it would delete
    # every run's rate-limit keys (the limits namespace) in the middle of their tests.
    if isinstance(limiter.storage, MemoryStorage):
        limiter.reset()


@pytest.fixture
def db(app):
    from core.extensions import db

    return db


@pytest.fixture
def ctx(app):
    """An app context for the test body (services called directly, queries)."""
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def user_factory(app):
    """A function that creates users in ``app``'s database; each comes back loaded and detached,
    usable inside or outside an app context: ``factory("coordinator", email=..., language="es")``."""
    from core.extensions import db
    from core.models import Role, User

    counter = itertools.count(1)

    def factory(role="member", *, email=None, name=None, password=PASSWORD, active=True, language=None):
        number = next(counter)
        with app.app_context():
            user = User(email=email or f"{role}{number}@example.test", name=name or f"{str(role).title()} {number}",
                        role=Role(role), active=active, language=language)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user

    return factory


@pytest.fixture
def make_user(app):
    """Create a user: ``make_user(role="coordinator", email=..., name=..., active=...)``."""
    return user_factory(app)


def sign_in(client, user):
    """Make ``client`` act as ``user`` without going through the login form."""
    from accounts import sessions

    with client.session_transaction() as session:
        sessions.fill(session, user)
    return client


@pytest.fixture
def login(client):
    return lambda user: sign_in(client, user)


@pytest.fixture
def client_as(app, make_user):
    """A fresh test client signed in with a new user of ``role``."""

    def factory(role, **kwargs):
        return sign_in(app.test_client(), make_user(role, **kwargs))

    return factory


class HandClock:
    """A clock moved by hand (``advance(seconds)``), for code that reads time through a module's ``clock``."""

    def __init__(self, now: float = 1_900_000_000.0):
        self.now = now

    def advance(self, seconds):
        self.now += seconds


def hand_clock(monkeypatch, module) -> HandClock:
    """Replace ``module.clock`` by a clock the test moves."""
    fake = HandClock()
    monkeypatch.setattr(module, "clock", lambda: fake.now)
    return fake


def chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser")

