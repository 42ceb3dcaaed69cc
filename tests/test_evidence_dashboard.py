"""The E1 dashboard: indicators grouped by kind with traffic lights, trends and comparisons, filtered; the number
of SQL statements does not grow with the number of indicators."""

from datetime import date

from sqlalchemy import event

from core.extensions import db
from processes.models import Benchmark, IndicatorKind, Target

MONTHS = [date(2025, m, 1) for m in range(1, 7)]


def count_statements(app, client, url) -> int:
    with app.app_context():
        engine = db.engine
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def add_indicators(app, make_indicator, process_id, start, count):
    for n in range(start, start + count):
        indicator_id = make_indicator(process_id, code=f"IND{n:02d}", values={m: 50.0 + n for m in MONTHS},
                                      kind=IndicatorKind.PERCEPTION if n % 2 else IndicatorKind.PERFORMANCE)
        with app.app_context():
            db.session.add(Target(indicator_id=indicator_id, valid_from=MONTHS[0], value=55))
            db.session.add(Benchmark(indicator_id=indicator_id, source="Sector", period=MONTHS[0], value=52))
            db.session.commit()


def test_the_statement_count_does_not_grow_with_the_indicators(app, client_as, make_process, make_indicator):
    client = client_as("reviewer")
    process_id = make_process(code="P01")
    add_indicators(app, make_indicator, process_id, 1, 2)
    client.get("/evidence/dashboard")  # first request of the app: schema check, shipped sets
    few = count_statements(app, client, "/evidence/dashboard")
    add_indicators(app, make_indicator, process_id, 3, 12)
    many = count_statements(app, client, "/evidence/dashboard")
    assert many == few


def test_groups_traffic_lights_trends_comparisons_and_filters(app, client_as, make_programme, make_process,
                                                              make_indicator):
    client = client_as("member")
    loyalty, sales = make_programme(code="FID"), make_programme(code="COM", certified=False)
    ours, theirs = make_process(code="FID-1", programme_id=loyalty), make_process(code="COM-1", programme_id=sales)
    add_indicators(app, make_indicator, ours, 1, 2)  # IND01 perception (51 ≥ 55? no), IND02 performance
    make_indicator(theirs, code="OTHER", values={MONTHS[0]: 1.0})
    page = client.get("/evidence/dashboard").get_data(as_text=True)
    perception = page.split('data-testid="dashboard-perception"')[1].split("</section>")[0]
    performance = page.split('data-testid="dashboard-performance"')[1].split("</section>")[0]
    assert 'data-indicator="IND01"' in perception and 'data-indicator="IND02"' in performance
    assert 'data-status="off_target"' in perception  # 51 against a target of 55, no alert threshold
    assert "Sector: 52" in perception
    assert 'id="spark-' in perception and "data-chart-spec" in perception
    assert 'data-indicator="OTHER"' in performance
    filtered = client.get(f"/evidence/dashboard?programme_id={loyalty}").get_data(as_text=True)
    assert 'data-indicator="OTHER"' not in filtered and 'data-indicator="IND02"' in filtered
    by_process = client.get(f"/evidence/dashboard?process_id={theirs}").get_data(as_text=True)
    assert 'data-indicator="OTHER"' in by_process and 'data-indicator="IND01"' not in by_process


def test_the_history_e1_asks_is_the_criteria_sets_and_shorter_ones_are_marked(app, client_as, make_process,
                                                                              make_indicator):
    """Six periods of history: short of E1's default of 12, enough when the set in use asks for 6."""
    from evidence.criteria_sets import current_set, ensure_builtin_sets

    add_indicators(app, make_indicator, make_process(code="P01"), 1, 1)
    client = client_as("reviewer")
    page = client.get("/evidence/dashboard").get_data(as_text=True)
    assert "at least 12 periods of history" in page and 'data-testid="short-history">6<' in page
    with app.app_context():
        ensure_builtin_sets()
        next(c for c in current_set().criteria if c.code == "E1").thresholds = {"history_periods": 6}
        db.session.commit()
    page = client.get("/evidence/dashboard").get_data(as_text=True)
    assert "at least 6 periods of history" in page and 'data-testid="short-history"' not in page
