"""The reader's language and formats: which catalogue a page is shown in, and how its numbers and dates read.

The catalogue is ``es`` or ``en``; the *formats* keep the region the browser asks for, so ``Accept-Language:
en-GB`` reads 02/12/2026 and 14:05 where ``en-US`` reads 12/2/2026 and 2:05 PM. Every page writes a day one way
(the house format: the locale's short date with the full year) and a moment as that day and the time of day in the
organisation's time zone (``core.ui.select_timezone``); stored times stay UTC. Exports (``core.exports``) write
numbers and ISO dates, not these texts.
"""

import re
from collections.abc import Mapping

from babel import Locale, UnknownLocaleError
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

#: The widths a template or a service may name (``|dateformat('medium')``): every one is the house format, so
#: that a page never mixes two ways of writing a day. An explicit pattern (``'MMM y'``, a period) is kept.
NAMED_WIDTHS = ("short", "medium", "long", "full")


def select_locale() -> str:
    """The user's language, else the one chosen on the sign-in page, else the browser's, else the default; with
    the browser's region for that language when it names one (``en_GB``), for the formats only."""
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # CLI commands and jobs speak the installation's default
        return default
    if current_user and current_user.is_authenticated and current_user.language in languages:
        language = current_user.language
    elif session.get("language") in languages:
        language = session["language"]
    else:
        language = request.accept_languages.best_match(languages) or default
    return with_region(language, [tag for tag, _quality in request.accept_languages])


def with_region(language: str, tags) -> str:
    """``language`` with the region of the first of the browser's ``tags`` in that language that Babel knows
    (``en`` and ``["en-GB", "en"]`` → ``en_GB``); the language alone when none names a region."""
    for tag in tags:
        parts = re.split(r"[-_]", tag)
        if len(parts) < 2 or parts[0].lower() != language:
            continue
        try:
            return str(Locale.parse(f"{language}_{parts[-1].upper()}"))
        except (ValueError, UnknownLocaleError):
            continue
    return language


def reader_language() -> str:
    """The catalogue's language of the page (``en`` for ``en_GB``)."""
    return get_locale().language if get_locale() is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


def in_reader_language(spanish: str, english: str) -> str:
    """Example data as the reader would write it (an import template's rows are data, not translations)."""
    return spanish if reader_language() == "es" else english


def date_pattern(locale: Locale) -> str:
    """The house way of writing a day: the locale's short date with the year in full (es 2/12/2026, en_GB
    02/12/2026, en 12/2/2026): unambiguous about the century and short enough for a table."""
    return re.sub(r"(?<!y)yy(?!y)", "y", locale.date_formats["short"].pattern)


def datetime_pattern(locale: Locale) -> str:
    """A moment: the house day and the locale's short time of day (es 2/12/2026, 5:43; en_GB 02/12/2026, 05:43)."""
    glue = str(locale.datetime_formats["short"])
    return glue.replace("{1}", date_pattern(locale)).replace("{0}", locale.time_formats["short"].pattern)


class HouseDateFormats(Mapping):
    """Flask-Babel's ``date_formats``, read in the reader's locale: every named width of a date or a moment is
    the house pattern (``format_date(day, "long")`` and ``|dateformat('short')`` write a day the same way)."""

    _patterns = {"date": date_pattern, "datetime": datetime_pattern}

    def __getitem__(self, key: str):
        kind, _dot, width = key.partition(".")
        if kind in self._patterns and (not width or width in NAMED_WIDTHS):
            return self._patterns[kind](get_locale() or Locale.parse("es"))
        if kind == "time":
            return "short" if not width else None
        raise KeyError(key)

    def __iter__(self):
        return iter(f"{kind}{width}" for kind in self._patterns for width in ("", *(f".{w}" for w in NAMED_WIDTHS)))

    def __len__(self) -> int:
        return len(self._patterns) * (1 + len(NAMED_WIDTHS))


def day(value, format: str | None = None) -> str:
    """A day (or the day of a UTC moment, in the organisation's zone) in the house format; "" for none."""
    return "" if value is None else format_date(value, format)


def moment(value, format: str | None = None) -> str:
    """A stored UTC moment as the organisation's local day and time of day; "" for none."""
    return "" if value is None else format_datetime(value, format)


def _decimals(digits: int | None) -> str:
    """``#,##0.0`` for one decimal; ``None``: as many as the value has, up to three (``#,##0.###``)."""
    return "#,##0." + "#" * 3 if digits is None else "#,##0" + ("." + "0" * digits if digits else "")


def number(value, digits: int | None = 1) -> str:
    """A number with ``digits`` decimals as the reader writes it (es 1.234,5; en 1,234.5); "—" for none."""
    return "—" if value is None else format_decimal(value, _decimals(digits))


def signed(value, digits: int | None = 1) -> str:
    """A change, always with its sign (+3,0 / -20,1); "—" for none."""
    if value is None:
        return "—"
    pattern = _decimals(digits)
    return format_decimal(value, f"+{pattern};-{pattern}")


def percent(value, digits: int | None = 1) -> str:
    """A share given in percent points (``50.5`` → es 50,5 %, en 50.5 %); "—" for none. The sign follows a
    space in both languages, as every text of the app writes it ("favourable 57 %")."""
    return "—" if value is None else f"{number(value, digits)} %"


def signed_percent(value, digits: int | None = 1) -> str:
    """A change in percent points, always with its sign (es -50,5 %, en +12.0 %); "—" for none."""
    return "—" if value is None else f"{signed(value, digits)} %"


def register_filters(app) -> None:
    """The Jinja filters of the formats, after Flask-Babel's (whose ``dateformat``/``datetimeformat`` these
    replace: the same, but a missing value gives "" instead of today)."""
    app.add_template_filter(day, "dateformat")
    app.add_template_filter(moment, "datetimeformat")
    for helper in (number, signed, percent, signed_percent):
        app.add_template_filter(helper)
