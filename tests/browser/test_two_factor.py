"""Two-factor sign-in in a real browser: set-up with the QR code under the CSP, recovery codes, the second step."""

import pyotp
from playwright.sync_api import expect

from tests.browser.support import sign_in


def test_setting_up_two_factor_and_signing_in_with_a_recovery_code(page, make_live_user):
    user = make_live_user("coordinator")
    sign_in(page, user.email, user.password)
    page.goto("/account")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    page.get_by_role("button", name="Start").click()

    qr = page.locator("figure.qr-figure svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["width"] == box["height"]
    secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_label("Current password").fill(user.password)
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    recovery = codes.first.inner_text()
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_text("10 recovery codes left.")).to_be_visible()

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, user.email, user.password)
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    expect(page.get_by_label("Code from your app")).to_have_attribute("autocomplete", "one-time-code")
    page.get_by_text("No phone at hand? Use a recovery code").click()
    page.get_by_label("Recovery code").fill(recovery)
    page.get_by_role("button", name="Use recovery code").click()
    expect(page.get_by_test_id("home-title")).to_be_visible()
    expect(page.locator(".alert")).to_contain_text("9 codes are left")
