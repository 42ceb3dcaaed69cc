"""Production shape: several gunicorn workers share one database and one login-throttle store."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

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
    environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "gunicorn-test"}
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
