"""The year of a census's figures: asked on upload (no default) unless the file has a year column, and every
row whose figures fall outside the client's membership warned about, confirmed only with an explicit tick."""

import io
import re
from datetime import date

from core.extensions import db
from core.imports.frames import read_frame
from loyalty import census_import
from loyalty.models import CensusImport, ClientYear

NO_YEAR = ("Código;Nombre;Tipología;Fecha alta;Compras\n"
           "C-1;Uno;Usuario final;01/01/2020;100\n")
WITH_YEAR = ("Código;Nombre;Tipología;Fecha alta;Año;Compras\n"
             "C-1;Uno;Usuario final;01/01/2020;2023;100\n"
             "C-2;Dos;Usuario final;01/01/2020;;200\n"      # row 3: figures, no year
             "C-3;Tres;Usuario final;01/01/2020;;\n")       # row 4: no figures, no year needed


def _upload(member, text, **form):
    return member.post("/clients/import", data={"file": (io.BytesIO(text.encode()), "censo.csv"), **form},
                       content_type="multipart/form-data")


def _plan(app, text, *, year):
    with app.test_request_context():
        table = read_frame(text.encode(), "censo.csv")
        return census_import.check(table, census_import.SPEC.guess_mapping(table.headers), year=year,
                                   full_census=False)


def test_the_upload_form_has_no_default_year(client_as):
    page = client_as("member").get("/clients/import").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="year"[^>]*>', page).group(0)
    assert 'value=""' in field or "value=" not in field


def test_a_file_without_a_year_column_needs_the_year(app, client_as, exit_reasons):
    response = _upload(client_as("member"), NO_YEAR, year="")
    assert response.status_code == 200
    assert "Give the year of the figures: the file has no year column" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(CensusImport).count() == 0


def test_with_a_year_column_the_year_may_be_left_out_and_rows_without_one_are_refused(app, client_as,
                                                                                      exit_reasons):
    member = client_as("member")
    response = _upload(member, WITH_YEAR, year="")
    assert response.status_code == 302
    page = member.get(response.headers["Location"]).get_data(as_text=True)
    assert "No year of the figures was given on upload" in page
    with app.app_context():
        assert db.session.query(CensusImport).one().year is None
    plan = _plan(app, WITH_YEAR, year=None)
    assert [(e.row, e.column) for e in plan.result.errors] == [(3, "Año")]
    assert "The year of these figures is not known" in plan.result.errors[0].message


def test_with_a_year_column_the_given_year_is_the_fallback(app, exit_reasons):
    plan = _plan(app, WITH_YEAR, year=2024)
    assert plan.result.ok
    assert plan.rows["figures_year"].tolist()[:2] == [2023, 2024] and plan.figure_years == [2023, 2024]


def test_figures_outside_the_membership_are_counted_with_five_examples(app, exit_reasons, make_client):
    make_client("OLD", joined=date(2010, 1, 1), left=date(2022, 6, 30), reason_id=exit_reasons["no_use"])
    header = "Código;Nombre;Tipología;Fecha alta;Fecha baja;Motivo baja;Año;Compras\n"
    rows = "".join(f"N-{n};Nuevo {n};final;01/03/2025;;;;10\n" for n in range(7))   # rows 2-8: joined after 2024
    rows += ("OLD;Viejo;;01/01/2010;;;;20\n"                 # row 9: left in 2022 (recorded), figures of 2024
             "LATE;Tarde;final;01/03/2025;;;2023;30\n"       # row 10: joined in 2025, figures of 2023
             "GONE;Ido;final;01/01/2015;31/12/2023;No uso;;40\n"  # row 11: left in 2023 (the file's)
             "OK;Bien;final;01/01/2015;;;;50\n")             # row 12: a client all of 2024
    plan = _plan(app, header + rows, year=2024)
    assert plan.result.ok, plan.result.errors
    found = {(w.kind, w.year): (w.count, [(row, code) for row, code, _when in w.examples]) for w in plan.warnings}
    assert found == {
        ("before", 2024): (7, [(2, "N-0"), (3, "N-1"), (4, "N-2"), (5, "N-3"), (6, "N-4")]),
        ("before", 2023): (1, [(10, "LATE")]),
        ("after", 2024): (2, [(9, "OLD"), (11, "GONE")]),
    }
    with app.test_request_context():
        before = next(w for w in plan.warnings if (w.kind, w.year) == ("before", 2024))
        assert before.message.startswith("7 rows have figures for 2024, before the client joined — e.g. row 2: "
                                         "N-0 joined 03/2025; row 3")


def test_a_clean_file_has_no_warnings(app, exit_reasons):
    assert _plan(app, NO_YEAR, year=2024).warnings == []


def test_the_confirmation_needs_the_tick_when_there_are_warnings(app, client_as, exit_reasons):
    member = client_as("member")
    url = _upload(member, NO_YEAR, year="2019").headers["Location"]
    page = member.get(url).get_data(as_text=True)
    assert 'data-testid="year-warnings"' in page
    assert "1 row has figures for 2019, before the client joined — e.g. row 2: C-1 joined 01/2020" in page
    assert 'name="years_checked"' in page
    fields = dict(re.findall(r'<input type="hidden" name="(column_\w+|census_version)" value="([^"]*)"', page))
    refused = member.post(url, data={**fields, "confirm": "1"})
    assert refused.status_code == 200 and "Nothing was imported" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ClientYear).count() == 0
    done = member.post(url, data={**fields, "confirm": "1", "years_checked": "1"})
    assert done.status_code == 302
    with app.app_context():
        assert [(f.year, f.purchases) for f in db.session.query(ClientYear)] == [(2019, 100)]
        assert db.session.query(CensusImport).one().figure_years == [2019]
    history = member.get("/clients/imports").get_data(as_text=True)
    assert "<td>2019</td>" in history


def test_a_file_without_warnings_is_confirmed_without_the_tick(app, client_as, exit_reasons):
    member = client_as("member")
    url = _upload(member, NO_YEAR, year="2024").headers["Location"]
    page = member.get(url).get_data(as_text=True)
    assert 'name="years_checked"' not in page
    fields = dict(re.findall(r'<input type="hidden" name="(column_\w+|census_version)" value="([^"]*)"', page))
    assert member.post(url, data={**fields, "confirm": "1"}).status_code == 302


def test_the_warning_reads_in_spanish(app):
    from flask_babel import force_locale

    warning = census_import.YearWarning("after", 2026, 12, [(14, "C-0012", date(2025, 3, 31))])
    with app.test_request_context(), force_locale("es"):
        assert warning.message == ("12 filas tienen cifras de 2026, después de la baja del cliente — p. ej., "
                                   "fila 14: C-0012 se dio de baja en 03/2025")
