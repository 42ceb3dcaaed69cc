"""The import wizard, for each of its importers: a check page read twice writes nothing and parses the file at most
once, and the problems report is a download that no cache keeps."""

import io
import re

import pytest
from sqlalchemy import event, func, select

from core.audit import AuditEntry
from core.extensions import db
from core.files import StoredFile
from core.imports import memo, result
from voice.models import ComplaintCategory

#: Per importer: its upload URL (``{wave}`` filled in), a file with one good and one bad row, the upload form's
#: other fields.
IMPORTS = {
    "census": ("/clients/import", "Código;Nombre;Tipología;Alta\nC-1;Uno;Usuario final;01/01/2020\n"
                                  "C-2;Dos;Usuario final;31/02/2020\n", {"year": "2024", "full_census": "y"}),
    "complaints": ("/clients/complaints/import", "Referencia;Tipo;Fecha;Categoría;Descripción\n"
                                                 "T-1;Queja;03/02/2025;Delays;X\n"
                                                 "T-2;Opinión;03/02/2025;Delays;X\n", {}),
    "measurements": ("/processes/measurements/import", "Código indicador;Periodo;Valor\nSAT;01/2025;4,1\n"
                                                       "SAT;02/2025;=1+1\n", {}),
    "responses": ("/surveys/waves/{wave}/import", "Recommendation;Overall satisfaction\n9;4\n12;4\n", {}),
}


@pytest.fixture
def check_page(app, client_as, exit_reasons, make_process, make_indicator, make_survey, make_wave):
    """``check_page(name)`` → (client, URL of the check page of a file just uploaded to that importer)."""
    with app.app_context():
        db.session.add(ComplaintCategory(name="Delays", active=True))
        db.session.commit()
    make_indicator(make_process(), code="SAT")
    wave = make_wave(make_survey(), status="closed")
    client = client_as("coordinator")

    def upload(name):
        url, text, fields = IMPORTS[name]
        response = client.post(url.format(wave=wave), data={"file": (io.BytesIO(text.encode()), "f.csv"), **fields},
                               content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)
        return client, response.headers["Location"]

    return upload


@pytest.fixture
def writes(app):
    """The INSERT, UPDATE and DELETE statements sent to the database while the test runs."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}:
            sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def _page(response) -> str:
    """The page without its CSRF tokens (signed with the time, so each request's differs)."""
    return re.sub(r'(name="csrf_token"[^>]*value=)"[^"]*"', r"\1", response.get_data(as_text=True))


def _trail(app) -> tuple:
    """The audit rows and the stored files as they are now."""
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(AuditEntry)),
                list(db.session.execute(select(StoredFile.id, StoredFile.sha256, StoredFile.size))))


@pytest.mark.parametrize("name", IMPORTS)
def test_reading_a_check_page_writes_nothing_and_parses_the_file_at_most_once(app, check_page, writes, name,
                                                                               monkeypatch):
    client, url = check_page(name)
    parses = []
    real = result.parse
    monkeypatch.setattr(result, "parse", lambda *args: parses.append(args) or real(*args))
    before, writes[:] = _trail(app), []
    first = client.get(url)
    parsed_by_the_first = len(parses)
    second = client.get(url)
    report = client.get(url + "?report=csv")
    assert first.status_code == second.status_code == report.status_code == 200
    assert "1 row rejected" in _page(first) and _page(second) == _page(first)
    assert writes == [] and _trail(app) == before
    assert parsed_by_the_first <= 1 and len(parses) == parsed_by_the_first  # the second GET and the report: memo
    memo.forget()
    assert _page(client.get(url)) == _page(first) and len(parses) == parsed_by_the_first + 1  # parsed afresh
    assert writes == []


@pytest.mark.parametrize("name", IMPORTS)
def test_the_problems_report_is_an_export_no_cache_keeps(check_page, name):
    client, url = check_page(name)
    report = client.get(url + "?report=csv")
    assert report.headers["Cache-Control"] == "private, no-store"
    assert report.headers["Content-Disposition"] == "attachment; filename=problems.csv"
    assert report.mimetype == "text/csv"
    text = report.get_data(as_text=True)
    assert text.startswith("\ufeffRow;Column;Value;Problem\r\n") and text.count("\r\n") == 2
    if name == "measurements":
        assert ";'=1+1;" in text  # the cell a spreadsheet would run is inert


def test_the_census_records_what_its_upload_found_and_a_post_what_a_new_mapping_finds(app, check_page, writes):
    from loyalty.models import CensusImport

    client, url = check_page("census")
    with app.app_context():
        record = db.session.scalar(select(CensusImport))
        assert (record.rows, record.rejected) == (2, 1)
    writes[:] = []
    client.post(url, data={"column_code": "Código", "column_name": "Nombre", "column_typology": "",
                           "column_joined_on": "Alta"})
    with app.app_context():
        assert db.session.scalar(select(CensusImport)).rejected == 2  # neither row says a new client's typology
    assert any("census_imports" in statement for statement in writes)


def test_an_unreadable_census_says_why_in_the_history(app, client_as, exit_reasons):
    from loyalty.models import CensusImport

    client = client_as("member")
    response = client.post("/clients/import", data={"file": (io.BytesIO(b"Codigo;Nombre\n"), "solo.csv"),
                                                    "year": "2024"}, content_type="multipart/form-data",
                           follow_redirects=True)
    assert "has a header row but no rows of data under it" in response.get_data(as_text=True)
    with app.app_context():
        assert "no rows of data" in db.session.scalar(select(CensusImport.note))
    assert "Not imported" in client.get("/clients/imports").get_data(as_text=True)
