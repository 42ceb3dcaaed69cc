"""The census pushed through the API (``loyalty.api_writes``): JSON rows and files through the census import's
steps, every refused row named by row, column and field and nothing written, the clients a full census proposes as
lost and their confirmation, exit dates kept unless asked, Idempotency-Key, scopes and roles, 413 and 415."""

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.imports.frames import read_frame
from core.imports.result import parse
from loyalty import census_import
from loyalty.models import CensusImport, Client, ClientYear
from tests.test_api import bearer, token_of  # noqa: F401 - the fixture

ROWS = [{"code": "C-1", "name": "Uno SL", "typology": "end_user", "joined_on": "2020-01-15", "potential": 2000,
         "purchases": 1234.5, "margin": 100},
        {"code": "C-2", "name": "Dos SA", "typology": "intermedio", "joined_on": "31/12/2021", "purchases": "1.500,25",
         "strategic": True, "strategic_reason": "Reference distributor"}]
SPANISH_CSV = ("Código;Razón social;Tipología;Fecha alta;Compras\n"
               "C-7;Siete SL;Prescriptor;01/02/2019;12,5\n"
               "C-8;Ocho SL;Nadie;01/02/2019;abc\n").encode()


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in
                     (Client, ClientYear, CensusImport))


@pytest.fixture
def editor(make_user, token_of):  # noqa: F811
    return bearer(token_of(make_user("member")))


def test_json_rows_add_and_update_clients_and_their_figures(app, editor, make_client):
    make_client("C-2", name="Old name", joined=date(2021, 12, 31), segment="Pymes")
    response = app.test_client().post("/api/v1/census", headers=editor, json={"year": 2025, "rows": ROWS})
    assert response.status_code == 200, response.get_data(as_text=True)
    done = response.get_json()
    assert done["import"]["added"] == 1 and done["import"]["updated"] == 1 and done["import"]["figures_added"] == 2
    assert done["absent"] is None and done["exit_date_changes"] == [] and done["import"]["figure_years"] == [2025]
    with app.app_context():
        known = db.session.scalar(select(Client).where(Client.code == "C-2"))
        assert known.name == "Dos SA" and known.segment == "Pymes"  # a field not sent keeps what is recorded
        assert known.strategic and known.version == 2
        assert db.session.scalar(select(ClientYear.purchases).where(ClientYear.client_id == known.id)) == 1500.25
        record = db.session.scalar(select(CensusImport))
        assert record.filename == "API" and record.imported_at is not None and record.mapping["code"] == "code"


def test_every_refused_row_is_named_and_nothing_is_written(app, editor, make_client):
    make_client("C-9")
    before = counts(app)
    rows = [dict(ROWS[0]), {**ROWS[1], "purchases": "lots"},
            {"code": "C-1", "name": "Again", "joined_on": "2020-01-01", "typology": "end_user"},
            {"code": "C-3", "name": "Tres", "joined_on": "2020-01-01"}]
    response = app.test_client().post("/api/v1/census", headers=editor, json={"year": 2025, "rows": rows})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert {(e["row"], e["column"], e["field"]) for e in errors} == {
        (0, "code", "rows.0.code"), (2, "code", "rows.2.code"),  # the code repeated, both rows named
        (1, "purchases", "rows.1.purchases"), (3, "typology", "rows.3.typology")}
    assert "also in row 2" in next(e["message"] for e in errors if e["row"] == 0)
    assert counts(app) == before  # not even the import's record
    unknown = app.test_client().post("/api/v1/census", headers=editor, json={"rows": [{**ROWS[0], "nmae": "x"}]})
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["field"] == "rows.0.nmae"
    missing = app.test_client().post("/api/v1/census", headers=editor, json={"rows": [{"code": "C-4"}]})
    assert missing.status_code == 422 and "no column for" in missing.get_json()["detail"]
    assert app.test_client().post("/api/v1/census", headers=editor, json={"rows": []}).status_code == 422
    assert counts(app) == before


def test_a_file_is_read_mapped_and_refused_as_the_import_wizard_does(app, editor):
    client = app.test_client()
    refused = client.post("/api/v1/census/file", headers=editor, content_type="multipart/form-data",
                          data={"year": "2024", "file": (io.BytesIO(SPANISH_CSV), "censo.csv")})
    assert refused.status_code == 422
    with app.test_request_context():  # the wizard's own check of the same file, as its check page first maps it
        table = read_frame(SPANISH_CSV, "censo.csv")
        mapping = census_import.SPEC.guess_mapping(table.headers)
        expected = census_import.check_result(parse(table, census_import.spec(), mapping), year=2024,
                                              full_census=False).result.errors
    assert [(e["row"], e["column"], e["field"], e["message"]) for e in refused.get_json()["errors"]] == \
        [(error.row, error.column, error.field, error.message) for error in expected]
    assert {(e["row"], e["column"]) for e in refused.get_json()["errors"]} == {(3, "Tipología"), (3, "Compras")}
    good = SPANISH_CSV.rsplit(b"\n", 2)[0] + b"\n"
    done = client.post("/api/v1/census/file", headers=editor, content_type="multipart/form-data",
                       data={"year": "2024", "file": (io.BytesIO(good), "censo.csv")})
    assert done.status_code == 200 and done.get_json()["import"]["added"] == 1
    with app.app_context():
        assert db.session.scalar(select(ClientYear.purchases)) == 12.5
        assert db.session.scalar(select(CensusImport.filename)) == "censo.csv"
    unreadable = client.post("/api/v1/census/file", headers=editor, content_type="multipart/form-data",
                             data={"file": (io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old"), "old.xls")})
    assert unreadable.status_code == 422 and unreadable.get_json()["errors"][0]["field"] == "file"


def test_a_full_census_proposes_the_absent_clients_as_lost_and_the_caller_confirms_them(
        app, editor, make_client, exit_reasons):
    kept, gone = make_client("C-1"), make_client("C-5", name="Absent SL")
    client = app.test_client()
    response = client.post("/api/v1/census", headers=editor, json={"full_census": True, "rows": [
        {"code": "C-1", "name": "Uno SL", "joined_on": "2020-01-01"}]})
    assert response.status_code == 200
    absent = response.get_json()["absent"]
    assert absent["count"] == 1 and absent["clients"] == [{"id": gone, "code": "C-5", "name": "Absent SL"}]
    import_id = response.get_json()["import"]["id"]
    with app.app_context():
        assert db.session.get(Client, gone).left_on is None  # proposed, not removed
    listed = client.get(f"/api/v1/census/imports/{import_id}/absent", headers=editor).get_json()
    assert [c["code"] for c in listed["items"]] == ["C-5"] and listed["meta"]["total"] == 1
    confirmed = client.post(f"/api/v1/census/imports/{import_id}/absent", headers=editor, json={
        "left_on": "2026-01-31", "reason": exit_reasons["no_use"], "clients": [gone, kept]})
    assert confirmed.status_code == 200 and confirmed.get_json() == {"recorded": 1}  # only the one proposed
    with app.app_context():
        assert db.session.get(Client, gone).left_on == date(2026, 1, 31)
        assert db.session.get(Client, kept).left_on is None
        assert db.session.get(CensusImport, import_id).marked_lost == 1
    again = client.post(f"/api/v1/census/imports/{import_id}/absent", headers=editor, json={
        "left_on": "2026-01-31", "reason": exit_reasons["no_use"]})
    assert again.status_code == 422  # nobody is proposed any more
    partial = client.post("/api/v1/census", headers=editor, json={"year": 2025, "rows": [ROWS[0]]})
    partial = partial.get_json()["import"]["id"]
    assert client.post(f"/api/v1/census/imports/{partial}/absent", headers=editor, json={
        "left_on": "2026-01-31", "reason": exit_reasons["no_use"]}).status_code == 409
    assert client.get("/api/v1/census/imports/987654/absent", headers=editor).status_code == 404


def test_an_exit_date_other_than_the_recorded_one_stays_unless_asked(app, editor, make_client, exit_reasons):
    make_client("C-1", left=date(2025, 3, 31), reason_id=exit_reasons["no_use"])
    row = {"code": "C-1", "name": "Uno", "joined_on": "2020-01-01", "left_on": "2025-04-30"}
    client = app.test_client()
    kept = client.post("/api/v1/census", headers=editor, json={"rows": [row]}).get_json()
    assert kept["exit_date_changes"] == [{"row": 0, "code": "C-1", "recorded": "2025-03-31", "sent": "2025-04-30",
                                          "applied": False}]
    with app.app_context():
        assert db.session.scalar(select(Client.left_on)) == date(2025, 3, 31)
    changed = client.post("/api/v1/census", headers=editor, json={"change_exit_dates": True, "rows": [row]})
    assert changed.get_json()["exit_date_changes"][0]["applied"] is True
    with app.app_context():
        assert db.session.scalar(select(Client.left_on)) == date(2025, 4, 30)


def test_figures_outside_the_membership_wait_for_years_checked(app, editor):
    row = {"code": "C-1", "name": "Uno", "typology": "end_user", "joined_on": "2024-06-01", "purchases": 10,
           "year": 2022}
    client = app.test_client()
    refused = client.post("/api/v1/census", headers=editor, json={"rows": [row]})
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["row"] == 0
    assert counts(app) == (0, 0, 0)
    done = client.post("/api/v1/census", headers=editor, json={"years_checked": True, "rows": [row]})
    assert done.status_code == 200 and done.get_json()["warnings"][0]["kind"] == "before"


def test_an_idempotency_key_replays_the_first_answer_and_imports_once(app, editor):
    client = app.test_client()
    headers = {**editor, "Idempotency-Key": "census-2025-12-01"}
    first = client.post("/api/v1/census", headers=headers, json={"year": 2025, "rows": ROWS})
    again = client.post("/api/v1/census", headers=headers, json={"year": 2025, "rows": ROWS})
    assert first.status_code == again.status_code == 200 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert counts(app) == (2, 2, 1)
    good = SPANISH_CSV.rsplit(b"\n", 2)[0] + b"\n"
    upload = {**editor, "Idempotency-Key": "file-1"}
    answers = [client.post("/api/v1/census/file", headers=upload, content_type="multipart/form-data",
                           data={"year": "2024", "file": (io.BytesIO(good), "censo.csv")}) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200] and answers[1].headers["Idempotent-Replayed"] == "true"
    assert counts(app) == (3, 3, 2)  # the multipart boundary differs each time: the parts are the same request
    other = client.post("/api/v1/census/file", headers=upload, content_type="multipart/form-data",
                        data={"year": "2023", "file": (io.BytesIO(good), "censo.csv")})
    assert other.status_code == 422 and counts(app) == (3, 3, 2)


def test_a_read_token_and_a_reviewer_are_refused(app, make_user, token_of):  # noqa: F811
    client = app.test_client()
    body = {"rows": ROWS}
    assert client.post("/api/v1/census", headers=bearer(token_of(make_user("member"), scope="read")),
                       json=body).status_code == 403
    reviewer = bearer(token_of(make_user("reviewer")))
    assert client.post("/api/v1/census", headers=reviewer, json=body).status_code == 403
    assert client.post("/api/v1/census/file", headers=reviewer, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(SPANISH_CSV), "c.csv")}).status_code == 403
    assert client.post("/api/v1/census", json=body).status_code == 401
    assert counts(app) == (0, 0, 0)


def test_bodies_of_another_type_are_refused_415(app, editor):
    client = app.test_client()
    assert client.post("/api/v1/census", headers=editor, data="code;name", content_type="text/csv").status_code == 415
    assert client.post("/api/v1/census", headers=editor, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(SPANISH_CSV), "c.csv")}).status_code == 415
    assert client.post("/api/v1/census/file", headers=editor, json={"rows": ROWS}).status_code == 415


@pytest.mark.parametrize("app_overrides", [{"MAX_CONTENT_LENGTH": 2000}])
def test_a_body_above_the_configured_limit_is_refused_413(app, editor):
    rows = [{**ROWS[0], "code": f"C-{number}"} for number in range(100)]
    response = app.test_client().post("/api/v1/census", headers=editor, json={"year": 2025, "rows": rows})
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert counts(app) == (0, 0, 0)


def test_typed_number_cells_are_read_as_the_per_cell_converter_reads_them(app):
    """JSON numbers (and a workbook's) are read at once (``columns._typed_numbers``): the same values, of the same
    types, and the same messages as ``cells``' converter gives cell by cell."""
    import pandas as pd

    from core.imports.cells import InvalidCell
    from core.imports.columns import convert_column
    from core.imports.spec import Column

    typed = [1.5, 2, -0.0, 3.0, float("nan"), float("inf"), 10 ** 20, 2 ** 53, -7, True, 12.25, 1e300, 99.5]
    with app.test_request_context():
        for kind, minimum, maximum in (("number", None, None), ("integer", None, None), ("number", 0, 100),
                                       ("integer", -5, 50)):
            column = Column("x", "X", kind, required=False, minimum=minimum, maximum=maximum)
            for cells in (typed, [1.5, 2.25, -3.0, 1e300], [None, 4.0, None]):
                values, problems = convert_column(column, pd.Series(cells, dtype=object))
                convert = column.kind_converter([])
                for position, cell in enumerate(cells):
                    if cell is None:
                        assert values.iloc[position] is None and position not in problems
                        continue
                    try:
                        expected = convert(cell)
                    except InvalidCell as error:
                        assert problems[position] == str(error), (kind, cell)
                    else:
                        got = values.iloc[position]
                        assert got == expected and type(got) is type(expected) and position not in problems, \
                            (kind, cell, got, expected)
