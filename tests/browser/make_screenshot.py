"""Take the README's screenshot: the demo's home page, signed in as the quality coordinator, in English.

    .venv/bin/python -m tests.browser.make_screenshot [--output docs/screenshot.png]

The app runs on a throw-away SQLite database (migrated, then the demo loaded), is served on a free local
port and driven by Debian's headless Chromium through the real login page. Not a test: pytest does not
collect this module.
"""

import argparse
import secrets
import sys
import tempfile
from pathlib import Path

from tests.browser import support
from tests.conftest import chromium_path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / "docs" / "screenshot.png"
ACCOUNT = "coordinator@demo.test"
WIDTH, HEIGHT = 1280, 800


def build_demo_app(directory: Path):
    """The app on a fresh SQLite file holding the demo organisation."""
    from flask_migrate import upgrade

    import demo
    from app import create_app
    from core.extensions import db

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(directory / "fideliza-demo.sqlite3"),
        "SECRET_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": False,  # plain http on 127.0.0.1
        "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        upgrade()
        demo.load()
        db.session.commit()
        db.session.remove()
    return app


def take(output: Path) -> Path:
    from playwright.sync_api import sync_playwright

    import demo
    from core.extensions import db

    if chromium_path() is None:
        sys.exit(support.MISSING_CHROMIUM)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fideliza-screenshot-") as directory:
        app = build_demo_app(Path(directory))
        try:
            with support.serve(app) as server, sync_playwright() as playwright:
                browser = playwright.chromium.launch(**support.chromium_launch_args())
                context = browser.new_context(base_url=server.url, locale="en-GB", timezone_id="Europe/Madrid",
                                              viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1)
                page = context.new_page()
                support.sign_in(page, ACCOUNT, demo.DEMO_PASSWORD, path="/login?lang=en")
                page.get_by_test_id("home-title").wait_for()
                if page.locator("html").get_attribute("lang") != "en":
                    sys.exit("The home page is not in English; the screenshot was not taken.")
                page.evaluate("document.fonts.ready")
                page.screenshot(path=str(output))
                # The process map, the first thing a certification reviewer asks for (A1).
                page.goto("/processes/")
                page.get_by_test_id("process-map").wait_for()
                page.screenshot(path=str(output.with_name("process-map.png")), full_page=True)
                # A process diagram in swimlanes (C3): the complaints process after its improvement.
                page.locator('[data-process-code="FID-C03"]').click()
                page.locator('main a[href$="/diagram"]').click()
                diagram = page.get_by_test_id("process-diagram")
                diagram.wait_for()
                diagram.screenshot(path=str(output.with_name("process-diagram.png")))
                context.close()
                browser.close()
        finally:
            with app.app_context():
                db.engine.dispose()
    return output


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to save the PNG")
    arguments = parser.parse_args(argv)
    print(f"Saved {take(arguments.output)} ({WIDTH}x{HEIGHT}).")


if __name__ == "__main__":
    main()
