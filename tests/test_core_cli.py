"""Command-line tasks: creating users and loading the demo."""

import ast
from pathlib import Path

from sqlalchemy import func, select

import demo
from core.extensions import db
from core.models import Organisation, Role, User
from evidence.models import EvidenceItem, Verdict
from improvements.models import Group, Improvement
from loyalty.models import Client, ClientYear
from processes.models import Indicator, Measurement, Process
from surveys.models import Response, Wave
from voice.models import Complaint, ListeningActivity, Requirement, WaveCost


def test_users_create(app, runner):
    result = runner.invoke(args=["users", "create", "--email", "First@Example.test", "--role", "admin",
                                 "--name", "First Admin", "--password", "a long enough one"])
    assert result.exit_code == 0, result.output
    assert "Created first@example.test (admin)" in result.output
    with app.app_context():
        user = User.by_email("first@example.test")
        assert (user.role, user.name) == (Role.ADMIN, "First Admin") and user.check_password("a long enough one")


def test_users_create_refuses_a_short_password_or_a_taken_email(app, runner, make_user):
    make_user("member", email="taken@example.test")
    short = runner.invoke(args=["users", "create", "--email", "new@example.test", "--role", "member",
                                "--password", "short"])
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    taken = runner.invoke(args=["users", "create", "--email", "taken@example.test", "--role", "member",
                                "--password", "a long enough one"])
    assert taken.exit_code != 0 and "already uses this e-mail" in taken.output


def test_users_list(runner, make_user):
    make_user("reviewer", email="rev@example.test", active=False)
    result = runner.invoke(args=["users", "list"])
    assert "rev@example.test" in result.output and "deactivated" in result.output


def test_demo_loads_the_four_accounts_once(app, runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for email, (_name, role) in demo.DEMO_ACCOUNTS.items():
            user = User.by_email(email)
            assert user.role == role and user.check_password(demo.DEMO_PASSWORD)
        assert Organisation.current().name.startswith("Aurrera")
        users_before = len(db.session.scalars(select(User)).all())
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "already has data" in again.output
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code != 0 and "--reset" in refused.output
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == users_before


def test_demo_reset_replaces_everything_after_confirmation(app, runner, make_user):
    make_user("member", email="stray@example.test")
    declined = runner.invoke(args=["demo", "--reset"], input="n\n")
    assert declined.exit_code != 0
    with app.app_context():
        assert User.by_email("stray@example.test") is not None
    accepted = runner.invoke(args=["demo", "--reset"], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    with app.app_context():
        assert User.by_email("stray@example.test") is None
        assert User.by_email("admin@demo.test") is not None


def test_demo_accounts_sign_in_through_the_login_page(app, runner):
    runner.invoke(args=["demo"])
    client = app.test_client()
    for email in demo.DEMO_ACCOUNTS:
        response = client.post("/login", data={"email": email, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert client.get("/").status_code == 200
        client.post("/logout")


def _demo_counts() -> dict[str, int]:
    models = (User, Process, Indicator, Measurement, Client, ClientYear, Complaint, Requirement, ListeningActivity,
              Wave, Response, WaveCost, Group, Improvement, EvidenceItem, Verdict)
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in models}


def test_the_demo_has_every_capabilitys_part_and_a_reset_loads_the_same_again(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        first = _demo_counts()
    assert all(first.values()), first
    assert runner.invoke(args=["demo", "--reset", "--yes"]).exit_code == 0
    with app.app_context():
        assert _demo_counts() == first


def test_the_demo_is_imported_by_no_capability():
    """The demo tells one story across the packages; a package that imported it would depend on all the others."""
    root = Path(__file__).resolve().parent.parent
    importers = []
    for package in ("core", "accounts", "processes", "loyalty", "voice", "improvements", "surveys", "evidence"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                         else [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
                importers += [str(path.relative_to(root)) for name in names if name.split(".")[0] == "demo"]
    assert importers == []
