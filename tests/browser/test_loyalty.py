"""The census in a real browser: an analyst imports a Spanish-formatted census CSV with a bad row, reads the
error report, fixes the file, imports it, and sees the ranking with ABC classes and the history chart."""

import re

from playwright.sync_api import expect

from tests.browser.support import sign_in

HEADER = "Código;Razón social;Tipología;Zona;Fecha alta;Fecha baja;Motivo baja;Potencial;Compras;Margen\n"
ROWS = ("C-001;Ferretería Ibáñez SL;Cliente intermedio;Norte;15/03/2019;;;120.000,00;84.500,50;12.345,60\n"
        "C-002;María Peña;Usuario final;Sur;01/02/2021;;;3.000;1.200;300,5\n"
        "C-003;Colegio de Arquitectos;Prescriptor;Norte;10/10/2020;31/12/2023;Falta de contacto;;;\n"
        "C-004;Talleres Goñi SA;Cliente intermedio;Norte;31/02/2022;;;50.000;20.000;2.500\n"
        "C-005;Ane Urrutia;Usuario final;Sur;05/05/2022;;;1.000;800;90\n")


def seed_reasons(live_app):
    from core.extensions import db
    from loyalty.reasons import ensure_default_reasons

    with live_app.app_context():
        ensure_default_reasons()
        db.session.commit()
        db.session.remove()


def upload(page, tmp_path, text: str, name: str = "censo.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))  # as Excel in Spanish saves a CSV
    page.goto("/clients/import")
    form = page.locator("main form")
    form.get_by_label("File (CSV or XLSX)").set_input_files(str(path))
    form.get_by_label("Year of the figures").fill("2025")
    with page.expect_navigation():
        form.get_by_role("button", name="Upload and check").click()


def test_an_analyst_imports_a_spanish_census_fixes_a_bad_row_and_reads_ranking_and_history(
        page, live_app, make_live_user, tmp_path, console_errors):
    seed_reasons(live_app)
    analyst = make_live_user("member", name="Lucía Fernández")
    sign_in(page, analyst.email, analyst.password)

    page.goto("/clients/")
    expect(page.locator(".empty-state")).to_contain_text("No clients yet")

    # First try: row 5 has 31/02/2022, a date that does not exist.
    upload(page, tmp_path, HEADER + ROWS)
    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("1 row rejected")
    bad_row = errors.locator("tbody tr")
    expect(bad_row).to_have_count(1)
    expect(bad_row.locator("td").nth(0)).to_have_text("5")
    expect(bad_row.locator("td").nth(1)).to_have_text("Fecha alta")
    expect(bad_row.locator("td").nth(2)).to_have_text("31/02/2022")
    expect(bad_row.locator("td").nth(3)).to_contain_text("is not a date like 31/12/2024")
    expect(page.get_by_test_id("import-plan")).to_contain_text("Nothing can be imported until every row is correct.")
    expect(page.get_by_role("button", name=re.compile(r"^Import \d+ rows?$"))).to_have_count(0)
    with page.expect_download() as download_info:
        errors.get_by_role("link", name="Download the list of problems (CSV)").click()
    report = download_info.value.path().read_text(encoding="utf-8-sig")
    assert "5;Fecha alta;31/02/2022;" in report

    # The analyst fixes the date in the file and uploads it again.
    upload(page, tmp_path, HEADER + ROWS.replace("31/02/2022", "28/02/2022"), name="censo-corregido.csv")
    expect(page.get_by_test_id("import-errors")).to_contain_text("No rows rejected")
    expect(page.get_by_test_id("import-plan")).to_contain_text("5 new clients")
    expect(page.get_by_test_id("import-preview")).to_contain_text("Ferretería Ibáñez SL")
    with page.expect_navigation():
        page.get_by_role("button", name="Import 5 rows").click()
    expect(page.locator(".alert-success")).to_contain_text("5 clients added")
    expect(page.get_by_role("heading", level=1)).to_contain_text("censo-corregido.csv")
    expect(page.get_by_test_id("import-summary")).to_contain_text("4 added")

    # The ranking: margins 12 345,6 / 2 500 / 300,5 / 90 of 15 236,1 → A, B, C, C; the prescriber has none.
    page.get_by_role("link", name="Clients", exact=True).first.click()
    ranking = page.get_by_test_id("ranking")
    rows = ranking.locator("tbody tr")
    expect(rows).to_have_count(4)  # C-003 left in 2023 and has no 2025 figures: not in the 2025 ranking
    expect(rows.nth(0)).to_contain_text("C-001")
    expect(rows.nth(0).locator(".badge.abc-a")).to_have_text("A")
    expect(rows.nth(1)).to_contain_text("C-004")
    expect(rows.nth(1).locator(".badge.abc-b")).to_have_text("B")
    expect(rows.nth(3).locator(".badge.abc-c")).to_have_text("C")
    expect(page.get_by_test_id("class-population")).to_contain_text(
        re.compile(r"Classes A/B/C computed among the 4 current clients of \d{4}\."))
    expect(page.locator("#pareto-chart svg, #pareto-chart canvas").first).to_be_visible()

    # The history: joins from 2019 and the exit of 2023 with its reason, drawn as charts.
    page.get_by_role("link", name="New and lost").click()
    page.locator("#start").fill("2019")
    with page.expect_navigation():
        page.get_by_role("button", name="Show", exact=True).click()
    history = page.get_by_test_id("history")
    year_2023 = history.locator("tbody tr").filter(has=page.get_by_role("cell", name="2023", exact=True))
    expect(year_2023.locator("td").nth(3)).to_have_text("1")  # lost in 2023: the Colegio de Arquitectos
    expect(page.locator("#movements-chart svg, #movements-chart canvas").first).to_be_visible()
    expect(page.locator("#reasons-chart svg, #reasons-chart canvas").first).to_be_visible()
    expect(page.get_by_test_id("reason-totals")).to_contain_text("Lack of contact")
    expect(page.get_by_test_id("definitions")).to_contain_text("Lost ÷ clients at start")


def test_a_table_wider_than_the_window_is_reached_by_keyboard_and_named(page, live_app, make_live_user):
    """The client's yearly figures in large amounts overflow a phone's width: the scrolling box gets a tab stop and
    a name (axe's scrollable-region-focusable); where the table fits, it adds no tab stop."""
    from datetime import date

    from core.extensions import db
    from loyalty.models import Client, ClientYear, Typology

    with live_app.app_context():
        client = Client(code="W-001", name="Distribuciones Anchas SA", typology=Typology.INTERMEDIATE,
                        joined_on=date(2020, 1, 1))
        db.session.add(client)
        db.session.flush()
        for year in (2023, 2024, 2025):
            db.session.add(ClientYear(client_id=client.id, year=year, potential=987_654_321.5,
                                      purchases=123_456_789.25, margin=12_345_678.75))
        db.session.commit()
        client_id = client.id
        db.session.remove()
    analyst = make_live_user("member", name="Lucía Fernández")
    sign_in(page, analyst.email, analyst.password)
    box = page.get_by_test_id("client-years").locator("xpath=..")

    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"/clients/{client_id}")
    expect(box).not_to_have_attribute("tabindex", "0")

    page.set_viewport_size({"width": 360, "height": 800})
    expect(box).to_have_attribute("tabindex", "0")
    expect(box).to_have_attribute("role", "region")
    expect(box).to_have_accessible_name("Yearly figures")
    box.focus()
    expect(box).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle())

    page.reload()  # laid out narrow from the start
    expect(box).to_have_attribute("tabindex", "0")
