"""Each importer's downloadable template: the columns' headers in the reader's language and two example rows,
as CSV and XLSX, that the importer takes back without a single rejected row."""

import io

import pytest
from openpyxl import load_workbook

from core.extensions import db
from voice.models import ComplaintCategory

#: Per importer: its upload URL (``{wave}`` filled in), the upload form's other fields, and headers it must have.
IMPORTERS = {
    "census": ("/clients/import", {"year": "2025"}, ("Client code", "Name", "Typology", "Purchases")),
    "complaints": ("/clients/complaints/import", {}, ("Reference", "Kind", "Received on", "Category")),
    "measurements": ("/processes/measurements/import", {}, ("Indicator code", "Period", "Value")),
    "responses": ("/surveys/waves/{wave}/import", {}, ("Typology",)),
}


@pytest.fixture
def setting(app, client_as, exit_reasons, make_process, make_indicator, make_survey, make_wave):
    """(coordinator's client, the wave id) with what the examples name: a category, an indicator, a survey."""
    with app.app_context():
        db.session.add(ComplaintCategory(name="Plazos", active=True))
        db.session.commit()
    make_indicator(make_process(), code="SAT")
    return client_as("coordinator"), make_wave(make_survey(), status="closed")


@pytest.mark.parametrize("name", IMPORTERS)
def test_a_template_downloads_as_csv_and_xlsx_and_imports_cleanly(setting, name):
    client, wave = setting
    url, fields, headers = IMPORTERS[name]
    upload_url = url.format(wave=wave)
    upload_page = client.get(upload_url).get_data(as_text=True)
    assert f'href="{upload_url}/template.csv"' in upload_page and f'href="{upload_url}/template.xlsx"' in upload_page

    csv = client.get(f"{upload_url}/template.csv")
    assert csv.status_code == 200 and csv.headers["Cache-Control"] == "private, no-store"
    lines = csv.get_data().decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and all(header in lines[0] for header in headers)
    book = load_workbook(io.BytesIO(client.get(f"{upload_url}/template.xlsx").get_data()), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[0] == tuple(lines[0].split(","))

    sent = client.post(upload_url, data={"file": (io.BytesIO(csv.get_data()), "template.csv"), **fields},
                       content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    check = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "No rows rejected" in check and "Nothing can be imported" not in check
    assert "The first 2 of 2 rows that will be imported" in check or name == "measurements"  # its plan is a table


def test_the_template_speaks_the_readers_language(setting):
    client, _wave = setting
    with client.session_transaction() as session:
        session["language"] = "es"
    text = client.get("/clients/import/template.csv").get_data().decode("utf-8-sig")
    header, first, _second = text.splitlines()
    assert header.startswith("Código de cliente;Nombre;Tipología;")
    assert "cliente intermedio" in first and "8450,5" in first and "1234,56" in first


def test_another_format_is_not_found(setting):
    client, _wave = setting
    assert client.get("/clients/import/template.pdf").status_code == 404
