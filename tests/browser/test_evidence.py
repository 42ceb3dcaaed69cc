"""A certification reviewer in a real browser: signs in, reads the checklist, records a verdict and downloads the
evidence pack built by a background job whose progress the page follows."""

import re
from io import BytesIO

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.support import sign_in
from tests.browser.test_processes import add_process, add_programme
from tests.evidence_fixtures import checklist_ids


def test_a_reviewer_records_a_verdict_and_downloads_the_pack(page, live_app, make_live_user, console_errors):
    checklist_ids(live_app)  # the shipped checklist, stored at setup (no page stores it)
    programme_id = add_programme(live_app)
    owner = make_live_user("member", name="Olga Navarro")
    add_process(live_app, programme_id, "FID-C01", "Welcoming new members", owner_id=owner.id)
    reviewer = make_live_user("reviewer", name="Rachel Adams")
    sign_in(page, reviewer.email, reviewer.password)

    page.get_by_role("link", name="Evidence", exact=True).click()
    expect(page).to_have_url(re.compile(r"/evidence/$"))
    expect(page.get_by_test_id("readiness")).to_contain_text("of 9 criteria")
    expect(page.get_by_test_id("gaps")).to_contain_text("FID-C01: 0 of 1 participants, 0 of 1 indicators")
    expect(page.get_by_role("button", name="Add evidence")).to_have_count(0)  # reviewers do not upload

    page.get_by_test_id("checklist").get_by_role("link", name="A1").click()
    expect(page.get_by_test_id("criterion-text")).to_contain_text("Evidence that the process map for client loyalty")
    expect(page.get_by_role("button", name="Record self-assessment")).to_have_count(0)
    verdicts = page.locator("#verdicts")
    verdicts.get_by_label("Verdict").select_option(label="Partly met")
    verdicts.get_by_label("Comments").fill("FID-C01 has no participants yet.")
    with page.expect_navigation():
        verdicts.get_by_role("button", name="Record verdict").click()
    expect(page.locator(".alert-success")).to_contain_text("Verdict on A1 recorded.")
    history = page.get_by_test_id("verdict-history")
    expect(history.locator("li")).to_have_count(1)
    expect(history).to_contain_text("Partly met")
    expect(history).to_contain_text("Rachel Adams")
    expect(history).to_contain_text("FID-C01 has no participants yet.")

    page.goto("/evidence/")
    row = page.get_by_test_id("checklist").locator("tr[data-criterion=A1]")
    expect(row.locator("[data-assessment=partly]")).to_have_count(1)
    form = page.get_by_test_id("pack-form")
    form.get_by_label("Language of the pack").select_option("en")
    with page.expect_navigation():
        form.get_by_role("button", name="Generate evidence pack (PDF)").click()
    expect(page).to_have_url(re.compile(r"/evidence/jobs/\d+$"))
    job = page.get_by_test_id("pack-job")
    link = job.get_by_role("link", name="Download the evidence pack")
    expect(link).to_be_visible(timeout=60_000)
    expect(job).to_have_attribute("data-state", "done")
    expect(job.locator("[data-job-bar]")).to_have_text("100 %")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("evidence-pack-FID-A1E1-all-en-")
    with open(download.path(), "rb") as handle:
        reader = PdfReader(BytesIO(handle.read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Checklist summary" in text and "FID-C01 has no participants yet." in text and "Rachel Adams" in text
    assert console_errors == []
