"""The census pages: ranking, client, history, segments and settings, for valid and invalid input."""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from loyalty.models import CensusSettings, Client, ExitReason


def test_an_empty_census_invites_to_import(client_as):
    page = client_as("member").get("/clients/").get_data(as_text=True)
    assert "No clients yet" in page and "/clients/import" in page


def test_the_ranking_shows_ranks_classes_strategic_clients_and_the_pareto_chart(client_as, make_client):
    make_client("BIG", figures={2024: (1000, 500, 80)}, strategic=True, strategic_reason="Flagship")
    make_client("MID", figures={2024: (1000, 300, 15)})
    make_client("SMALL", figures={2024: (1000, 100, 5)})
    response = client_as("reviewer").get("/clients/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.index("BIG") < page.index("MID") < page.index("SMALL")
    assert 'class="badge abc-a"' in page and 'class="badge abc-b"' in page and 'class="badge abc-c"' in page
    assert "table-warning" in page and "Strategic" in page
    assert 'id="pareto-chart"' in page and "50.0 %" in page  # share of purchases 500 ÷ 1000
    assert "New client" not in page  # reviewers read


def test_filters_search_sort_and_pagination(app, client_as, make_client):
    for number in range(30):
        make_client(f"K{number:02d}", figures={2024: (None, 10, 100 - number)},
                    region="Norte" if number % 2 else "Sur")
    member = client_as("member")
    page = member.get("/clients/?region=Norte&abc=A").get_data(as_text=True)
    assert "K01" in page and "K00" not in page
    page = member.get("/clients/?q=k2&sort=code&dir=desc").get_data(as_text=True)
    assert page.index("K29") < page.index("K20") and "K19" not in page
    assert "1–25 of 30" in member.get("/clients/").get_data(as_text=True)
    assert "K29" in member.get("/clients/?page=2").get_data(as_text=True)
    assert member.get("/clients/?page=9").status_code == 404
    assert "No clients match" in member.get("/clients/?q=nobody").get_data(as_text=True)


def _row(page: str, code: str) -> str:
    """The ranking table's row of the client ``code``."""
    start = page.index(f">{code}</a>")
    return page[start:page.index("</tr>", start)]


def test_the_page_says_over_whom_classes_are_computed(client_as, make_client):
    lost = make_client("L400", left=date(2024, 10, 1), figures={2024: (None, 10, 400)})
    current = make_client("C150", figures={2024: (None, 10, 150)})
    make_client("C100", figures={2024: (None, 10, 100)})
    member = client_as("member")
    page = member.get("/clients/").get_data(as_text=True)
    assert "Classes A/B/C computed among the 2 current clients of 2024." in page and "L400" not in page
    assert 'badge abc-a' in _row(page, "C100")  # 150 and 100 make the first 80 % of 250
    page = member.get("/clients/?population=all&status=active").get_data(as_text=True)
    assert "Classes A/B/C computed among all 3 clients of 2024" in page and "L400" not in page
    assert 'badge abc-b' in _row(page, "C100")  # C100 starts after 550 of 650 (84.6 %)
    assert "L400" in member.get("/clients/?population=all&status=lost").get_data(as_text=True)
    assert "Classes A/B/C computed among the 2 current" in member.get("/clients/?population=bogus") \
        .get_data(as_text=True)
    text = member.get("/clients/export.csv?population=all").get_data().decode("utf-8-sig")
    assert "L400" in text and "L400" not in member.get("/clients/export.csv").get_data().decode("utf-8-sig")
    page = member.get(f"/clients/{lost}").get_data(as_text=True)
    assert "Rank 1 of 3, class" in page and "Among all clients of the year, lost ones included." in page
    page = member.get(f"/clients/{current}").get_data(as_text=True)
    assert "Rank 1 of 2, class" in page and "Among the current clients." in page
    page = member.get("/clients/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Clases A/B/C calculadas entre los 2 clientes actuales de 2024." in page and "Clases entre" in page


def test_export_neutralises_formulas(client_as, make_client):
    make_client("=CMD()", name="+danger", figures={2024: (None, 10, 10)})
    response = client_as("member").get("/clients/export.csv?q=cmd")
    text = response.get_data().decode("utf-8-sig")
    assert response.status_code == 200 and "'=CMD()" in text and "'+danger" in text
    workbook = load_workbook(io.BytesIO(client_as("member").get("/clients/export.xlsx").get_data()))
    rows = list(workbook.active.values)
    assert rows[0][:3] == ("Rank", "Code", "Name") and rows[1][1] == "'=CMD()" and rows[1][-1] == "A"


def test_creating_editing_and_refusing_a_duplicate_code(app, client_as, make_client):
    make_client("TAKEN")
    member = client_as("member")
    form = {"code": "NEW-1", "name": "Nueva SL", "typology": "intermediate", "joined_on": "2023-04-01",
            "segment": "Pymes", "strategic": "y", "strategic_reason": ""}
    assert "Say why the client is strategic" in member.post("/clients/new", data=form).get_data(as_text=True)
    response = member.post("/clients/new", data=form | {"strategic_reason": "Opens the northern market"})
    assert response.status_code == 302
    with app.app_context():
        created = db.session.query(Client).filter_by(code="NEW-1").one()
        client_id, version = created.id, created.version
        assert created.strategic and created.typology.value == "intermediate"
        trail = db.session.query(AuditEntry).filter_by(entity_type="clients", entity_id=str(client_id))
        assert [entry.action for entry in trail] == ["insert"]
    duplicate = member.post(f"/clients/{client_id}/edit", data=form | {"code": "taken", "version": version,
                                                                       "strategic_reason": "x"})
    assert "There is already a client with code taken" in duplicate.get_data(as_text=True)
    saved = member.post(f"/clients/{client_id}/edit", data=form | {"name": "Nueva SA", "strategic_reason": "x",
                                                                   "version": version})
    assert saved.status_code == 302
    stale = member.post(f"/clients/{client_id}/edit", data=form | {"name": "Old", "strategic_reason": "x",
                                                                   "version": version})
    assert 'data-testid="edit-conflict"' in stale.get_data(as_text=True)


def test_marking_a_client_lost_needs_a_date_after_joining_and_a_reason(app, client_as, make_client, exit_reasons):
    client_id = make_client("BYE", joined=date(2022, 5, 1))
    member = client_as("member")
    refused = member.post(f"/clients/{client_id}/lost", data={"left_on": "2022-04-30",
                                                              "reason": exit_reasons["no_use"]},
                          follow_redirects=True).get_data(as_text=True)
    assert "The exit date 4/30/2022 is before the client joined (5/1/2022)." in refused
    assert "Choose the exit reason" in member.post(f"/clients/{client_id}/lost", data={"left_on": "2023-01-01"},
                                                   follow_redirects=True).get_data(as_text=True)
    page = member.post(f"/clients/{client_id}/lost", data={"left_on": "2023-01-01", "reason": exit_reasons["no_use"],
                                                           "note": "Ya no lo usa"},
                       follow_redirects=True).get_data(as_text=True)
    assert "BYE is recorded as lost" in page and "No use" in page
    with app.app_context():
        client = db.session.get(Client, client_id)
        assert client.left_on == date(2023, 1, 1) and client.exit_note == "Ya no lo usa"
    member.post(f"/clients/{client_id}/reinstate", data={"confirm": "yes", "reason": "Recorded by mistake"})
    with app.app_context():
        assert db.session.get(Client, client_id).left_on is None


def test_yearly_figures_are_added_never_overwritten(app, client_as, make_client):
    client_id = make_client("FIG", figures={2023: (100, 50, 5)})
    member = client_as("member")
    again = member.post(f"/clients/{client_id}/figures", data={"year": 2023, "purchases": "60"},
                        follow_redirects=True).get_data(as_text=True)
    assert "The figures of 2023 are already recorded" in again
    assert "Purchases" in member.post(f"/clients/{client_id}/figures", data={"year": 2024, "purchases": "-1"},
                                      follow_redirects=True).get_data(as_text=True)
    member.post(f"/clients/{client_id}/figures", data={"year": 2024, "potential": "1000", "purchases": "250.5",
                                                       "margin": "25"})
    page = member.get(f"/clients/{client_id}").get_data(as_text=True)
    assert "25.1 %" in page or "25.0 %" in page  # 250.5 ÷ 1000
    assert 'data-testid="voice-of-the-client"' in page
    with app.app_context():
        assert [(y.year, y.purchases) for y in db.session.get(Client, client_id).years] == [(2023, 50), (2024, 250.5)]


def test_history_page_shows_periods_charts_and_definitions(client_as, make_client, exit_reasons):
    make_client("H1", joined=date(2021, 3, 1))
    make_client("H2", joined=date(2021, 6, 1), left=date(2022, 2, 1), reason_id=exit_reasons["competitor"])
    member = client_as("member")
    page = member.get("/clients/history?granularity=year&start=2021&end=2022").get_data(as_text=True)
    assert 'id="movements-chart"' in page and 'id="reasons-chart"' in page and "Moved to a competitor" in page
    assert 'data-testid="reason-totals"' in page  # the totals of loyalty.history.exit_reason_totals
    assert "Lost ÷ clients at start" in page
    quarters = member.get("/clients/history?granularity=quarter&start=2022&end=2022").get_data(as_text=True)
    assert "2022 Q1" in quarters and "50.0 %" in quarters  # 1 lost of 2 at start
    assert "No history yet" not in quarters


def test_segments_link_to_the_clients_of_each_cell(client_as, make_client):
    make_client("SEG", joined=date(2010, 1, 1), figures={2024: (None, 10, 10)})
    page = client_as("reviewer").get("/clients/segments").get_data(as_text=True)
    assert "Preferential" in page and "abc=A" in page and "tenure=loyal" in page


def test_settings_change_the_classes_and_refuse_nonsense(app, client_as, make_client):
    coordinator = client_as("coordinator")
    form = {"contribution_basis": "revenue", "class_a_share": "70", "class_b_share": "90", "loyalty_axis": "tenure",
            "tenure_short_years": "1", "tenure_long_years": "4"}
    assert coordinator.post("/clients/settings", data=form | {"class_b_share": "60"}).status_code == 200
    assert coordinator.post("/clients/settings", data=form | {"loyalty_axis": "satisfaction"}).status_code == 200
    assert coordinator.post("/clients/settings", data=form).status_code == 302
    with app.app_context():
        saved = db.session.query(CensusSettings).one()
        assert (saved.contribution_basis.value, saved.class_a_share) == ("revenue", 70.0)
    assert client_as("member").post("/clients/settings", data=form).status_code == 403


def test_exit_reasons_can_be_added_and_withdrawn(app, client_as, exit_reasons):
    coordinator = client_as("coordinator")
    coordinator.post("/clients/settings/reasons", data={"name": "Fusión con otra empresa"})
    duplicate = coordinator.post("/clients/settings/reasons", data={"name": "poor service"}, follow_redirects=True)
    assert "already in the list" in duplicate.get_data(as_text=True)
    coordinator.post(f"/clients/settings/reasons/{exit_reasons['no_use']}/withdraw")
    with app.app_context():
        assert db.session.get(ExitReason, exit_reasons["no_use"]).active is False
        assert db.session.query(ExitReason).filter_by(name="Fusión con otra empresa").one().key is None


def _text(page: str) -> str:
    """The page without its form values (a filter's options carry the stored values, as they must)."""
    return re.sub(r'value="[^"]*"', "", page)


#: Each language's money for the figures (12000, 8450.5, 437.04), and the label of the typology "end_user".
READERS = {
    "es": {"potential": "12.000\xa0€", "purchases": "8.450,50\xa0€", "margin": "437,04\xa0€",
           "typology": "Usuario final"},
    "en": {"potential": "€12,000", "purchases": "€8,450.50", "margin": "€437.04", "typology": "End user"},
}


def test_the_ranking_and_a_clients_page_show_money_with_its_cents_and_typologies_by_their_labels(
        client_as, make_client):
    client_id = make_client("CENTS", typology="end_user", figures={2024: (12000, 8450.5, 437.04)})
    make_client("WHOLE", figures={2024: (None, 100, 300)})
    member = client_as("member")
    for language, shown in READERS.items():
        ranking = member.get("/clients/", headers={"Accept-Language": language}).get_data(as_text=True)
        row = _row(ranking, "CENTS")
        # Potential, purchases and the contribution (the margin, by default) as the reader writes money.
        assert all(shown[name] in row for name in ("potential", "purchases", "margin")), (language, row)
        assert shown["typology"] in row and "end_user" not in _text(ranking)
        page = member.get(f"/clients/{client_id}", headers={"Accept-Language": language}).get_data(as_text=True)
        assert all(shown[name] in page for name in ("potential", "purchases", "margin")), language
        assert shown["typology"] in page and "end_user" not in _text(page)
    assert "437,04" not in _row(ranking, "WHOLE") and "€300<" in _row(ranking, "WHOLE")  # whole stays whole


def test_sums_over_many_clients_are_in_whole_euros(client_as, make_client, exit_reasons):
    make_client("A1", joined=date(2010, 1, 1), figures={2024: (None, 10, 437.04)})
    make_client("A2", joined=date(2010, 1, 1), left=date(2024, 6, 1), reason_id=exit_reasons["no_use"],
                figures={2024: (None, 10, 100.30)})
    member = client_as("member")
    segments = member.get("/clients/segments?year=2024", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "contribución 437\xa0€" in segments and "437,04" not in segments
    history = member.get("/clients/history?granularity=year&start=2024&end=2024").get_data(as_text=True)
    assert "€100<" in history and "100.30" not in history  # the contribution lost in 2024


def test_the_ranking_export_keeps_every_cent_and_names_typologies_in_the_readers_language(client_as, make_client):
    make_client("CENTS", typology="prescriber", figures={2024: (12000, 8450.5, 437.04)})
    member = client_as("member")
    spanish = member.get("/clients/export.csv", headers={"Accept-Language": "es"}).get_data().decode("utf-8-sig")
    row = spanish.splitlines()[1].split(";")
    assert row[3] == "Prescriptor" and "437,04" in row and "8450,5" in row and "prescriber" not in spanish
    english = member.get("/clients/export.csv", headers={"Accept-Language": "en"}).get_data().decode("utf-8-sig")
    assert "Prescriber" in english and "437.04" in english.splitlines()[1].split(",")
    workbook = load_workbook(io.BytesIO(member.get("/clients/export.xlsx").get_data()))
    header, values = list(workbook.active.values)[:2]
    assert values[header.index("Margin")] == 437.04 and values[header.index("Typology")] == "Prescriber"


@pytest.mark.parametrize("app_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_the_ranking_page_is_served_again_until_the_census_changes(app, client_as, make_client):
    """Laying out the ranking costs most of its page: a session that asks again gets the kept page, reading only
    who is signed in and, in the same statement, the data version; a change to the census shows on the next
    request."""
    from sqlalchemy import event

    make_client("BIG", figures={2024: (1000, 500, 80)})
    make_client("SMALL", figures={2024: (1000, 100, 5)})
    member = client_as("member")
    member.get("/clients/")  # the session's first form: its CSRF secret is made now, nothing is kept
    first = member.get("/clients/").get_data(as_text=True)
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        again = member.get("/clients/").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert again == first and len(seen) == 1, seen
    with app.app_context():
        db.session.scalar(select(Client).where(Client.code == "SMALL")).name = "Renamed SL"
        db.session.commit()
    assert "Renamed SL" in member.get("/clients/").get_data(as_text=True)
