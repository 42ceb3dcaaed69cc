"""The voice of the client through HTTP: the complaints register, its import, requirements, listening
activities and the cost of listening, on valid and invalid paths."""

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from core.extensions import db
from voice.models import (
    Complaint,
    ComplaintCategory,
    ListeningActivity,
    ListeningAssumptions,
    Requirement,
    RequirementStatus,
)


@pytest.fixture
def category(app):
    with app.app_context():
        category = ComplaintCategory(name="Delays", active=True)
        db.session.add(category)
        db.session.commit()
        return category.id


def _complaint_form(category, **changes):
    return {"kind": "complaint", "received_on": "2025-03-03", "channel": "phone", "category_id": str(category),
            "description": "Nobody called back", "reference": "", "client_code": "", "responded_on": "",
            "resolution": "", "satisfaction": "0"} | changes


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_voice_of_the_clients_pages_are_under_clients_in_the_main_menu(client_as):
    page = client_as("member").get("/clients/complaints").get_data(as_text=True)
    assert re.search(r'nav-link active"\s+aria-current="page"\s+href="/clients/"', page)


def test_a_member_records_a_complaint_answers_it_and_sees_the_response_time(app, client_as, category, make_client):
    client_id = make_client("S-1")
    member = client_as("member")
    response = member.post("/clients/complaints/new", data=_complaint_form(category, client_code="S-1"))
    assert response.status_code == 302
    with app.app_context():
        complaint = db.session.scalar(select(Complaint))
        complaint_id, version = complaint.id, complaint.version
        assert complaint.client_id == client_id
    answered = _complaint_form(category, client_code="S-1", responded_on="2025-03-10", resolution="Called",
                               satisfaction="4", version=str(version))
    assert member.post(f"/clients/complaints/{complaint_id}/edit", data=answered).status_code == 302
    detail = member.get(f"/clients/complaints/{complaint_id}").get_data(as_text=True)
    assert "7 days" in detail
    listing = member.get("/clients/complaints").get_data(as_text=True)
    assert "complaints-monthly" in listing and "complaints-response-trend" in listing and "7.0 days" in listing
    assert "Nobody called back" in member.get(f"/clients/{client_id}").get_data(as_text=True)


def test_bad_complaints_are_refused_with_the_field_named(app, client_as, category):
    member = client_as("member")
    early = member.post("/clients/complaints/new", data=_complaint_form(category, responded_on="2025-03-01"))
    assert early.status_code == 200 and "is before the date it was received" in early.get_data(as_text=True)
    unknown = member.post("/clients/complaints/new", data=_complaint_form(category, client_code="NOPE"))
    assert "There is no client with code “NOPE” in the census." in unknown.get_data(as_text=True)
    no_category = member.post("/clients/complaints/new", data=_complaint_form(0))
    assert "Choose a category." in no_category.get_data(as_text=True)
    assert _count(app, Complaint) == 0


def test_the_register_filters_sorts_and_exports(app, client_as, category):
    member = client_as("member")
    for number, day in enumerate(("2025-01-10", "2025-02-10", "2025-02-20"), start=1):
        member.post("/clients/complaints/new", data=_complaint_form(
            category, reference=f"R{number}", received_on=day, description=f"Text {number}",
            kind="claim" if number == 2 else "complaint"))
    page = member.get("/clients/complaints?kind=claim").get_data(as_text=True)
    assert "Text 2" in page and "Text 1" not in page
    page = member.get("/clients/complaints?sort=received&dir=asc").get_data(as_text=True)
    assert page.index("Text 1") < page.index("Text 3")
    bad_date = member.get("/clients/complaints?start=31/31/2025")
    assert bad_date.status_code == 200
    export = member.get("/clients/complaints/export.csv?q=text 3")
    assert export.status_code == 200 and "R3" in export.get_data(as_text=True)
    assert "R1" not in export.get_data(as_text=True)


CSV_OK = ("Referencia;Tipo;Fecha;Canal;Categoría;Descripción;Fecha respuesta;Satisfacción\n"
          "T-1;Queja;03/02/2025;Teléfono;delays;No me llamaron;05/02/2025;4\n"
          "T-2;Consulta;04/02/2025;correo;Delays;¿Horario?;;\n")
CSV_BAD = ("Referencia;Tipo;Fecha;Categoría;Descripción;Fecha respuesta;Satisfacción\n"
           "T-1;Queja;03/02/2025;Delays;Bien;05/02/2025;4\n"
           "T-2;Queja;04/02/2025;Unknown;X;;\n"
           "T-3;Opinión;04/02/2025;Delays;X;01/02/2025;9\n"
           "T-1;Queja;04/02/2025;Delays;X;;\n"
           "T-4;Queja;04/02/2025;Delays;X;;3\n")


def _upload(member, text):
    response = member.post("/clients/complaints/import",
                           data={"file": (io.BytesIO(text.encode()), "quejas.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_an_import_adds_every_row(app, client_as, category):
    member = client_as("member")
    url = _upload(member, CSV_OK)
    check = member.get(url).get_data(as_text=True)
    assert "Import 2 records" in check
    mapping = {"column_reference": "Referencia", "column_kind": "Tipo", "column_received_on": "Fecha",
               "column_channel": "Canal", "column_category": "Categoría", "column_description": "Descripción",
               "column_responded_on": "Fecha respuesta", "column_satisfaction": "Satisfacción"}
    assert member.post(url, data=mapping | {"confirm": "1"}).status_code == 302
    with app.app_context():
        found = {c.reference: (c.kind.value, c.response_days, c.satisfaction) for c in db.session.scalars(
            select(Complaint))}
    assert found == {"T-1": ("complaint", 2, 4), "T-2": ("enquiry", None, None)}


def test_an_import_with_bad_rows_reports_every_one_and_writes_nothing(app, client_as, category):
    member = client_as("member")
    url = _upload(member, CSV_BAD)
    page = member.get(url).get_data(as_text=True)
    assert "5 rows rejected" in page and "needs a response date" in page
    assert "“Unknown” is not one of: Delays" in page
    assert "“Opinión” is not one of" in page and "“9” is more than 5" in page
    assert "Reference T-1 is also in row 2." in page and "Reference T-1 is also in row 5." in page
    mapping = {"column_reference": "Referencia", "column_kind": "Tipo", "column_received_on": "Fecha",
               "column_category": "Categoría", "column_description": "Descripción",
               "column_responded_on": "Fecha respuesta", "column_satisfaction": "Satisfacción"}
    member.post(url, data=mapping | {"confirm": "1"})
    assert _count(app, Complaint) == 0
    report = member.get(url + "?report=csv").get_data(as_text=True)
    assert "Unknown" in report


def test_requirement_workflow_through_the_pages(app, client_as):
    member = client_as("member")
    data = {"statement": "Statements in Basque", "explicit": "0", "typology": "end_user", "source": "survey",
            "identified_on": "2025-01-05", "importance": "3", "origin": ""}
    assert member.post("/clients/requirements/new", data=data).status_code == 302
    with app.app_context():
        requirement_id = db.session.scalar(select(Requirement.id))
    url = f"/clients/requirements/{requirement_id}/status"
    member.post(url, data={"status": "closed-by-magic"})
    assert "Choose a status from the list." in member.get(f"/clients/requirements/{requirement_id}").get_data(
        as_text=True)
    member.post(url, data={"status": "addressed"})
    refused = member.get(f"/clients/requirements/{requirement_id}").get_data(as_text=True)
    assert "cannot go from “New” to “Addressed”" in refused
    member.post(url, data={"status": "rejected", "reason": ""})
    assert "Say why the requirement is rejected." in member.get(f"/clients/requirements/{requirement_id}").get_data(
        as_text=True)
    member.post(url, data={"status": "rejected", "reason": "Not allowed by law"})
    with app.app_context():
        saved = db.session.get(Requirement, requirement_id)
        assert (saved.status, saved.rejection_reason, saved.explicit) == (RequirementStatus.REJECTED,
                                                                         "Not allowed by law", False)
    listing = member.get("/clients/requirements?status=rejected").get_data(as_text=True)
    assert "Statements in Basque" in listing


def test_a_requirement_from_an_activity_keeps_its_origin(app, client_as):
    member = client_as("member")
    response = member.post("/clients/listening/new", data={
        "kind": "focus_group", "title": "Retired members", "held_on": "2025-02-01", "participants": "9",
        "typology": "end_user", "findings": "Want phone calls", "staff_hours": "12,5", "hourly_rate": "30",
        "external_cost": "150"})
    assert response.status_code == 302
    with app.app_context():
        activity = db.session.scalar(select(ListeningActivity))
        assert activity.cost == pytest.approx(525)
        activity_id = activity.id
    data = {"statement": "A call before each change", "explicit": "1", "typology": "", "source": "survey",
            "identified_on": "2025-02-02", "importance": "2", "origin": f"activity:{activity_id}"}
    wrong = member.post("/clients/requirements/new", data=data)
    assert "has the source “Focus group”" in wrong.get_data(as_text=True)
    assert member.post("/clients/requirements/new", data=data | {"source": "focus_group"}).status_code == 302
    page = member.get(f"/clients/listening/{activity_id}").get_data(as_text=True)
    assert "A call before each change" in page and "525" in page


def test_reviewers_read_the_registers_but_change_nothing(app, client_as, category):
    reviewer = client_as("reviewer")
    for url in ("/clients/complaints", "/clients/requirements", "/clients/listening", "/clients/listening/worth-it",
                "/clients/complaints/categories"):
        assert reviewer.get(url).status_code == 200, url
    assert reviewer.post("/clients/complaints/new", data=_complaint_form(category)).status_code == 403
    assert reviewer.post("/clients/listening/worth-it/assumptions", data={}).status_code == 403


def test_the_worth_it_page_shows_costs_and_takes_assumptions(app, client_as, make_client):
    for number in range(4):
        make_client(f"K{number}", joined=date(2020, 1, 1), figures={2024: (None, 1000, 300)})
    member = client_as("member")
    member.post("/clients/listening/new", data={
        "kind": "market_study", "title": "Study", "held_on": "2024-05-01", "participants": "200", "typology": "",
        "findings": "", "staff_hours": "", "hourly_rate": "", "external_cost": "1200"})
    page = member.get("/clients/listening/worth-it").get_data(as_text=True)
    assert "listening-cost-benefit" in page and "1,200" in page
    coordinator = client_as("coordinator")
    bad = coordinator.post("/clients/listening/worth-it/assumptions", data={
        "attribution": "150", "value_years": "1", "default_hourly_rate": "30", "version": ""})
    assert bad.status_code == 422 and "Number must be between 0 and 100" in bad.get_data(as_text=True)
    assert member.post("/clients/listening/worth-it/assumptions", data={}).status_code == 403
    ok = coordinator.post("/clients/listening/worth-it/assumptions", data={
        "baseline_year": "2023", "attribution": "25,5", "value_years": "3", "default_hourly_rate": "40",
        "average_contribution": "", "version": ""})
    assert ok.status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(ListeningAssumptions))
        assert (saved.baseline_year, saved.attribution, saved.value_years) == (2023, 25.5, 3)


def test_the_usual_categories_can_start_an_empty_list(app, client_as):
    member = client_as("member")
    assert "No categories yet" in member.get("/clients/complaints/categories").get_data(as_text=True)
    member.post("/clients/complaints/categories/usual")
    assert _count(app, ComplaintCategory) == 6
    clash = member.post("/clients/complaints/categories", data={"name": "response DELAYS"})
    assert "There is already a category called" in clash.get_data(as_text=True)


def test_an_activitys_cost_keeps_its_cents_and_the_years_totals_are_whole(app, client_as):
    member = client_as("member")
    member.post("/clients/listening/new", data={
        "kind": "focus_group", "title": "Socios jubilados", "held_on": "2024-03-01", "participants": "9",
        "typology": "end_user", "findings": "", "staff_hours": "12,5", "hourly_rate": "30,26", "external_cost": "150"})
    with app.app_context():
        activity_id = db.session.scalar(select(ListeningActivity.id))
    spanish = {"Accept-Language": "es"}
    page = member.get(f"/clients/listening/{activity_id}", headers=spanish).get_data(as_text=True)
    assert "528,25\xa0€" in page and "× 30,26\xa0€ + 150\xa0€ externos" in page  # 12,5 h × 30,26 € + 150 €
    assert "Usuario final" in page
    listed = member.get("/clients/listening", headers=spanish).get_data(as_text=True)
    assert "528,25\xa0€" in listed and ">end_user<" not in listed
    page = member.get("/clients/listening/worth-it").get_data(as_text=True)
    totals = page[page.index('data-testid="listening-years"'):page.index("</table>", page.index("listening-years"))]
    assert "€528<" in totals and "528.25" not in totals  # a year's cost of listening: a sum, in whole euros
