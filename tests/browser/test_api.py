"""API tokens and the API reference in a real browser: a token created on the account page is shown once and works;
Swagger UI runs from the app's own files under its Content-Security-Policy (a violation is a console error, which
fails the test)."""

from playwright.sync_api import expect

from tests.browser.support import sign_in


def test_a_token_created_on_the_account_page_is_shown_once_and_reads_the_api(page, live_url, make_live_user):
    user = make_live_user("member", name="Jon Arregi")
    sign_in(page, user.email, user.password)
    page.goto("/account")
    page.get_by_label("Name", exact=True).fill("BI export")
    page.get_by_label("Scope").select_option("read")
    with page.expect_navigation():
        page.get_by_role("button", name="Create token").click()
    secret = page.locator("#api-token-secret").input_value()
    assert secret.startswith("fdz_")
    answer = page.request.get(f"{live_url}/api/v1/processes", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and answer.json()["meta"]["total"] == 0
    page.get_by_role("link", name="Back to my account").click()
    expect(page.locator("#api-tokens")).to_contain_text("BI export")
    expect(page.locator("#api-tokens")).not_to_contain_text(secret)


def test_the_api_reference_runs_under_the_csp(page, live_url):
    page.goto("/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/checklist")).to_be_visible()
