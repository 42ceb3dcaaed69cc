"""Production shape: several gunicorn workers share one database and one login-throttle store; a backup made
as docs/deployment.md says restores to an app that serves the same evidence, byte for byte."""

import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests import database
from tests.conftest import PASSWORD, sign_in
from tests.evidence_fixtures import checklist_ids, pdf_upload
from tests.test_evidence_pack import download, generate

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parent.parent


def redis_reachable() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
        return True
    except Exception:  # any failure means: no Redis here
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(not redis_reachable(), reason=f"Redis is not reachable at {REDIS_URL} (set TEST_REDIS_URL)")
def test_two_app_processes_share_the_login_throttle_through_redis(database_url, app_factory, make_user):
    """Each gunicorn worker is its own app: with a shared store, failures add up across them."""
    config = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL, "LOGIN_FREE_ATTEMPTS": 3,
              "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    make_user("member", email="ana@example.test")
    worker_one = app_factory(database_url, **config)
    worker_two = app_factory(database_url, **config)
    attempt = {"email": "ana@example.test", "password": "wrong"}
    for worker in (worker_one, worker_two, worker_one):
        assert worker.test_client().post("/login", data=attempt).status_code == 200
    blocked = worker_two.test_client().post("/login", data={"email": "ana@example.test", "password": PASSWORD})
    assert blocked.status_code == 429


@pytest.mark.skipif(shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None,
                    reason="gunicorn is not installed in this environment")
def test_gunicorn_serves_the_app_with_several_workers(database_url, tmp_path):
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "gunicorn-test",
                   "TASK_QUEUE_URL": f"sqlite:///{tmp_path}/tasks.sqlite3"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "app:create_app()"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    assert b'"migrations_current":true' in response.read().replace(b" ", b"")
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert output.count("Booting worker") == 2, output


# --- backups (docs/deployment.md, "Backups") -----------------------------------------------------

def sqlite_backup(database_url: str, target: Path) -> str:
    """The documented SQLite backup: the online backup API, while the app may be writing."""
    source = sqlite3.connect(sa.make_url(database_url).database)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return f"sqlite:///{target}"


def postgres_backup(database_url: str, target: Path) -> str:
    """The documented PostgreSQL backup and restore: ``pg_dump -Fc``, then ``pg_restore --clean --if-exists``
    into a new database (which the caller drops)."""
    def plain(url: str) -> str:  # the command-line tools take libpq's URL, without SQLAlchemy's driver
        return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(target), plain(database_url)], check=True)
    restored = database.create_postgres_database()
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", plain(restored), str(target)],
                   check=True, capture_output=True)
    return restored


@pytest.fixture
def restore(database_url, tmp_path):
    """A function backing up the test database as docs/deployment.md says and restoring it: the copy's URL."""
    made = []

    def backup_and_restore() -> str:
        if database.backend() == "postgresql":
            if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
                pytest.skip("pg_dump and pg_restore are not installed")
            made.append(postgres_backup(database_url, tmp_path / "fideliza.dump"))
            return made[-1]
        return sqlite_backup(database_url, tmp_path / "backup.sqlite3")

    yield backup_and_restore
    for url in made:
        database.drop_postgres_database(url)


def test_a_restored_backup_serves_the_same_evidence_pack_byte_for_byte(app, app_factory, client_as, make_user,
                                                                       restore):
    ids = checklist_ids(app)
    client_as("coordinator").post(f"/evidence/criteria/{ids['A1']}/evidence", content_type="multipart/form-data",
                                  data={"title": "Map approval minutes", "criteria": [ids["A1"]],
                                        "file": pdf_upload("acta.pdf"), "note": "", "record": ""})
    reviewer = make_user("reviewer", email="rachel@example.test")
    location = generate(sign_in(app.test_client(), reviewer))
    original = download(sign_in(app.test_client(), reviewer), location)
    assert list(PdfReader(BytesIO(original)).attachments) == ["A1-1-v1-acta.pdf"]

    restored = app_factory(restore())
    visitor = restored.test_client()
    health = visitor.get("/healthz")
    assert health.status_code == 200 and health.get_json()["migrations_current"] is True
    signed_in = visitor.post("/login", data={"email": "rachel@example.test", "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:300]
    served = download(visitor, location)
    assert hashlib.sha256(served).hexdigest() == hashlib.sha256(original).hexdigest()
    assert served == original
