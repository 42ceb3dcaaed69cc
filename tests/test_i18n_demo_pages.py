"""The demo read in Spanish: no page writes a number or a date the English or the machine way ("-50.5 %",
"(-20.1 %)", "Detectada el 2024-09-01") in its text."""

import re
from collections import deque

from sqlalchemy import select

from core.extensions import db
from core.models import User
from tests.conftest import sign_in

#: An English decimal (a dot before one or two digits: in Spanish the dot groups thousands, always three), a
#: signed English decimal, an ISO date, a two-digit year, a 12-hour clock.
ENGLISH_FORMATS = re.compile(r"(?<![\d.,])[+-]?\d+\.\d{1,2}(?![\d.])\s?%?|(?<![\w-])\d{4}-\d\d-\d\d(?![\w-])|"
                             r"(?<![\d/])\d{1,2}/\d{1,2}/\d\d(?![\d/])|\b\d{1,2}:\d\d\s?[AP]M\b")
#: Pages not read: files, forms and the import pages (which show every format a file may use).
SKIP = re.compile(r"/static/|logout|export|\.csv|\.xlsx|\.svg|\.pdf|template|download|/file|/edit|/new|/delete|"
                  r"/remove|/logo|/print|/forget|/retire|/state|/import|lang=|\?")
START = ("/", "/processes/", "/processes/list", "/processes/interfaces", "/clients/", "/clients/history",
         "/clients/complaints", "/clients/requirements", "/clients/listening", "/clients/listening/worth-it",
         "/clients/segments", "/surveys/", "/improvements/", "/improvements/board", "/improvements/c1",
         "/evidence/", "/evidence/dashboard", "/evidence/packs", "/audit")


def page_text(html: str) -> str:
    """What a reader reads: no scripts, styles, drawings, attributes or form values."""
    html = re.sub(r"<(script|style|svg|textarea)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def crawl(browser, limit: int = 70):
    """The demo's pages, following links from the main ones; one page of each address shape (``/clients/N``)."""
    queue, seen, shapes = deque(START), set(), set()
    while queue and len(seen) < limit:
        url = queue.popleft()
        shape = re.sub(r"\d+", "N", url)
        if url in seen or shape in shapes:
            continue
        seen.add(url)
        shapes.add(shape)
        response = browser.get(url)
        html = response.get_data(as_text=True) if response.status_code == 200 else ""
        response.close()
        if "<html" not in html:
            continue
        queue.extend(href for href in re.findall(r'href="(/[^"#]*)"', html) if not SKIP.search(href))
        yield url, page_text(html)


def test_the_demo_in_spanish_writes_numbers_and_dates_the_spanish_way(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))
        coordinator.language = "es"
        db.session.commit()
        browser = sign_in(app.test_client(), coordinator)
    found, pages = [], 0
    for url, text in crawl(browser):
        pages += 1
        found += [f"{url}: …{text[max(0, m.start() - 40):m.end() + 20]}…" for m in ENGLISH_FORMATS.finditer(text)]
    assert pages > 40
    assert found == [], "\n".join(found[:30])


def test_the_check_finds_what_it_looks_for():
    for english in ("Variación -50.5 %", "(-20.1 %)", "Detectada el 2024-09-01", "el 12/3/26", "10:33 AM",
                    "7.55 → 3.74 días"):
        assert ENGLISH_FORMATS.search(english), english
    for spanish in ("Variación -50,5 %", "(-20,1 %)", "Detectada el 1/9/2024", "3/12/2026, 10:33", "1.234,5 €",
                    "12.345 clientes", "periodo 2024-03", "IND-2024-01", "versión 2"):
        assert not ENGLISH_FORMATS.search(spanish), spanish
