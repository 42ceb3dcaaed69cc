"""The real-browser harness: the app on a local port with CSRF on, Debian's headless Chromium, clean tables.

Every test in this directory is marked ``browser`` and skipped, with the reason, where Chromium is absent.
Contexts default to British English (``en-GB``, 1280x800, Madrid time); a test asks for another locale or
viewport with ``@pytest.mark.browser_context_args(locale="es-ES")``. Any console error or uncaught
exception in any page (a Content-Security-Policy violation is one) fails the test that caused it.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from core import tasks
from tests import database
from tests.browser import support
from tests.conftest import PASSWORD, chromium_path, make_app, user_factory

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark this directory's tests ``browser``; skip them all when there is no Chromium to drive."""
    missing = chromium_path() is None
    for item in items:
        if not item.path.is_relative_to(HERE):
            continue
        item.add_marker(pytest.mark.browser)
        if missing:
            item.add_marker(pytest.mark.skip(reason=support.MISSING_CHROMIUM))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium (``playwright install`` is never needed)."""
    if chromium_path() is None:
        pytest.skip(support.MISSING_CHROMIUM)
    return {**browser_type_launch_args, **support.chromium_launch_args()}


@pytest.fixture(scope="session")
def _live_server(database_url, tmp_path_factory):
    # CSRF stays on: the browser sends real forms, which carry their tokens.
    # A real queue and a worker beside the server, as ``make run`` has: the pack page follows a job in progress.
    queue_file = tmp_path_factory.mktemp("live-queue") / "tasks.sqlite3"
    app = make_app(database_url, tmp_path_factory.mktemp("live-instance"), WTF_CSRF_ENABLED=True,
                   TASK_QUEUE_IMMEDIATE=False, TASK_QUEUE_URL=f"sqlite:///{queue_file}")
    with support.serve(app) as server, tasks.consumer_thread(app, workers=1, initial_delay=0.05, max_delay=0.5):
        yield server
    from core.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_app(_live_server):
    """The app the browser talks to (use ``live_app.app_context()`` to reach its database)."""
    return _live_server.app


@pytest.fixture(scope="session")
def live_url(_live_server):
    """Where the live app listens: ``http://127.0.0.1:PORT``."""
    return _live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_url):
    """Relative URLs go to the live app; a fixed language, time zone and window, whatever the machine's; and
    reduced motion, so Bootstrap's dialogs open and close without a transition (a click during the fade-in is
    ignored by Bootstrap, which made a test that cancels a dialog at once fail on a loaded machine)."""
    return {
        **browser_context_args,
        "base_url": live_url,
        "locale": "en-GB",
        "timezone_id": "Europe/Madrid",
        "viewport": {"width": 1280, "height": 800},
        "reduced_motion": "reduce",
    }


@pytest.fixture(autouse=True)
def _empty_tables_after_test(live_app):
    """Each browser test starts from empty tables, like the others (the database is shared by the run)."""
    yield
    from core.extensions import db

    with live_app.app_context():
        db.session.remove()
        database.empty_all_tables(db)
        db.session.remove()


@pytest.fixture
def console_errors():
    """Console errors and uncaught exceptions of every page of every context this test opens."""
    return []


@pytest.fixture
def new_context(new_context, console_errors):
    """pytest-playwright's ``new_context``, with every page's console watched; errors fail the test."""

    def watched(**kwargs):
        context = new_context(**kwargs)
        context.on("console", lambda message: message.type == "error" and console_errors.append(
            f"console error on {message.page.url if message.page else '?'}: {message.text}"))
        context.on("weberror", lambda error: console_errors.append(f"uncaught exception: {error.error}"))
        return context

    yield watched
    if console_errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(console_errors), pytrace=False)


@dataclass(frozen=True)
class LiveUser:
    """What a test needs of a user once the live app's session is gone: no detached ORM objects."""

    id: int
    email: str
    name: str
    role: str
    password: str


@pytest.fixture
def make_live_user(live_app):
    """Create a user in the live app's database: ``make_live_user("admin", email=..., language="es")``."""
    create = user_factory(live_app)

    def factory(role="member", *, password=PASSWORD, **details):
        user = create(role, password=password, **details)
        return LiveUser(id=user.id, email=user.email, name=user.name, role=str(user.role), password=password)

    return factory


@pytest.fixture
def user_is_active(live_app):
    """Whether the user with this id is active, read from the live app's database."""
    from core.extensions import db
    from core.models import User

    def check(user_id: int) -> bool:
        with live_app.app_context():
            active = db.session.get(User, user_id).active
            db.session.remove()
        return active

    return check
