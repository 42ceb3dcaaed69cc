"""The reader's formats: numbers, shares and changes, days and moments in the reader's locale (the browser's
region kept for English), times in the organisation's time zone, and one way of writing a day on every page."""

from datetime import date, datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_date, format_datetime

from core import i18n
from core.extensions import db
from core.models import Organisation

MOMENT = datetime(2026, 12, 2, 4, 43)  # stored UTC: 05:43 in Madrid, 23:43 the day before in New York


@pytest.mark.parametrize(("locale", "expected"), [
    ("es", ("1.234,6", "12.345,7", "50,5 %", "-50,5 %", "+3,0", "-20,1 %", "+12 %")),
    ("en", ("1,234.6", "12,345.7", "50.5 %", "-50.5 %", "+3.0", "-20.1 %", "+12 %")),
    ("en_GB", ("1,234.6", "12,345.7", "50.5 %", "-50.5 %", "+3.0", "-20.1 %", "+12 %")),
])
def test_numbers_shares_and_changes_in_the_readers_locale(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert (i18n.number(1234.56), i18n.number(12345.67), i18n.percent(50.5), i18n.percent(-50.5),
                i18n.signed(3), i18n.signed_percent(-20.14), i18n.signed_percent(12, 0)) == expected
        assert i18n.number(None) == i18n.percent(None) == i18n.signed(None) == i18n.signed_percent(None) == "—"
        assert i18n.number(2.5, None) == ("2,5" if locale == "es" else "2.5") and i18n.number(3.0, None) == "3"


@pytest.mark.parametrize(("locale", "day", "moment"), [
    ("es", "2/12/2026", "2/12/2026, 5:43"),
    ("en", "12/2/2026", "12/2/2026, 5:43\u202fAM"),
    ("en_GB", "02/12/2026", "02/12/2026, 05:43"),
])
def test_days_and_moments_in_the_house_format_and_the_organisations_zone(app, locale, day, moment):
    with app.test_request_context(), force_locale(locale):
        assert i18n.day(date(2026, 12, 2)) == day
        assert i18n.moment(MOMENT) == moment
        # Every named width is the house format: a page never mixes "2 dic 2026" with "2/12/26".
        for width in ("short", "medium", "long", "full"):
            assert format_date(date(2026, 12, 2), width) == day
            assert format_datetime(MOMENT, width) == moment
        assert i18n.day(None) == i18n.moment(None) == ""
        # A pattern stays a pattern (a period's label).
        assert format_date(date(2026, 12, 2), "MMM y") in ("dic 2026", "Dec 2026")


def test_the_filters_of_the_templates_are_the_house_ones(app):
    template = ("{{ d|dateformat('medium') }} | {{ m|datetimeformat('short') }} | {{ 50.5|percent }} | "
                "{{ -50.5|signed_percent }} | {{ -3|signed(0) }} | {{ 1234.5|number }} | {{ none|dateformat }}")
    with app.test_request_context(), force_locale("es"):
        assert render_template_string(template, d=date(2024, 9, 1), m=MOMENT) == (
            "1/9/2024 | 2/12/2026, 5:43 | 50,5 % | -50,5 % | -3 | 1.234,5 | ")


def test_times_are_shown_in_the_organisations_time_zone(app):
    with app.app_context():
        db.session.add(Organisation(name="Mutua", time_zone="America/New_York"))
        db.session.commit()
    with app.test_request_context(), force_locale("en_GB"):
        assert i18n.moment(MOMENT) == "01/12/2026, 23:43"  # the day before, in New York
        assert i18n.day(MOMENT) == "01/12/2026"  # the day of a moment is the local one
        assert i18n.day(date(2026, 12, 2)) == "02/12/2026"  # a day is a day, in every zone


def test_without_a_zone_of_its_own_the_organisation_uses_the_installations(app):
    with app.app_context():
        db.session.add(Organisation(name="Mutua"))
        db.session.commit()
    with app.test_request_context(), force_locale("es"):
        assert i18n.moment(MOMENT) == "2/12/2026, 5:43"  # BABEL_DEFAULT_TIMEZONE, Europe/Madrid


@pytest.mark.parametrize(("language", "tags", "expected"), [
    ("en", ["en-GB", "en"], "en_GB"),
    ("en", ["es-ES", "en-US"], "en_US"),
    ("en", ["en"], "en"),
    ("es", ["en-GB", "es-MX"], "es_MX"),
    ("es", ["en-GB"], "es"),
    ("en", ["en-XX", "en-AU"], "en_AU"),  # a region Babel does not know is passed over
])
def test_the_browsers_region_is_kept_for_the_formats(language, tags, expected):
    assert i18n.with_region(language, tags) == expected


def test_en_gb_pages_read_british_dates_and_an_english_catalogue(client, make_user):
    from tests.conftest import sign_in

    sign_in(client, make_user("coordinator"))
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in page and ">Processes</a>" in page
    with client.application.test_request_context(headers={"Accept-Language": "en-GB,en;q=0.8"}):
        assert i18n.select_locale() == "en_GB" and i18n.reader_language() == "en"


def test_the_organisation_settings_offer_the_time_zones(app, client_as):
    coordinator = client_as("coordinator")
    page = coordinator.get("/settings/organisation").get_data(as_text=True)
    assert 'name="time_zone"' in page and '<option value="Europe/Madrid">' in page
    saved = coordinator.post("/settings/organisation", data={"name": "Mutua", "time_zone": "Atlantic/Canary"})
    assert saved.status_code == 302
    with app.app_context():
        assert Organisation.current().time_zone == "Atlantic/Canary"
    assert coordinator.post("/settings/organisation", data={"name": "Mutua", "time_zone": "Mars/Olympus"}
                            ).status_code == 200  # not a choice: refused
