"""The value mapping in a real browser: an analyst imports a Spanish census whose exit reasons are written as the
organisation writes them (seeds/003: "Insatisfacción con el servicio", "No desea renovación", "Cancelación por
falta de pago"), matches them once on the check page, imports, and imports a second file without being asked."""

import re

from playwright.sync_api import expect

from tests.browser.support import sign_in

HEADER = "Código;Razón social;Tipología;Fecha alta;Fecha baja;Motivo baja\n"
FIRST = ("C-001;Ferretería Ibáñez SL;Cliente intermedio;15/03/2019;;\n"
         "C-002;María Peña;Usuario final;01/02/2021;30/06/2024;Insatisfacción con el servicio\n"
         "C-003;Talleres Goñi SA;Cliente intermedio;10/10/2020;31/03/2024;No desea renovación\n"
         "C-004;Ane Urrutia;Usuario final;05/05/2022;15/09/2024;Cancelación por falta de pago\n"
         "C-005;Jon Etxeberria;Usuario final;05/05/2022;15/10/2024;INSATISFACCION CON EL SERVICIO\n")
SECOND = ("C-006;Miren Agirre;Usuario final;01/01/2021;31/01/2024;Insatisfacción con el servicio\n"
          "C-007;Goñi Hermanos;Cliente intermedio;01/01/2021;28/02/2024;No desea renovación\n")


def seed_reasons(live_app):
    from core.extensions import db
    from loyalty.reasons import ensure_default_reasons

    with live_app.app_context():
        ensure_default_reasons()
        db.session.commit()
        db.session.remove()


def upload(page, tmp_path, text: str, name: str):
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))  # as Excel in Spanish saves a CSV
    page.goto("/clients/import")
    form = page.locator("main form")
    form.get_by_label("File (CSV or XLSX)").set_input_files(str(path))
    form.get_by_label("Year of the figures").fill("2024")
    with page.expect_navigation():
        form.get_by_role("button", name="Upload and check").click()


def test_an_analyst_matches_the_organisations_exit_reasons_once(page, live_app, make_live_user, tmp_path,
                                                                 console_errors):
    seed_reasons(live_app)
    analyst = make_live_user("member", name="Lucía Fernández")
    sign_in(page, analyst.email, analyst.password)

    upload(page, tmp_path, HEADER + FIRST, "censo-2024.csv")
    matches = page.get_by_test_id("values-to-match")
    expect(matches).to_be_visible()
    expect(page.get_by_test_id("import-errors")).to_contain_text("4 rows rejected")
    # Each value once, with its rows, and the reason it is most like chosen already.
    for spelling, rows, reason in (("Insatisfacción con el servicio", "2 rows", "Dissatisfaction"),
                                   ("No desea renovación", "1 row", "No renewal"),
                                   ("Cancelación por falta de pago", "1 row", "Cancelled for non-payment")):
        select = matches.get_by_label(f"“{spelling}”")
        expect(select.locator("option:checked")).to_have_text(reason)
        expect(matches.locator("tbody tr", has_text=spelling)).to_contain_text(rows)
    expect(matches.get_by_role("option", name="Add it to the exit reasons")).to_have_count(0)  # a member's page
    with page.expect_navigation():
        matches.get_by_role("button", name="Save these matches and check again").click()
    expect(page.locator(".alert-success")).to_contain_text("3 values matched")
    expect(page.get_by_test_id("values-to-match")).to_have_count(0)
    expect(page.get_by_test_id("import-errors")).to_contain_text("No rows rejected")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Import \d+ rows?$")).click()
    expect(page.locator(".alert-success")).to_contain_text("5 clients added")

    # The next file writes the reasons the same way: it goes through without a question.
    upload(page, tmp_path, HEADER + SECOND, "censo-2024-b.csv")
    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    expect(page.get_by_test_id("values-to-match")).to_have_count(0)
    expect(page.get_by_test_id("import-errors")).to_contain_text("No rows rejected")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Import \d+ rows?$")).click()
    expect(page.locator(".alert-success")).to_contain_text("2 clients added")

    # In the analysis the organisation's wording counts as the app's reasons: 3 for dissatisfaction.
    page.goto("/clients/history?start=2019")
    totals = page.get_by_test_id("reason-totals")
    expect(totals).to_contain_text("Dissatisfaction")
    expect(totals).not_to_contain_text("Insatisfacción con el servicio")
    expect(totals.locator("tr", has_text="Dissatisfaction").locator("td").nth(1)).to_have_text("3")
