"""What the browser tests and ``make_screenshot`` share: Chromium's launch options, a live server, signing in.

Not a test module (pytest does not collect it) and not a conftest, so plain scripts can import it.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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


#: axe-core, vendored from npm for the tests only (tests/browser/vendor/README.md says which version and how to update).
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
#: The impacts that fail a page: axe's two highest of four.
FAILING_IMPACTS = ("critical", "serious")


def install_axe(context):
    """Load axe-core into every page the context opens, before the page's own scripts (a crawl then does not
    send the 650 KB script once per page). Through the DevTools protocol: the CSP does not apply."""
    context.add_init_script(path=str(AXE_SOURCE))


def axe_violations(page) -> list[str]:
    """axe-core's critical and serious violations on the page as it stands, one readable line per element:
    ``rule (impact) at target: help``. The script is evaluated through the DevTools protocol, which the app's
    Content-Security-Policy (``script-src 'self'``, no inline scripts) does not govern, so no ``bypass_csp``."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    results = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map(n => n.target.join(' '))}));
    }""")
    return [f"{v['id']} ({v['impact']}) at {target}: {v['help']}"
            for v in results if v["impact"] in FAILING_IMPACTS for target in v["targets"]]


#: In the page: every link, button and table cell whose right edge passes the viewport's, unless an ancestor
#: scrolls sideways (overflow-x auto or scroll, wider content than its box), which is a visible way to reach it.
#: Hidden elements (no box, or inside a closed menu) do not count.
BEYOND_VIEWPORT_JS = r"""() => {
    const width = document.documentElement.clientWidth;
    const scrollsSideways = (element) => {
        for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
            const overflow = getComputedStyle(node).overflowX;
            if ((overflow === 'auto' || overflow === 'scroll') && node.scrollWidth > node.clientWidth) return true;
        }
        return false;
    };
    const describe = (element) => {
        const text = (element.innerText || element.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
        const classes = (element.getAttribute('class') || '').trim();
        const id = element.id ? '#' + element.id : (classes ? '.' + classes.split(/\s+/).join('.') : '');
        return element.tagName.toLowerCase() + id + ' "' + text.slice(0, 40) + '"';
    };
    const found = [];
    const page = document.documentElement;
    if (page.scrollWidth > width + 1) {
        // Something (a chart, a long word) widens the page itself: name the widest element that is not in a scroller.
        let widest = null;
        for (const element of document.body.querySelectorAll('*')) {
            const right = element.getBoundingClientRect().right;
            if (right > width + 1 && !scrollsSideways(element) && (!widest || right > widest[1])) {
                widest = [element, right];
            }
        }
        found.push('the page scrolls sideways (' + page.scrollWidth + ' px of ' + width + ')' +
                   (widest ? ', widest: ' + describe(widest[0]) : ''));
    }
    for (const element of document.querySelectorAll('a, button, td, th')) {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        if (getComputedStyle(element).visibility === 'hidden') continue;
        if (box.right > width + 1 && !scrollsSideways(element)) {
            found.push(describe(element) + ' ends at ' + Math.round(box.right) + ' px of ' + width);
        }
    }
    return found;
}"""


def beyond_viewport(page) -> list[str]:
    """The links, buttons and table cells of the page that lie past the viewport's right edge outside a scroll
    container, described (tag, id, text, where they end)."""
    return page.evaluate(BEYOND_VIEWPORT_JS)
