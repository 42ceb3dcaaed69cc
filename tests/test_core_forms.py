"""Shared form fields: numbers written the reader's way."""

import pytest
from flask_babel import force_locale
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from core.forms import NumberField


class Amount(FlaskForm):
    class Meta:
        csrf = False

    value = NumberField("Value")


@pytest.mark.parametrize(("locale", "typed", "read", "shown"), [
    ("es", "87,5", 87.5, "87,5"),
    ("es", "1.234,5", 1234.5, "1234,5"),
    ("en", "87.5", 87.5, "87.5"),
    ("en", "1,234.5", 1234.5, "1234.5"),
])
def test_a_number_is_read_and_shown_in_the_readers_convention(app, locale, typed, read, shown):
    with app.test_request_context(), force_locale(locale):
        form = Amount(MultiDict({"value": typed}))
        assert form.validate() and form.value.data == read
        assert Amount(data={"value": read}).value._value() == shown


def test_the_number_box_takes_a_decimal_comma_in_any_browser_and_brings_up_the_keypad(app):
    with app.test_request_context(), force_locale("es"):
        html = str(Amount(data={"value": 4.0}).value())
    assert 'type="text"' in html and 'inputmode="decimal"' in html and 'value="4"' in html


def test_text_that_is_not_a_number_is_refused_and_kept_for_correction(app):
    with app.test_request_context(), force_locale("es"):
        form = Amount(MultiDict({"value": "n/d"}))
        assert not form.validate() and form.value.errors
        assert 'value="n/d"' in str(form.value())
