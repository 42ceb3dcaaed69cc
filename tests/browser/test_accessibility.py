"""Accessibility and fit on the demo, in a real browser (issue 16, items 1 and 2): every role's pages, crawled
breadth-first from the home page (and the navbar search's results) through the links people can follow, and the
public survey pages, have no critical or serious axe-core violation at 1366×900, and no link, button or table
cell past the viewport's right edge outside a scroll container, nor a page that scrolls sideways, at 1366×900
and at 390×844; two roles in English and two in Spanish.

The crawl takes one page per endpoint (the first link found to it: a list's first record), follows only
pages (no downloads, exports, images or files), and signs in once per role with one browser page reused.
"""

from collections import deque
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from tests.browser.support import axe_violations, beyond_viewport, install_axe, sign_in

#: Each demo account in one language, two in each: Spanish labels are longer (a wider sub-menu, longer buttons),
#: English ones are the reference; crawling every role twice would double the time for little more.
ROLES = {"admin@demo.test": "en", "coordinator@demo.test": "es", "member@demo.test": "es", "reviewer@demo.test": "en"}
PASSWORD = "demo-password"
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
#: Endpoints the crawl does not open: files, images, exports and downloads (not pages), the sign-in pages
#: (the crawl is signed in) and the two-factor pages (opening the set-up page starts an enrolment).
NOT_PAGES = {"static", "core.healthz", "core.organisation_logo_file", "processes.map_svg", "processes.diagram_svg",
             "accounts.login", "accounts.second_step", "accounts.two_factor_setup", "accounts.new_recovery_codes",
             "accounts.disable_two_factor", "evidence.pack_job_state",
             # The API's OpenAPI document (JSON) and its vendored Swagger UI reference, whose own browser test
             # checks it runs under the CSP (tests/browser/test_api.py); not pages of the app.
             "api-docs.openapi_json", "core.api_docs"}
NOT_PAGE_WORDS = ("export", "download", "_file", "template", "logo", "material", "process_document")
CHARTS_DRAWN = "() => !document.querySelector('figure[data-chart]:not([data-chart-state])')"
#: After a resize: two frames (the window's resize event has fired), then the charts that follow their
#: container's width have redrawn (each figure keeps its Vega view, static/js/charts.js).
SETTLED = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))).then(
    () => Promise.all([...document.querySelectorAll('figure[data-chart]')]
        .map(figure => figure.vegaView && figure.vegaView.runAsync())).then(() => true))"""
#: Endpoints whose every page the first role's crawl opens, not only the first one found.
EVERY_PAGE = frozenset({"evidence.criterion"})
#: The navbar's search is a form, not a link: the crawl opens its results for a word the demo uses in many kinds of
#: records (and follows the links to them and to each kind).
SEARCH = "/search?q=socios"
#: A bound on the pages of one role, far above what the demo has, so that a link loop cannot run away.
MAX_PAGES = 200


def _endpoint(adapter, path: str) -> str | None:
    try:
        endpoint, _values = adapter.match(path, method="GET")
    except HTTPException:
        return None
    return endpoint


def _is_page(endpoint: str | None) -> bool:
    return bool(endpoint) and endpoint not in NOT_PAGES and not any(word in endpoint for word in NOT_PAGE_WORDS)


def _check(page, findings: list[str], who: str):
    """axe at the wide window, then the viewport's edge at the wide and the phone's, on the page as loaded."""
    where = f"{who} {urlsplit(page.url).path}"
    findings += [f"{where}: {violation}" for violation in axe_violations(page)]
    findings += [f"{where} at 1366 px: {item}" for item in beyond_viewport(page)]
    page.set_viewport_size(PHONE)
    page.evaluate(SETTLED)
    findings += [f"{where} at 390 px: {item}" for item in beyond_viewport(page)]
    page.set_viewport_size(WIDE)  # for the next page


def crawl_role(page, app, email: str, findings: list[str], *, language: str = "en",
               every: frozenset = frozenset()) -> list[str]:
    """Sign in as ``email`` and check every page reachable from the home page, one per endpoint (every page of
    the endpoints in ``every``); returns the endpoints seen."""
    adapter = app.url_map.bind("127.0.0.1")
    sign_in(page, email, PASSWORD, path=f"/login?lang={language}")
    assert page.locator("html").get_attribute("lang").startswith(language), email
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    queue, seen, visited, queued = deque(["/", SEARCH]), {"core.home", "core.search"}, [], {"/", SEARCH}
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(path)
        assert response.ok, f"{email} {path}: {response.status}"
        visited.append(path)
        # Charts draw after the page's load event: measure the page as people see it, with them drawn.
        page.wait_for_function(CHARTS_DRAWN)
        _check(page, findings, f"{email.split('@')[0]} ({language})")
        for href in page.eval_on_selector_all(
                "a[href]", "links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != origin:
                continue
            endpoint = _endpoint(adapter, parts.path)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if _is_page(endpoint) and (endpoint not in seen or endpoint in every and target not in queued):
                seen.add(endpoint)
                queued.add(target)
                queue.append(target)
    return sorted(seen)


def _survey_links(app) -> list[str]:
    """The open client wave's public link and one unused personal link of each open wave."""
    from core.extensions import db
    from surveys.models import Invitation, Wave, WaveStatus

    with app.app_context():
        waves = db.session.scalars(select(Wave).where(Wave.status == WaveStatus.OPEN)).all()
        links = [f"/s/w/{wave.public_token}" for wave in waves if wave.public_token]
        for wave in waves:
            token = db.session.scalar(select(Invitation.token).where(Invitation.wave_id == wave.id).limit(1))
            if token:
                links.append(f"/s/{token}")
        db.session.remove()
    return links


@pytest.fixture
def demo_app(live_app):
    result = live_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return live_app


@pytest.mark.browser_context_args(viewport=WIDE)
def test_every_page_of_every_role_is_accessible_and_fits_the_window(browser, new_context, demo_app):
    findings, reached = [], {}
    for email, language in ROLES.items():
        context = new_context()
        install_axe(context)
        # Each criterion's page shows its own evidence (tables, figures): all of them once, for the admin.
        every = EVERY_PAGE if email == "admin@demo.test" else frozenset()
        reached[email] = crawl_role(context.new_page(), demo_app, email, findings, language=language, every=every)
        context.close()
    context = new_context()
    install_axe(context)
    page = context.new_page()
    survey_links = _survey_links(demo_app)
    assert len(survey_links) >= 2, survey_links
    for link in survey_links:
        assert page.goto(link).ok, link
        page.wait_for_function(CHARTS_DRAWN)
        _check(page, findings, "public")
    context.close()

    # The crawl reached the pages the issue names, so that a broken link cannot make it pass by seeing less.
    assert {"loyalty.index", "voice.requirements", "voice.listening_costs", "processes.index",
            "processes.joint_map", "improvements.board", "evidence.criterion", "evidence.dashboard",
            "processes.diagram", "improvements.improvement_detail", "surveys.wave_results",
            "core.audit_trail", "accounts.users", "core.search"} <= set(reached["admin@demo.test"])
    assert {"processes.index", "evidence.criterion"} <= set(reached["reviewer@demo.test"])
    assert len(reached["member@demo.test"]) >= 10
    assert findings == [], f"{len(findings)} problems:\n" + "\n".join(findings)
