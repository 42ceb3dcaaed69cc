"""Starting empty with the same one command: ``make run DEMO=0`` stores the criteria sets and creates the first
administrator from variables (or asks at a terminal) instead of loading the demo; the setup page does the rest."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accounts import cli as accounts_cli
from core.extensions import db
from core.models import Role, User
from evidence.models import CriteriaSet

ROOT = Path(__file__).resolve().parent.parent
VARIABLES = {"FIDELIZA_ADMIN_EMAIL": "Quality@Example.org", "FIDELIZA_ADMIN_PASSWORD": "a long enough one",
             "FIDELIZA_ADMIN_NAME": "Ana Quality", "FIDELIZA_ADMIN_LANGUAGE": "es"}


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_demo_0_creates_the_first_admin_instead_of_loading_the_demo():
    def recipe(*args):
        return subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True, env={**os.environ, "MAKEFLAGS": ""}).stdout

    empty, demo = recipe("DEMO=0"), recipe()
    assert "evidence load-criteria" in empty and "users first-admin" in empty and "demo --if-empty" not in empty
    assert "demo --if-empty" in demo and "users first-admin" not in demo


def test_the_cli_path_with_variables_starts_an_empty_installation(app, runner):
    assert runner.invoke(args=["evidence", "load-criteria"]).exit_code == 0
    result = runner.invoke(args=["users", "first-admin"], env=VARIABLES)
    assert result.exit_code == 0, result.output
    assert "Created the administrator quality@example.org" in result.output
    with app.app_context():
        user = User.by_email("quality@example.org")
        assert (user.role, user.name, user.language) == (Role.ADMIN, "Ana Quality", "es")
        assert user.check_password("a long enough one")
        assert db.session.scalar(select(func.count()).select_from(CriteriaSet)) >= 1
    again = runner.invoke(args=["users", "first-admin"], env={**VARIABLES, "FIDELIZA_ADMIN_EMAIL": "x@example.org"})
    assert again.exit_code == 0 and "already has accounts" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_without_variables_and_nobody_at_the_terminal_it_says_what_to_set(app, runner):
    result = runner.invoke(args=["users", "first-admin"], env={name: None for name in VARIABLES})
    assert result.exit_code != 0 and "FIDELIZA_ADMIN_EMAIL" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_at_a_terminal_it_asks(app, runner, monkeypatch):
    monkeypatch.setattr(accounts_cli, "_interactive", lambda: True)
    result = runner.invoke(args=["users", "first-admin"], env={name: None for name in VARIABLES},
                           input="boss@example.org\na long enough one\na long enough one\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert User.by_email("boss@example.org").role == Role.ADMIN


def test_a_weak_password_is_refused(app, runner):
    result = runner.invoke(args=["users", "first-admin"], env={**VARIABLES, "FIDELIZA_ADMIN_PASSWORD": "short"})
    assert result.exit_code != 0 and "at least 10 characters" in result.output


def test_the_first_admin_signs_in_and_is_sent_to_the_setup(app, runner):
    runner.invoke(args=["users", "first-admin"], env=VARIABLES)
    client = app.test_client()
    signed = client.post("/login", data={"email": "quality@example.org", "password": "a long enough one"})
    assert signed.status_code == 302
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'data-testid="setup-pointer"' in home and 'href="/setup/"' in home
