"""The audit trail as a certifier reads it: labels, names with links, one time zone, filters, export, queries."""

import csv
import io
from datetime import datetime

from sqlalchemy import event

from core.audit import acting_as
from core.extensions import db
from evidence.models import CriteriaSet
from processes.models import Process, ProcessKind


def results(client, url) -> str:
    """The table of entries of a trail page (not its filter menus)."""
    page = client.get(url).get_data(as_text=True)
    return page.partition('data-testid="audit-results"')[2].partition("</section>")[0]


def test_fields_values_and_references_read_in_the_readers_language(app, make_user, make_process, client_as):
    owner = make_user("member", name="Olga Owner")
    process_id = make_process(name="Complaints", kind=ProcessKind.KEY, owner_id=owner.id)
    with app.app_context():
        db.session.get(Process, process_id).kind = ProcessKind.SUPPORT
        db.session.commit()
    english = results(client_as("coordinator", language="en"), f"/audit?entity_type=processes&entity_id={process_id}")
    assert "<dt>Type</dt>" in english and "<del>Key</del> → Support" in english  # enum labels, not "key"
    assert "<dt>Owner</dt>" in english and "Olga Owner" in english  # the person, not "2"
    assert f'<a href="/processes/{process_id}">P01 · Complaints</a>' in english  # the record, linked
    assert f"<dd>{owner.id}</dd>" not in english
    spanish = results(client_as("coordinator", language="es"), f"/audit?entity_type=processes&entity_id={process_id}")
    assert "<dt>Tipo</dt>" in spanish and "<del>Clave</del> → De soporte" in spanish and "Responsable" in spanish


def test_a_translated_json_column_reads_as_text_and_times_in_the_organisations_zone(app, client_as):
    with app.app_context():
        db.session.add(CriteriaSet(code="SET-1", name={"es": "Gestión con datos", "en": "Managing with data"},
                                   created_at=datetime(2025, 1, 15, 12, 0)))  # UTC: 13:00 in Madrid
        db.session.commit()
    page = client_as("reviewer", language="en").get("/audit").get_data(as_text=True)
    trail = page.partition('data-testid="audit-results"')[2]
    assert "Managing with data" in trail and "{" not in trail.partition("</table>")[0].replace("{%", "")
    assert "1/15/2025, 1:00\u202fPM" in trail and "12:00" not in trail
    assert "Spain (Madrid) Time (Europe/Madrid)" in page.partition('data-testid="audit-zone"')[2][:120]
    spanish = results(client_as("reviewer", language="es"), "/audit")
    assert "Gestión con datos" in spanish and "15/1/2025, 13:00" in spanish


def test_the_trail_filters_by_record_person_kind_change_and_day_of_the_organisations_zone(
        app, make_user, make_process, client_as):
    alice, bob = make_user("coordinator", name="Alice"), make_user("coordinator", name="Bob")
    with app.app_context():
        with acting_as(alice):
            first = make_process(name="First")
        with acting_as(bob):
            make_process(name="Second")
            db.session.get(Process, first).name = "First renamed"
            db.session.commit()
    reader = client_as("reviewer", language="en")
    assert "Second" not in results(reader, f"/audit?entity_type=processes&entity_id={first}")
    by_bob = results(reader, f"/audit?actor={bob.id}&entity_type=processes")
    assert "Second" in by_bob and "First renamed" in by_bob and ">P01 · First</a>" not in by_bob
    changed = results(reader, "/audit?entity_type=processes&action=update")
    assert "First renamed" in changed and "Second" not in changed


def test_the_day_filters_are_days_of_the_organisations_time_zone(app, make_process, client_as, monkeypatch):
    with monkeypatch.context() as clock:  # 23:30 UTC on 31 December is already 1 January in Madrid
        clock.setattr("core.audit.utcnow", lambda: datetime(2025, 12, 31, 23, 30))
        make_process(name="New year")
    reader = client_as("reviewer", language="en")
    assert "New year" in results(reader, "/audit?date_from=2026-01-01&date_to=2026-01-01")
    assert "New year" not in results(reader, "/audit?date_from=2025-12-31&date_to=2025-12-31")


def test_every_record_page_links_to_its_own_history(app, make_process, client_as):
    process_id = make_process()
    coordinator = client_as("coordinator", language="en")
    page = coordinator.get(f"/processes/{process_id}").get_data(as_text=True)
    link = f'href="/audit?entity_type=processes&amp;entity_id={process_id}"'
    assert 'data-testid="history-link"' in page and link in page
    history = coordinator.get(f"/audit?entity_type=processes&entity_id={process_id}").get_data(as_text=True)
    assert "History of process" in history.partition('data-testid="audit-record"')[2][:200]


def test_the_filtered_trail_exports_to_csv_and_xlsx_in_the_readers_words(app, make_user, make_process, client_as):
    owner = make_user("member", name="Olga Owner")
    make_process(name="Exported", owner_id=owner.id)
    make_process(name="Filtered out")
    reader = client_as("reviewer", language="en")
    response = reader.get("/audit/export.csv?entity_type=processes&entity_id=1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Entry", "When (Spain (Madrid) Time (Europe/Madrid))", "Who"]
    assert ["Owner", "", "Olga Owner"] in [row[6:9] for row in body]
    assert all(row[5] == "P01 · Exported" for row in body) and len(body[0][9]) == 64  # each row with its seal
    xlsx = reader.get("/audit/export.xlsx?entity_type=processes")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def count_statements(app, client, url) -> int:
    with app.app_context():
        engine = db.engine
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def test_the_names_of_a_page_are_read_in_one_query_per_table_whatever_the_number_of_entries(
        app, make_user, make_process, client_as):
    reader = client_as("reviewer", language="en")

    def add(number):
        for _ in range(number):
            make_process(owner_id=make_user("member").id)

    add(2)
    reader.get("/audit")  # the first request of an app also checks the schema
    few = count_statements(app, reader, "/audit")
    add(10)
    many = count_statements(app, reader, "/audit")
    assert many == few


def test_the_home_page_names_records_and_says_the_time_zone(app, make_process, client_as):
    process_id = make_process(name="On the home page")
    page = client_as("coordinator", language="en").get("/").get_data(as_text=True)
    recent = page.partition('data-testid="recent-changes"')[2].partition("</section>")[0]
    assert f'<a href="/processes/{process_id}">P01 · On the home page</a>' in recent
    assert "Times are in Spain (Madrid) Time (Europe/Madrid)." in recent


def test_a_member_cannot_export_the_trail(client_as):
    assert client_as("member").get("/audit/export.csv").status_code == 403
