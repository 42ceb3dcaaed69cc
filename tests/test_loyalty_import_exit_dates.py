"""A census file never moves a client's exit date silently: the check page lists every change old → new, the
recorded date stays unless its own tick confirms the change, and every exit date an import writes joins the
client's state-change history — in one statement, whatever the number of clients."""

from datetime import date

from sqlalchemy import select

from core import transitions
from core.extensions import db
from core.models import User
from loyalty import census_import, services
from loyalty.models import CensusImport, Client
from tests.test_loyalty_import import SPANISH, confirm, upload  # noqa: F401 (upload: the fixture)

HEADER = SPANISH.splitlines()[0]
#: C-003 left on 31/12/2023 in SPANISH; here the file says 30/06/2024, and C-002 leaves for the first time.
LATER = (HEADER + "\n"
         "C-002;María Peña;Usuario final;Particulares;Sur;01/02/2021;15/01/2025;Falta de contacto;No;;;\n"
         "C-003;Colegio de Arquitectos;Prescriptor;;Norte;10/10/2020;30/06/2024;Falta de contacto;;;;\n")


def _exit_history(code: str) -> list[tuple]:
    client = db.session.scalar(select(Client).where(Client.code == code))
    return [(row.from_value, row.to_value, row.actor_id, row.reason)
            for row in transitions.history(services.CLIENT_HISTORY_KIND, client.id) if row.field == services.EXIT_DATE]


def _imported(app, upload, content=SPANISH, **extra):  # noqa: F811
    url = upload(content)
    page = upload.client.get(url).get_data(as_text=True)
    response = confirm(upload.client, url, page, **extra)
    assert response.status_code == 302, response.get_data(as_text=True)
    return page


def _member_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(CensusImport.actor_id).order_by(CensusImport.id.desc()).limit(1))


def test_a_first_exit_from_a_file_joins_the_clients_history(app, upload):  # noqa: F811
    _imported(app, upload)
    member = _member_id(app)
    with app.app_context():
        assert _exit_history("C-003") == [(None, "2023-12-31", member, "Exit recorded by the census import "
                                                                       "“censo.csv”.")]
        assert _exit_history("C-001") == []  # a current client: nothing to record


def test_the_check_page_lists_each_exit_date_the_file_would_change_and_without_the_tick_keeps_it(app, upload):  # noqa: F811
    _imported(app, upload)
    url = upload(LATER)
    page = upload.client.get(url).get_data(as_text=True)
    assert 'data-testid="exit-date-changes"' in page
    assert 'name="exit_dates_changed"' in page
    listed = page[page.index('data-testid="exit-date-changes"'):page.index("</table>",
                                                                          page.index('data-testid="exit-date-changes"'))]
    assert '<tr data-code="C-003">' in listed and "12/31/2023" in listed and "6/30/2024" in listed
    assert "C-002" not in listed  # a first exit is no change of a recorded date

    assert confirm(upload.client, url, page).status_code == 302  # no tick
    member = _member_id(app)
    with app.app_context():
        clients = {c.code: c for c in db.session.scalars(select(Client))}
        assert clients["C-003"].left_on == date(2023, 12, 31)  # the first exit date stays
        assert clients["C-002"].left_on == date(2025, 1, 15)  # the rest of the file is imported
        assert [row[:2] for row in _exit_history("C-003")] == [(None, "2023-12-31")]  # no change recorded
        assert _exit_history("C-002") == [(None, "2025-01-15", member, "Exit recorded by the census import "
                                                                      "“censo.csv”.")]


def test_a_ticked_exit_date_change_is_made_and_kept_in_the_history(app, upload):  # noqa: F811
    _imported(app, upload)
    _imported(app, upload, LATER, exit_dates_changed="1")
    member = _member_id(app)
    with app.app_context():
        assert db.session.scalar(select(Client.left_on).where(Client.code == "C-003")) == date(2024, 6, 30)
        assert _exit_history("C-003")[-1] == (
            "2023-12-31", "2024-06-30", member,
            "Exit date changed by the census import “censo.csv”, confirmed on its check page.")
        # The same file again changes nothing more, and asks nothing.
    url = upload(LATER)
    page = upload.client.get(url).get_data(as_text=True)
    assert 'data-testid="exit-date-changes"' not in page and 'name="exit_dates_changed"' not in page


def test_a_client_brought_back_keeps_the_exit_date_its_history_keeps(app, upload, make_user):  # noqa: F811
    _imported(app, upload)
    coordinator = make_user("coordinator")
    with app.app_context():
        client = db.session.scalar(select(Client).where(Client.code == "C-003"))
        services.reinstate(client, actor=db.session.get(User, coordinator.id), reason="Came back",
                           confirmed=True)
        db.session.commit()
    url = upload(LATER)
    page = upload.client.get(url).get_data(as_text=True)
    assert '<tr data-code="C-003">' in page  # 31/12/2023 (kept in its history) → 30/06/2024
    confirm(upload.client, url, page)
    with app.app_context():
        assert db.session.scalar(select(Client.left_on).where(Client.code == "C-003")) == date(2023, 12, 31)
        assert [row[:2] for row in _exit_history("C-003")] == [(None, "2023-12-31"), ("2023-12-31", None),
                                                               (None, "2023-12-31")]
        client = db.session.scalar(select(Client).where(Client.code == "C-003"))
        assert services.kept_exit_date(client) == date(2023, 12, 31)


def _history_inserts(app, monkeypatch, rows: int) -> tuple[int, int]:
    """Import ``rows`` new clients who all left; (bulk writes into state_changes, history rows written). The
    history goes through the driver's executemany (COPY on PostgreSQL): one statement per call."""
    lines = [HEADER] + [f"N-{n:04d};Cliente {n};Usuario final;;;01/01/2020;31/03/2024;Falta de contacto;;;;"
                        for n in range(rows)]
    from core.imports.frames import read_frame

    calls = []
    real = transitions.bulk_insert

    def counted(connection, table, columns):
        if table.name == "state_changes":
            calls.append(len(columns["record_id"]))
        return real(connection, table, columns)

    monkeypatch.setattr(transitions, "bulk_insert", counted)
    with app.app_context():
        table = read_frame(("\n".join(lines) + "\n").encode("utf-8"), "censo.csv")
        mapping = census_import.initial_mapping(census_import.SPEC, table.headers, {})
        plan = census_import.check(table, mapping, year=2024, full_census=False)
        assert plan.result.ok, plan.result
        record = CensusImport(filename="censo.csv", year=2024, mapping=mapping)
        db.session.add(record)
        db.session.flush()
        census_import.apply(plan, record, replace_figures=False)
        written = db.session.scalar(select(db.func.count()).select_from(transitions.StateChange))
        db.session.rollback()
        return len(calls), written


def test_the_history_of_an_import_is_written_in_one_statement_whatever_its_size(app, exit_reasons, monkeypatch):
    assert _history_inserts(app, monkeypatch, 3) == (1, 3)
    assert _history_inserts(app, monkeypatch, 60) == (1, 60)
