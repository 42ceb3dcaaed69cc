"""Importing the census: Spanish and English files, every bad row reported, all or nothing, upsert by code,
figures kept or replaced, clients missing from a full census proposed as lost, and the import history."""

import io
import re
from datetime import date

import pandas as pd
import pytest
from openpyxl import Workbook

from core.audit import AuditEntry
from core.extensions import db
from loyalty import census_import
from loyalty.models import CensusImport, Client, ClientYear, ExitReason
from loyalty.services import CensusRuleError

SPANISH = ("Código;Razón social;Tipología;Segmento;Zona;Fecha alta;Fecha baja;Motivo baja;Estratégico;"
           "Potencial;Compras;Margen\n"
           "C-001;Ferretería Ibáñez SL;Cliente intermedio;Pymes;Norte;15/03/2019;;;Sí;12.000,00;8.450,50;1.234,56\n"
           "C-002;María Peña;Usuario final;Particulares;Sur;01/02/2021;;;No;3.000;1.200;300,5\n"
           "C-003;Colegio de Arquitectos;Prescriptor;;Norte;10/10/2020;31/12/2023;Falta de contacto;;;;\n")
BAD_ROWS = ("C-004;Bad date;Usuario final;;;31/02/2024;;;;;;\n"                       # row 5
            "C-005;Not a number;Usuario final;;;01/01/2024;;;;n/d;100;10\n"           # row 6
            "C-006;Negative;Usuario final;;;01/01/2024;;;;-5;100;10\n"                # row 7
            "C-001;Duplicate;Usuario final;;;01/01/2024;;;;;;\n"                      # row 8
            ";No code;Usuario final;;;01/01/2024;;;;;;\n"                             # row 9
            "C-007;Exit before join;Usuario final;;;01/01/2024;01/01/2023;No uso;;;;\n"  # row 10
            "C-008;No typology;;;;01/01/2024;;;;;;\n"                                 # row 11
            "C-009;Odd reason;Usuario final;;;01/01/2020;01/01/2024;Aburrimiento;;;;\n")  # row 12


@pytest.fixture
def upload(app, client_as, exit_reasons):
    """A member who uploads files: ``upload(text_or_bytes, name=..., year=..., full=...)`` → check page URL."""
    member = client_as("member")

    def send(content, name="censo.csv", year=2024, full=False, encoding="cp1252"):
        data = content.encode(encoding) if isinstance(content, str) else content
        form = {"file": (io.BytesIO(data), name), "year": str(year)}
        if full:
            form["full_census"] = "y"
        response = member.post("/clients/import", data=form, content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"]

    send.client = member
    return send


def confirm(member, url, mapping_page, **extra):
    """Send the check page's confirmation form as the browser would (the mapping in hidden fields)."""
    fields = dict(re.findall(r'<input type="hidden" name="(column_\w+|census_version)" value="([^"]*)"',
                             mapping_page))
    return member.post(url, data={**fields, "confirm": "1", **extra})


def test_a_spanish_windows_file_is_mapped_checked_and_imported(app, upload):
    url = upload(SPANISH)
    page = upload.client.get(url).get_data(as_text=True)
    assert "No rows rejected" in page
    assert "2 new clients" not in page and "3 new clients" in page
    assert 'data-testid="import-preview"' in page and "Ferretería Ibáñez SL" in page
    response = confirm(upload.client, url, page)
    assert response.status_code == 302
    with app.app_context():
        clients = {c.code: c for c in db.session.query(Client)}
        assert clients["C-001"].typology.value == "intermediate" and clients["C-001"].strategic
        assert clients["C-003"].left_on == date(2023, 12, 31) and clients["C-003"].exit_reason.key == "lack_of_contact"
        figures = db.session.query(ClientYear).filter_by(client_id=clients["C-001"].id).one()
        assert (figures.year, figures.potential, figures.purchases, figures.margin) == (2024, 12000, 8450.5, 1234.56)
        assert db.session.query(ClientYear).count() == 2  # C-003 has no figures
        record = db.session.query(CensusImport).one()
        assert (record.rows, record.added, record.updated, record.figures_added, record.rejected) == (3, 3, 0, 2, 0)
        assert record.mapping["code"] == "Código" and record.mapping["joined_on"] == "Fecha alta"
        # The import is audited as one record; its bulk-written clients are not, one by one.
        assert db.session.query(AuditEntry).filter_by(entity_type="census_imports").count() >= 1
        assert db.session.query(AuditEntry).filter_by(entity_type="clients").count() == 0


def test_every_rejected_row_is_reported_and_nothing_is_written(app, upload):
    url = upload(SPANISH + BAD_ROWS)
    page = upload.client.get(url).get_data(as_text=True)
    assert "9 rows rejected" in page
    expected = [
        ("2", "Código", "C-001", "Code C-001 is also in row 8."),  # which of the two is wrong is the reader's call
        ("5", "Fecha alta", "31/02/2024", "is not a date like 31/12/2024"),
        ("6", "Potencial", "n/d", "“n/d” is not a number."),
        ("7", "Potencial", "-5", "“-5” is less than 0."),
        ("8", "Código", "C-001", "Code C-001 is also in row 2."),
        ("9", "Código", "", "A value is required."),
        ("10", "Fecha baja", "01/01/2023", "The exit date is before the client joined (01/01/2024)."),
        ("11", "Tipología", "", "A new client needs its typology"),
        ("12", "Motivo baja", "Aburrimiento", "is not one of: Poor service, Lack of contact"),
    ]
    report = upload.client.get(url + "?report=csv").get_data().decode("utf-8-sig")
    lines = report.splitlines()[1:]
    for (row, column, value, message), line in zip(expected, lines, strict=True):
        cells = line.split(";", 3)
        assert cells[:3] == [row, column, value] and message in cells[3], line
    assert "Nothing can be imported until every row is correct." in page
    assert confirm(upload.client, url, page).status_code == 200  # refused: still the check page
    with app.app_context():
        assert db.session.query(Client).count() == 0 and db.session.query(ClientYear).count() == 0
        assert db.session.query(CensusImport).one().rejected == 9


@pytest.mark.parametrize("chunk", [None, 1], ids=["one piece", "a row per piece"])
def test_reimporting_updates_by_code_keeps_what_is_empty_and_asks_before_replacing_figures(app, upload, chunk,
                                                                                          monkeypatch):
    if chunk:  # a census of 10⁶ rows is written in pieces: new and known clients, fresh and recorded figures mix
        monkeypatch.setattr(census_import, "WRITE_CHUNK", chunk)
        monkeypatch.setattr(census_import, "LOOKUP_BATCH", chunk)
    first = upload(SPANISH)
    confirm(upload.client, first, upload.client.get(first).get_data(as_text=True))
    # An English export with other headers the mapping guesses; C-001 renamed, new margin; C-002 absent.
    english = ("Customer code,Company,Client since,Region,Purchases,Margin\n"
               "C-001,Ferretería Ibáñez SA,15/03/2019,,\"9,000.00\",\"1,500.00\"\n"
               "C-010,New Co,01/06/2024,East,100,10\n")
    second = upload(english, name="export.csv", encoding="utf-8")
    page = upload.client.get(second).get_data(as_text=True)
    assert "A new client needs its typology" in page  # C-010: the file has no typology column
    english = english.replace("Client since,", "Type,Client since,").replace("C-001,Ferretería Ibáñez SA,",
                                                                             "C-001,Ferretería Ibáñez SA,,")
    english = english.replace("C-010,New Co,", "C-010,New Co,end user,")
    third = upload(english, name="export.csv", encoding="utf-8")
    page = upload.client.get(third).get_data(as_text=True)
    assert "1 clients already have different figures" in page or "have different figures recorded" in page
    confirm(upload.client, third, page, existing="keep")
    with app.app_context():
        ferreteria = db.session.query(Client).filter_by(code="C-001").one()
        assert ferreteria.name == "Ferretería Ibáñez SA" and ferreteria.region == "Norte"  # empty cell kept
        assert ferreteria.typology.value == "intermediate" and ferreteria.version == 2
        assert ferreteria.years[0].margin == 1234.56  # kept
        record = db.session.query(CensusImport).order_by(CensusImport.id.desc()).first()
        assert (record.added, record.updated, record.figures_added, record.figures_kept) == (1, 1, 1, 1)
    fourth = upload(english, name="export.csv", encoding="utf-8")
    confirm(upload.client, fourth, upload.client.get(fourth).get_data(as_text=True), existing="replace")
    with app.app_context():
        assert db.session.query(Client).filter_by(code="C-001").one().years[0].margin == 1500.0


def test_the_mapping_chosen_is_remembered_for_the_next_file(app, upload):
    odd = "Cliente nº;Denominación;Tipo;Desde\nX-1;Uno;prescriptor;01/01/2020\n"
    url = upload(odd)
    mapping = {"column_code": "Cliente nº", "column_name": "Denominación", "column_typology": "Tipo",
               "column_joined_on": "Desde"}
    checked = upload.client.post(url, data=mapping).get_data(as_text=True)
    confirm(upload.client, url, checked)
    with app.app_context():
        assert db.session.query(Client).filter_by(code="X-1").one().name == "Uno"
    page = upload.client.get(upload(odd.replace("X-1;Uno", "X-2;Dos"))).get_data(as_text=True)
    assert re.search(r'<option selected value="Cliente nº">|<option value="Cliente nº" selected>', page)
    assert "No rows rejected" in page


def test_clients_missing_from_a_full_census_are_proposed_and_confirmed_as_lost(app, upload, exit_reasons):
    first = upload(SPANISH)
    confirm(upload.client, first, upload.client.get(first).get_data(as_text=True))
    only_one = SPANISH.splitlines()[0] + "\n" + SPANISH.splitlines()[1] + "\n"
    full = upload(only_one, full=True)
    response = confirm(upload.client, full, upload.client.get(full).get_data(as_text=True))
    done = response.headers["Location"]
    page = upload.client.get(done).get_data(as_text=True)
    assert "1 current client was not in the file" in page and "C-002" in page
    assert "C-003" not in page  # already lost
    with app.app_context():
        c002 = db.session.query(Client).filter_by(code="C-002").one().id
    refused = upload.client.post(done, data={"left_on": "2020-01-01", "reason": exit_reasons["no_use"],
                                             "client": str(c002), "scope": "chosen"}, follow_redirects=True)
    assert "before the client joined" in refused.get_data(as_text=True)
    upload.client.post(done, data={"left_on": "2024-06-30", "reason": exit_reasons["no_use"], "scope": "all"})
    with app.app_context():
        client = db.session.get(Client, c002)
        assert client.left_on == date(2024, 6, 30) and client.exit_reason_id == exit_reasons["no_use"]
        assert db.session.query(Client).count() == 3  # nothing deleted
        assert db.session.query(CensusImport).order_by(CensusImport.id.desc()).first().marked_lost == 1
        assert db.session.query(AuditEntry).filter_by(entity_type="clients", entity_id=str(c002)).count() == 1
    assert "Every current client is in the file" in upload.client.get(done).get_data(as_text=True)
    history = upload.client.get("/clients/imports").get_data(as_text=True)
    assert "full census" in history and "censo.csv" in history


def test_confirm_lost_takes_only_proposed_clients_and_all_or_none(app, upload, exit_reasons):
    """The service behind the page: ids outside the proposal are ignored, and one refusal records nobody."""
    first = upload(SPANISH)
    confirm(upload.client, first, upload.client.get(first).get_data(as_text=True))
    full = upload(SPANISH.splitlines()[0] + "\n" + SPANISH.splitlines()[1] + "\n", full=True)
    confirm(upload.client, full, upload.client.get(full).get_data(as_text=True))
    with app.app_context():
        record = db.session.query(CensusImport).order_by(CensusImport.id.desc()).first()
        listed = db.session.query(Client).filter_by(code="C-001").one()
        absent = db.session.query(Client).filter_by(code="C-002").one()
        reason = db.session.get(ExitReason, exit_reasons["no_use"])
        assert census_import.confirm_lost(record, [listed.id], date(2024, 6, 30), reason) == 0
        with pytest.raises(CensusRuleError, match="^C-002: The exit date 1/1/2020 is before"):
            census_import.confirm_lost(record, None, date(2020, 1, 1), reason)
        db.session.rollback()
        assert db.session.get(Client, absent.id).left_on is None
        assert census_import.confirm_lost(record, None, date(2024, 6, 30), reason) == 1
        assert (listed.left_on, absent.left_on, record.marked_lost) == (None, date(2024, 6, 30), 1)


def test_an_english_xlsx_is_imported(app, upload):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Client code", "Name", "Type", "Joined", "Year", "Potential", "Revenue", "Margin"])
    sheet.append(["E-1", "Acme Ltd", "intermediate", date(2018, 5, 1), 2023, 5000, 2500.5, 400])
    buffer = io.BytesIO()
    workbook.save(buffer)
    url = upload(buffer.getvalue(), name="census.xlsx")
    page = upload.client.get(url).get_data(as_text=True)
    assert "No rows rejected" in page
    confirm(upload.client, url, page)
    with app.app_context():
        acme = db.session.query(Client).filter_by(code="E-1").one()
        assert acme.joined_on == date(2018, 5, 1) and [(y.year, y.purchases) for y in acme.years] == [(2023, 2500.5)]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("censo.pdf", b"%PDF-1.4", "are not accepted here"),
    ("censo.csv", b"\x00\x01\x02binary", "is not a text file"),
])
def test_files_of_the_wrong_type_are_refused(client_as, exit_reasons, name, data, message):
    response = client_as("member").post("/clients/import", data={"file": (io.BytesIO(data), name), "year": "2024"},
                                        content_type="multipart/form-data")
    assert response.status_code == 200 and message in response.get_data(as_text=True)


@pytest.mark.parametrize("app_overrides", [{"UPLOAD_MAX_BYTES": 100}])
def test_a_file_over_the_size_limit_is_refused(client_as, app_overrides):
    response = client_as("member").post("/clients/import", data={"file": (io.BytesIO(SPANISH.encode()), "c.csv"),
                                                                 "year": "2024"}, content_type="multipart/form-data")
    assert "is larger than the limit" in response.get_data(as_text=True)


def test_only_the_uploader_sees_a_pending_import_and_reviewers_cannot_import(upload, client_as):
    url = upload(SPANISH)
    assert client_as("member").get(url).status_code == 404
    assert client_as("reviewer").post("/clients/import", data={}).status_code == 403


def _report(app, text, *, year=2024):
    """The check's problems for a file, as (row, column, value, message), without going through the views."""
    from core.imports.frames import read_frame
    from loyalty import census_import

    with app.test_request_context():
        table = read_frame(text.encode(), "censo.csv")
        plan = census_import.check(table, census_import.SPEC.guess_mapping(table.headers), year=year,
                                   full_census=False)
        return [(e.row, e.column, e.shown_value, e.message) for e in plan.result.errors], plan


def test_the_rows_own_checks_report_each_row_with_its_reason(app, exit_reasons, make_client):
    make_client("LOST", joined=date(2015, 1, 1), left=date(2019, 6, 30), reason_id=exit_reasons["no_use"])
    make_client("KEPT", joined=date(2015, 1, 1))
    header = "Código;Nombre;Tipología;Fecha alta;Fecha baja;Motivo baja;Año;Potencial;Compras\n"
    problems, _plan = _report(app, header + (
        "A;Uno;final;01/01/2020;;;2023;10;5\n"                    # row 2: its code is repeated below
        "A;Dos;final;01/01/2020;;;;;\n"                           # row 3: repeated code
        "B;Tres;final;01/01/2020;01/01/2999;;;;\n"                # row 4: exit in the future
        "C;Cuatro;final;01/01/2020;;No uso;;;\n"                  # row 5: a reason without an exit date
        "D;Cinco;final;01/01/2020;;;;100;\n"                      # row 6: figures without purchases
        "LOST;Seis;;01/01/2020;;;;;\n"                            # row 7: lost in 2019, joined in 2020
        "LOST;Siete;;01/01/2018;;;;;\n"                           # row 8: repeated (and joined before the exit)
        "KEPT;Ocho;;01/01/2020;;;;;\n"                            # row 9: known, no typology needed
        "A;Nueve;final;01/01/2020;01/01/2019;Aburrimiento;;;\n"))  # row 10: three problems
    assert problems == [
        (2, "Código", "A", "Code A is also in rows 3, 10."),
        (3, "Código", "A", "Code A is also in rows 2, 10."),
        (4, "Fecha baja", "01/01/2999", "The exit date cannot be in the future."),
        (5, "Motivo baja", "No uso", "An exit reason needs the exit date."),
        (6, "Compras", "", "Purchases are needed with the other figures."),
        (7, "Código", "LOST", "Code LOST is also in row 8."),
        (7, "Fecha alta", "01/01/2020", "The client is recorded as lost on 30/06/2019, before this join date."),
        (8, "Código", "LOST", "Code LOST is also in row 7."),
        # A reason the list lacks is a cell that does not fit its column: its problem comes first.
        (10, "Motivo baja", "Aburrimiento", "“Aburrimiento” is not one of: Poor service, Lack of contact, "
                                            "Dissatisfaction, No renewal, Personal reasons, No use, Cancelled for "
                                            "non-payment, Moved to a competitor."),
        (10, "Código", "A", "Code A is also in rows 2, 3."),
        (10, "Fecha baja", "01/01/2019", "The exit date is before the client joined (01/01/2020)."),
    ]
    problems, _plan = _report(app, "Código;Nombre;Tipología;Fecha alta;Potencial\nE;Uno;final;01/01/2020;10\n")
    assert problems == [(2, None, "", "The file has no purchases column, which the yearly figures need.")]


def test_a_checked_plan_says_what_the_import_will_do(app, exit_reasons, make_client):
    make_client("KEPT", joined=date(2015, 1, 1), figures={2023: (10, 5, 1), 2024: (10, 5, 1)})
    header = "Código;Nombre;Tipología;Fecha alta;Fecha baja;Motivo baja;Año;Potencial;Compras;Margen\n"
    problems, plan = _report(app, header + (
        "KEPT;Uno;;01/01/2015;;;2023;10;5;1\n"         # the same figures as recorded
        "KEPT2;Dos;final;01/01/2020;;;;;;\n"
        "KEPT3;Tres;final;01/01/2020;31/12/2023;No uso;2022;1;2;3\n"))
    assert problems == []
    assert (plan.new_clients, plan.known_clients, plan.with_figures, plan.leaving) == (2, 1, 2, 1)
    assert list(plan.rows["figures_year"]) == [2023, 2024, 2022]
    assert [None if pd.isna(v) else v for v in plan.rows["exit_reason_id"]] == [None, None, exit_reasons["no_use"]]
    assert (plan.figures_recorded, plan.figures_differing) == (1, 0)


def test_a_bulk_import_leaves_every_index_of_the_census_as_it_was(app, upload):
    from sqlalchemy import inspect

    def indexes():
        with app.app_context():
            inspector = inspect(db.engine)
            return {table: sorted(map(repr, inspector.get_indexes(table))) for table in ("clients", "client_years")}

    before = indexes()
    assert len(before["clients"]) >= 6
    url = upload(SPANISH)  # into an empty census: on SQLite the indexes are built after the rows
    confirm(upload.client, url, upload.client.get(url).get_data(as_text=True))
    assert indexes() == before
    with app.app_context():
        assert db.session.query(Client).count() == 3


def test_the_preview_shows_choices_by_their_labels_not_their_stored_values(app, upload):
    page = upload.client.get(upload(SPANISH)).get_data(as_text=True)
    preview = page.split('data-testid="import-preview"', 1)[1].split("</table>", 1)[0]
    assert "Intermediate client" in preview and "End user" in preview
    assert "intermediate" not in preview.replace("Intermediate", "") and "end_user" not in preview
    assert "€8,450.50" in preview and "€1,234.56" in preview and "€300.50" in preview and "€12,000<" in preview
    spanish = upload.client.get(upload(SPANISH), headers={"Accept-Language": "es"}).get_data(as_text=True)
    preview = spanish.split('data-testid="import-preview"', 1)[1].split("</table>", 1)[0]
    assert "Cliente intermedio" in preview and "8.450,50\xa0€" in preview and "300,50\xa0€" in preview


def test_on_postgresql_an_import_ends_with_analyze_of_the_tables_it_wrote(app, upload):
    from sqlalchemy import text

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's statistics")

    def analyses():
        with app.app_context(), db.engine.connect() as connection:
            connection.execute(text("SELECT pg_stat_clear_snapshot()"))
            return dict(connection.execute(text(
                "SELECT relname, analyze_count FROM pg_stat_user_tables WHERE relname IN ('clients', 'client_years')"
            )).all())

    before = analyses()
    url = upload(SPANISH)
    confirm(upload.client, url, upload.client.get(url).get_data(as_text=True))
    after = analyses()
    assert {name: after[name] - before[name] for name in after} == {"clients": 1, "client_years": 1}
