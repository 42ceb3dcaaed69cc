"""What the browser tests and ``make_screenshot`` share: Chromium's launch options, a live server, signing in.

Not a test module (pytest does not collect it) and not a conftest, so plain scripts can import it.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass

from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import chromium_path

#: Debian's Chromium, headless and quiet: no sandbox (containers), no GPU, nothing fetched from the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

MISSING_CHROMIUM = ("Chromium is not installed: /usr/bin/chromium is missing (install the Debian package "
                    "`chromium`: apt-get install chromium). `playwright install` is not used here.")


def chromium_launch_args() -> dict:
    """Options for ``playwright.chromium.launch``; the system Chromium, never a downloaded one."""
    return {"executable_path": chromium_path(), "headless": True, "args": list(CHROMIUM_ARGS)}


class QuietRequestHandler(WSGIRequestHandler):
    """No line per request (pages pull a dozen static files); errors are still logged."""

    def log_request(self, code="-", size="-"):
        pass


@dataclass(frozen=True)
class LiveServer:
    app: object
    url: str


@contextmanager
def serve(app):
    """Serve ``app`` on a free port of 127.0.0.1 in a daemon thread, for as long as the block lasts."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="fideliza-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def sign_in(page, email: str, password: str, *, path: str = "/login"):
    """Sign in through the real login form (e-mail, password, the submit button) and wait for the next page."""
    page.goto(path)
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    return page
