"""On PostgreSQL, after ANALYZE, no query of the census pages reruns a window per row: every SELECT the ranking
(filtered as in issue 17: class A, new, active), a client's page, the segmentation and the history run — read from
the kept ranking and from the window query — is EXPLAINed, and no plan has a window (WindowAgg) inside the inner
side of a nested loop or inside a subplan run per outer row."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select, text

from core.extensions import db
from loyalty import kept_ranking
from loyalty.models import Client
from loyalty.settings import current_settings
from loyalty.window import ranked
from tests.database import backend

pytestmark = pytest.mark.skipif(backend() != "postgresql", reason="EXPLAIN plans are PostgreSQL's; the suite runs on "
                                "SQLite here (FIDELIZA_TEST_DB=postgresql runs it)")

PAGES = ("/clients/?abc=A&tenure=new&status=active", "/clients/?abc=B&sort=name&dir=desc&population=all",
         "/clients/?status=active&sort=name&page=2", "/clients/?abc=C&tenure=loyal&typology=end_user&sort=share",
         "/clients/segments", "/clients/history?granularity=month", "/clients/history")


def windows_rerun(plan: dict) -> list[str]:
    """The nodes of a JSON plan under which a WindowAgg runs once per outer row (a nested loop's inner side, a
    subplan), named by their node type."""
    found = []

    def has_window(node):
        return node["Node Type"] == "WindowAgg" or any(has_window(child) for child in node.get("Plans", ()))

    def walk(node):
        for child in node.get("Plans", ()):
            per_row = (node["Node Type"] == "Nested Loop" and child.get("Parent Relationship") == "Inner") \
                or child.get("Parent Relationship") == "SubPlan"
            if per_row and has_window(child):
                found.append(f"{node['Node Type']} over {child['Node Type']}")
            walk(child)

    walk(plan["Plan"])
    return found


def explain(statement: str, parameters) -> dict:
    with db.engine.connect() as connection:
        return connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()[0]


@pytest.fixture
def census(app, make_client, exit_reasons):
    today = date.today()
    for n in range(60):
        make_client(f"P{n:03d}", joined=today - timedelta(days=40 * n + 1), figures={2024: (None, 10, 5 + n * n)},
                    left=today - timedelta(days=n) if n % 7 == 0 else None, segment=f"S{n % 3}")
    with app.app_context():
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return list(db.session.scalars(select(Client.id).order_by(Client.id).limit(2)))


def census_statements(app, client_as, urls) -> list[tuple[str, object]]:
    """Every SELECT the pages ran that reads the census, with its parameters."""
    member, seen = client_as("member"), []

    def note(conn, cursor, statement, parameters, context, executemany):
        reads_census = "clients" in statement or "kept_" in statement
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and reads_census:
            seen.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
    try:
        for url in urls:
            assert member.get(url).status_code == 200, url
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", note)
    return seen


@pytest.mark.parametrize("source", ["kept", "window"])
def test_no_census_page_reruns_a_window_per_row(app, client_as, census, monkeypatch, source):
    if source == "window":
        monkeypatch.setattr(kept_ranking, "kept", lambda *args, **kwargs: None)
    urls = [*PAGES, *(f"/clients/{client_id}" for client_id in census)]
    statements = census_statements(app, client_as, urls)
    assert len(statements) > len(urls)
    with app.app_context():
        assert any("kept_ranking_rows" in sql for sql, _params in statements) == (source == "kept")
        reruns = {sql: windows_rerun(explain(sql, params)) for sql, params in statements}
    assert {sql: found for sql, found in reruns.items() if found} == {}


def test_the_check_finds_a_window_rerun_per_row(app, census):
    """The check is not empty: a client's rank read through a subquery per client is a subplan over a window."""
    with app.app_context():
        table = ranked(2024, current_settings())
        per_client = select(Client.code, select(table.c.rank).where(table.c.client_id == Client.id)
                            .scalar_subquery())
        compiled = per_client.compile(db.engine)
        assert windows_rerun(explain(str(compiled), compiled.params))
