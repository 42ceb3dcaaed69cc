"""Table downloads: formula injection neutralised, numbers kept, CSV for the reader's Excel, a tidy XLSX."""

import csv
import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from werkzeug.exceptions import NotFound

from core.access import TEAM_DATA, allow
from core.exports import export_response, neutralise, safe_filename_stem

SPANISH = {"Accept-Language": "es-ES,es;q=0.9"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
FORMULAS = ["=1+1", "+34 600 000 000", "-5 days", "@SUM(A1)", "\tindented", "\rreturn",
            '=HYPERLINK("http://evil.example","click")', "-", "-1+A1"]


def clients() -> pd.DataFrame:
    return pd.DataFrame({
        "Client": ["=1+1", "Acme, S.L.", "-5 days"],
        "Revenue": [1234.5, -2.25, 0.1],
        "Orders": [3, -2, 0],
        "Since": pd.to_datetime(["2024-03-01", "2023-11-15", "2022-01-31"]),
    })


def export(app, frame, fmt, headers=ENGLISH, stem="clients"):
    with app.test_request_context(headers=headers):
        return export_response(frame, stem, fmt)


def read_csv(response, delimiter):
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def read_xlsx(response):
    return openpyxl.load_workbook(io.BytesIO(response.get_data())).active


@pytest.mark.parametrize("text", FORMULAS)
def test_text_a_spreadsheet_would_run_as_a_formula_gets_a_leading_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Acme", "", "a=b", " =1", 5, -5, -2.5, Decimal("-1.5"), None,
                                   "-5", "+3", "-1.234,56"])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_cells_and_headers_are_neutralised_in_both_formats(app, fmt):
    frame = pd.DataFrame({"=Header": FORMULAS, "Plain": ["ok"] * len(FORMULAS)})

    response = export(app, frame, fmt)

    expected = ["'" + text for text in FORMULAS]
    if fmt == "csv":
        rows = read_csv(response, ",")
    else:
        rows = [list(row) for row in read_xlsx(response).iter_rows(values_only=True)]
        expected = [text.replace("\r", "\n") for text in expected]  # XML reads a carriage return as a newline
    assert rows[0] == ["'=Header", "Plain"]
    assert [row[0] for row in rows[1:]] == expected


def test_numbers_stay_numbers_and_negative_numbers_are_not_quoted(app):
    sheet = read_xlsx(export(app, clients(), "xlsx"))
    rows = list(sheet.iter_rows(min_row=2, values_only=True))

    assert [row[1] for row in rows] == [1234.5, -2.25, 0.1]
    assert [row[2] for row in rows] == [3, -2, 0]
    assert all(sheet.cell(row=row, column=column).data_type == "n" for row in (2, 3, 4) for column in (2, 3))
    csv_rows = read_csv(export(app, clients(), "csv"), ",")
    assert [row[1:3] for row in csv_rows[1:]] == [["1234.5", "3"], ["-2.25", "-2"], ["0.1", "0"]]


def test_values_of_other_kinds_become_text_and_are_checked_too(app):
    class Code:
        def __str__(self):
            return "=CMD()"

    frame = pd.DataFrame({"Mixed": [Code(), 7, Decimal("2.5"), None, "-x"]})
    rows = [row[0] for row in read_xlsx(export(app, frame, "xlsx")).iter_rows(min_row=2, values_only=True)]

    assert rows == ["'=CMD()", 7, 2.5, None, "'-x"]


def test_spanish_csv_has_a_bom_semicolons_and_decimal_commas(app):
    response = export(app, clients(), "csv", headers=SPANISH)

    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in body
    rows = read_csv(response, ";")
    assert rows[0] == ["Client", "Revenue", "Orders", "Since"]
    assert rows[1] == ["'=1+1", "1234,5", "3", "2024-03-01"]
    assert rows[2] == ["Acme, S.L.", "-2,25", "-2", "2023-11-15"]


def test_english_csv_has_a_bom_commas_and_decimal_points(app):
    response = export(app, clients(), "csv", headers=ENGLISH)

    assert response.get_data().startswith(b"\xef\xbb\xbf")
    rows = read_csv(response, ",")
    assert rows[1] == ["'=1+1", "1234.5", "3", "2024-03-01"]
    assert rows[2] == ["Acme, S.L.", "-2.25", "-2", "2023-11-15"]  # the comma in the name is quoted


def test_decimals_from_the_database_get_the_readers_decimal_separator_too(app):
    frame = pd.DataFrame({"Amount": [Decimal("1.50"), None, Decimal("-2")]})

    assert [row[0] for row in read_csv(export(app, frame, "csv", headers=SPANISH), ";")] == \
        ["Amount", "1,50", "", "-2"]


def test_the_csv_separator_can_be_chosen_explicitly(app):
    with app.app_context():
        response = export_response(clients(), "clients", "csv", locale="es")

    assert read_csv(response, ";")[1][1] == "1234,5"


def test_the_xlsx_has_a_bold_frozen_header_sensible_widths_and_real_dates(app):
    sheet = read_xlsx(export(app, clients(), "xlsx", headers=SPANISH, stem="clientes"))

    assert sheet.title == "clientes"
    assert [cell.value for cell in sheet[1]] == ["Client", "Revenue", "Orders", "Since"]
    assert all(cell.font.b for cell in sheet[1])
    assert not any(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D4"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCD"}
    assert all(8 <= width <= 60 for width in widths.values())
    assert widths["A"] >= len("Acme, S.L.")
    since = sheet["D2"]
    assert since.is_date and since.value.date().isoformat() == "2024-03-01"
    assert since.number_format == "yyyy-mm-dd"  # days only: no "00:00:00"


def test_times_are_written_in_the_readers_time_zone(app):
    frame = pd.DataFrame({"Sent": pd.to_datetime(["2024-07-01 10:00"]).tz_localize("UTC")})

    sheet = read_xlsx(export(app, frame, "xlsx"))
    rows = read_csv(export(app, frame, "csv"), ",")

    assert sheet["A2"].value.isoformat() == "2024-07-01T12:00:00"  # Europe/Madrid, summer time
    assert rows[1] == ["2024-07-01 12:00:00"]


def test_long_texts_and_characters_excel_refuses_do_not_break_the_workbook(app):
    frame = pd.DataFrame({"Note": ["bell\x07 and null\x00 here", "x" * 40000]})

    rows = [row[0] for row in read_xlsx(export(app, frame, "xlsx")).iter_rows(min_row=2, values_only=True)]

    assert rows[0] == "bell and null here"
    assert len(rows[1]) == 32767


def test_an_empty_frame_exports_its_headers(app):
    frame = pd.DataFrame({"Client": pd.Series([], dtype=object), "Revenue": pd.Series([], dtype=float)})

    assert [cell.value for cell in read_xlsx(export(app, frame, "xlsx"))[1]] == ["Client", "Revenue"]
    assert read_csv(export(app, frame, "csv"), ",") == [["Client", "Revenue"]]


@pytest.mark.parametrize(("fmt", "mimetype"), [
    ("csv", "text/csv; charset=utf-8"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_the_download_is_an_attachment_with_its_type_and_not_cached(app, fmt, mimetype):
    response = export(app, clients(), fmt, stem="clients 2024")

    assert response.headers["Content-Type"] == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="clients 2024.{fmt}"'
    assert response.headers["Cache-Control"] == "private, no-store"


def test_accented_file_names_are_kept_for_browsers_and_transliterated_for_old_clients(app):
    response = export(app, clients(), "csv", stem="satisfacción")

    assert response.headers["Content-Disposition"] == (
        "attachment; filename=satisfaccion.csv; filename*=UTF-8''satisfacci%C3%B3n.csv")


@pytest.mark.parametrize(("stem", "safe"), [("../../etc/passwd", "etc-passwd"), ('a"b\r\nc', "a-b-c"),
                                            ("  ", "export"), ("Encuesta: 1/2", "Encuesta- 1-2")])
def test_file_names_lose_path_separators_quotes_and_control_characters(stem, safe):
    assert safe_filename_stem(stem) == safe


def test_an_unknown_format_is_not_found(app):
    with app.test_request_context(), pytest.raises(NotFound):
        export_response(clients(), "clients", "pdf")


def test_a_view_returns_the_export_with_the_apps_security_headers(app, client_as):
    @allow(TEAM_DATA)
    def export_clients():
        """A download, for this test only."""
        from flask import request

        return export_response(clients(), "clients", request.args["format"])

    app.add_url_rule("/test-export", view_func=export_clients)
    client = client_as("member")

    response = client.get("/test-export?format=xlsx", headers=SPANISH)
    missing = client.get("/test-export?format=ods")

    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert read_xlsx(response)["A2"].value == "'=1+1"
    assert missing.status_code == 404
