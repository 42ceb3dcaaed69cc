"""Indicators through their pages: targets, measurements one by one, the grid, import and export."""

import io
from datetime import date

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import User
from processes.models import Measurement, Target
from tests.conftest import sign_in


def values(app, indicator_id) -> dict:
    with app.app_context():
        rows = db.session.execute(select(Measurement.period, Measurement.value)
                                  .where(Measurement.indicator_id == indicator_id))
        return dict(rows.all())


@pytest.fixture
def indicator_id(make_process, make_indicator):
    return make_indicator(make_process(code="P1"), code="SAT", values={date(2025, 1, 1): 3.0})


def test_an_indicator_is_defined_for_a_process(app, client_as, make_process):
    process_id = make_process()
    response = client_as("coordinator").post(f"/processes/{process_id}/indicators/new", data={
        "code": "nps", "name": "Net promoter score", "frequency": "quarterly", "direction": "higher",
        "kind": "perception", "alert_threshold": "10", "responsible_id": "0"})
    assert response.status_code == 302
    page = client_as("reviewer").get(response.headers["Location"]).get_data(as_text=True)
    assert "NPS · Net promoter score" in page and "Perception measure" in page


def test_targets_hold_from_their_period_on(app, client_as, indicator_id):
    client = client_as("coordinator")
    url = f"/processes/indicators/{indicator_id}/targets"
    client.post(url, data={"target-valid_from": "2024-01", "target-value": "4"})
    client.post(url, data={"target-valid_from": "03/2025", "target-value": "4.5"})
    bad = client.post(url, data={"target-valid_from": "soon", "target-value": "1"})
    assert bad.status_code == 200 and "is not a period" in bad.get_data(as_text=True)
    with app.app_context():
        targets = db.session.scalars(select(Target).where(Target.indicator_id == indicator_id)
                                     .order_by(Target.valid_from)).all()
        assert [(t.valid_from, t.value) for t in targets] == [(date(2024, 1, 1), 4.0), (date(2025, 3, 1), 4.5)]


def test_a_value_for_a_period_that_has_one_asks_to_replace_or_keep(app, client_as, indicator_id):
    client = client_as("coordinator")
    assert client.post(f"/processes/indicators/{indicator_id}/measurements",
                       data={"period": "2025-02", "value": "3.5"}).status_code == 302
    asked = client.post(f"/processes/indicators/{indicator_id}/measurements", data={"period": "2025-01", "value": "9"})
    assert asked.status_code == 200
    assert 'data-testid="replace-or-keep"' in asked.get_data(as_text=True)
    assert values(app, indicator_id)[date(2025, 1, 1)] == 3.0
    client.post(f"/processes/indicators/{indicator_id}/measurements",
                data={"period": "2025-01", "value": "9", "replace": "y"})
    assert values(app, indicator_id) == {date(2025, 1, 1): 9.0, date(2025, 2, 1): 3.5}


def test_who_may_record_measurements(app, make_user, make_process, make_indicator):
    responsible, owner, stranger = make_user("member"), make_user("member"), make_user("member")
    indicator = make_indicator(make_process(owner_id=owner.id), responsible_id=responsible.id)
    for user, expected in ((responsible, 302), (owner, 302), (stranger, 403)):
        client = sign_in(app.test_client(), user)
        period = {responsible.id: "2025-01", owner.id: "2025-02", stranger.id: "2025-03"}[user.id]
        response = client.post(f"/processes/indicators/{indicator}/measurements", data={"period": period, "value": "1"})
        assert response.status_code == expected
    assert sign_in(app.test_client(), responsible).get(f"/processes/indicators/{indicator}/edit").status_code == 403


def test_the_grid_saves_all_periods_or_none(app, client_as, indicator_id):
    client = client_as("coordinator", language="es")
    url = f"/processes/indicators/{indicator_id}/grid?from=2025-01&to=2025-04"
    assert "2025-04" in client.get(url).get_data(as_text=True)
    refused = client.post(url, data={"value-2025-02-01": "4,5", "value-2025-03-01": "cuatro"})
    page = refused.get_data(as_text=True)
    assert "«cuatro» no es un número" in page and 'id="value-2025-03-01" name="value-2025-03-01"' in page
    assert page.count("is-invalid") == 1
    assert values(app, indicator_id) == {date(2025, 1, 1): 3.0}
    saved = client.post(url, data={"value-2025-01-01": "3,25", "value-2025-02-01": "1.234,5",
                                   "comment-2025-02-01": "Campaña"})
    assert saved.status_code == 302
    assert values(app, indicator_id) == {date(2025, 1, 1): 3.25, date(2025, 2, 1): 1234.5}


CSV_ES = ("\ufeffCódigo indicador;Periodo;Valor;Observaciones\n"
          "SAT;01/2025;4,1;revisado\n"
          "SAT;2025-02;3,9;\n"
          "SAT;marzo 2025;4;\n").encode()


def upload(client, data: bytes, name: str):
    response = client.post("/processes/measurements/import", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_importing_a_spanish_csv_keeps_or_replaces_existing_values_as_chosen(app, client_as, indicator_id):
    client = client_as("coordinator")
    check_url = upload(client, CSV_ES, "mediciones.csv")
    page = client.get(check_url).get_data(as_text=True)
    assert "3 values, of which 1 would change a value already recorded." in page
    client.post(check_url, data={"column_indicator": "Código indicador", "column_period": "Periodo",
                                 "column_value": "Valor", "column_comment": "Observaciones",
                                 "confirm": "1", "existing": "keep"})
    assert values(app, indicator_id) == {date(2025, 1, 1): 3.0, date(2025, 2, 1): 3.9, date(2025, 3, 1): 4.0}
    assert client.get(check_url).status_code == 404  # an applied import's file is deleted: upload it again
    check_url = upload(client, CSV_ES, "mediciones.csv")
    client.post(check_url, data={"column_indicator": "Código indicador", "column_period": "Periodo",
                                 "column_value": "Valor", "column_comment": "Observaciones",
                                 "confirm": "1", "existing": "replace"})
    assert values(app, indicator_id)[date(2025, 1, 1)] == 4.1


def test_an_import_with_a_bad_row_writes_nothing_and_names_every_problem(app, client_as, indicator_id):
    client = client_as("coordinator")
    data = (b"Indicator,Period,Value\nSAT,2025-02,4.2\nNOPE,2025-03,1\nSAT,2025-13,2\nSAT,2025-04,high\n"
            b"SAT,2025-02,4.4\n")
    check_url = upload(client, data, "values.csv")
    mapping = {"column_indicator": "Indicator", "column_period": "Period", "column_value": "Value",
               "column_comment": ""}
    page = client.post(check_url, data={**mapping, "confirm": "1"}).get_data(as_text=True)
    assert "5 rows rejected" in page
    for problem in ("There is no indicator NOPE.", "has no month 13", "“high” is not a number.",
                    "SAT 2025-02 is also in row 2.", "SAT 2025-02 is also in row 6."):
        assert problem in page, problem
    assert values(app, indicator_id) == {date(2025, 1, 1): 3.0}


def test_someone_elses_upload_cannot_be_opened(app, client_as, indicator_id):
    check_url = upload(client_as("coordinator"), CSV_ES, "mediciones.csv")
    assert client_as("coordinator").get(check_url).status_code == 404


def test_export_as_csv_in_the_readers_language(client_as, indicator_id):
    response = client_as("member", language="es").get(f"/processes/indicators/{indicator_id}/export.csv")
    text = response.data.decode("utf-8-sig")
    assert "attachment" in response.headers["Content-Disposition"]
    assert text.splitlines()[0].startswith("Periodo;Valor")
    assert "2025-01;3,0" in text or "2025-01;3" in text


def test_external_comparisons_are_recorded_and_shown(app, client_as, indicator_id):
    client = client_as("coordinator")
    url = f"/processes/indicators/{indicator_id}/benchmarks"
    comparison = {"benchmark-source": "Sector study", "benchmark-period": "2024-06", "benchmark-value": "3.4"}
    assert client.post(url, data=comparison).status_code == 302
    refused = client.post(url, data={**comparison, "benchmark-source": ""})
    assert refused.status_code == 200 and "This field is required." in refused.get_data(as_text=True)
    page = client.get(f"/processes/indicators/{indicator_id}").get_data(as_text=True)
    assert "2024-06 · Sector study" in page
    assert "Sector study" in page.partition('type="application/json"')[2]  # drawn on the chart too


def test_single_values_may_be_typed_with_a_decimal_comma(app, client_as, indicator_id):
    client = client_as("coordinator", language="es")
    assert client.post(f"/processes/indicators/{indicator_id}/measurements",
                       data={"period": "2025-02", "value": "87,5"}).status_code == 302
    assert client.post(f"/processes/indicators/{indicator_id}/targets",
                       data={"target-valid_from": "2025-01", "target-value": "1.234,5"}).status_code == 302
    refused = client.post(f"/processes/indicators/{indicator_id}/measurements", data={"period": "2025-03",
                                                                                     "value": "mucho"})
    assert refused.status_code == 200 and "«mucho» no es un número" in refused.get_data(as_text=True)
    assert values(app, indicator_id)[date(2025, 2, 1)] == 87.5
    with app.app_context():
        assert db.session.scalar(select(Target.value).where(Target.indicator_id == indicator_id)) == 1234.5


def chart_of(page: str) -> str:
    return page.partition('type="application/json" data-chart-spec>')[2].partition("</script>")[0]


def test_a_new_value_shows_on_the_page_and_its_chart_right_after_it_is_saved(app, client_as, indicator_id):
    client = client_as("coordinator")
    url = f"/processes/indicators/{indicator_id}"
    first = client.get(url).get_data(as_text=True)
    assert chart_of(client.get(url).get_data(as_text=True)) == chart_of(first)  # the second one kept
    assert "2025-06" not in first
    client.post(f"{url}/measurements", data={"period": "2025-06", "value": "77.25", "comment": "after the cache"})
    page = client.get(url).get_data(as_text=True)
    assert "<td class=\"text-nowrap\">2025-06</td><td class=\"text-end\">77.25</td>" in page
    assert "after the cache" in page and "77.25" in chart_of(page)


def test_a_change_made_through_another_worker_shows_at_once(app, app_factory, database_url, make_user,
                                                            indicator_id):
    """Each gunicorn worker keeps its own cache; the data version tells every one of them."""
    coordinator = make_user("coordinator")
    reader = sign_in(app.test_client(), coordinator)
    url = f"/processes/indicators/{indicator_id}"
    assert "Sector study" not in reader.get(url).get_data(as_text=True)
    other_worker = sign_in(app_factory(database_url).test_client(), coordinator)
    other_worker.post(f"{url}/benchmarks", data={"benchmark-source": "Sector study", "benchmark-period": "2024-06",
                                                 "benchmark-value": "3.4"})
    assert "2024-06 · Sector study" in reader.get(url).get_data(as_text=True)


def test_renaming_who_entered_a_value_renames_it_in_the_table(app, client_as, make_user, indicator_id):
    entered_by = make_user("member", name="Ines Before")
    with app.app_context():
        for measurement in db.session.scalars(select(Measurement)):
            measurement.entered_by_id = entered_by.id
        db.session.commit()
    client = client_as("admin")
    url = f"/processes/indicators/{indicator_id}"
    assert "Ines Before" in client.get(url).get_data(as_text=True)
    with app.app_context():
        db.session.get(User, entered_by.id).name = "Ines After"
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Ines After" in page and "Ines Before" not in page


def test_the_page_does_not_query_per_measurement_or_per_person(app, client_as, make_user, indicator_id):
    from tests.test_processes_maps import count_statements

    client = client_as("coordinator")
    url = f"/processes/indicators/{indicator_id}"

    def record(months):
        for month in months:
            person = make_user("member")
            with app.app_context():
                db.session.add(Measurement(indicator_id=indicator_id, period=date(2024, month, 1), value=month,
                                           entered_by_id=person.id, comment=f"by {person.name}"))
                db.session.commit()

    record(range(1, 4))
    client.get(url)  # the first request of an app also checks the schema once
    few = count_statements(app, client, url)
    record(range(4, 13))
    assert count_statements(app, client, url) == few
