"""What every template can use: permission checks, languages, navigation and paging links."""

import re
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import format_currency, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect

from core import schedule
from core.access import may
from core.extensions import db
from core.rules import rule_refusals
from core.trail import readable
from core.transitions import ConfirmationNeeded, stored_date

#: The main menu: (endpoint, label, icon, the blueprints on whose pages it is the current entry: the census and the
#: voice of the client are both "Clients"). Items the user's role cannot read are hidden.
NAVIGATION = (
    ("processes.index", _l("Processes"), "diagram-3", ("processes",)),
    ("loyalty.index", _l("Clients"), "people", ("loyalty", "voice")),
    ("surveys.index", _l("Surveys"), "clipboard-data", ("surveys",)),
    ("improvements.index", _l("Improvements"), "graph-up-arrow", ("improvements",)),
    ("evidence.checklist", _l("Evidence"), "patch-check", ("evidence", "certification")),
)


def current_organisation():
    """The organisation, looked up once per request for the page header."""
    return schedule.organisation()


def select_timezone() -> str:
    """The organisation's time zone, the one every time is shown in; else the installation's default."""
    organisation = current_organisation()
    zone = organisation.time_zone if organisation is not None else None
    return zone or current_app.config["BABEL_DEFAULT_TIMEZONE"]


def page_url(page: int) -> str:
    """The current URL with another page number, keeping the filters and sort of the query string."""
    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def sort_url(column: str) -> str:
    """The current URL sorted by ``column``; asking again for the same column reverses the order."""
    args = request.args.to_dict()
    args.pop("page", None)
    descending = args.get("sort") == column and args.get("dir") != "desc"
    args.update(sort=column, dir="desc" if descending else "asc")
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def history_url(record) -> str | None:
    """The audit trail of one record (its "History" link), for those who may read the trail."""
    if record is None or not may("core.audit_trail"):
        return None
    identity = ",".join(str(part) for part in inspect(record).identity or ())
    return url_for("core.audit_trail", entity_type=record.__tablename__, entity_id=identity) if identity else None


def safe_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (never another host: open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return None


def next_or(default: str) -> str:
    """Where to go after a form: the page that sent the person here (``?next=`` or a posted ``next``), else
    ``default``. Lets a form that needs a parent record send the person to create it, and come back."""
    return safe_path(request.args.get("next")) or safe_path(request.form.get("next")) or default


def width_class(percent: float | None) -> str:
    """The CSS class (``pct-0`` … ``pct-100``, steps of 5) that draws a bar ``percent`` wide.

    The strict CSP forbids inline ``style`` widths, hence classes. A bar is full only at 100 and empty
    only at 0: anything in between shows at least one step and at most 95, so "almost" never reads as "done".
    """
    value = max(0.0, min(100.0, float(percent or 0)))
    step = round(value / 5) * 5
    if 0 < value < 100:
        step = min(max(step, 5), 95)
    return f"pct-{step}"


#: The currency of every amount the organisation records (the census's figures, the cost of listening). The
#: organisations are Spanish: euros in both languages, as the charts' axes (``core.charts``).
CURRENCY = "EUR"


def money(value, whole: bool = False) -> str:
    """An amount of money as the reader writes it, the currency sign where their language puts it.

    The rule, the same on every page and report:

    - **An amount of one thing** — one client's figures of a year (its page, its row of the ranking), one
      listening activity's or survey wave's cost, a figure entered by hand — is shown as recorded: with its
      cents where it has them, without ",00" where it has none (437,04 € and 8.450 € in Spanish; €437.04 and
      €8,450 in English).
    - **Sums and averages over many of them** — a class's, a segment's or a period's contribution, a year's
      listening costs and their benefit — are shown in whole euros (``whole=True``): over many clients the
      cents are noise. So are chart axes (``core.charts``).
    - **Exports** (``core.exports``) write numbers, not text: every figure at full precision.
    """
    if value is None:
        return "—"
    amount = float(value)
    if not whole and round(abs(amount) * 100) % 100 != 0:
        return format_currency(amount, CURRENCY)
    # The reader's currency pattern without its decimals: "#,##0.00 ¤" → "#,##0 ¤".
    pattern = re.sub(r"\.0+", "", get_locale().currency_formats["standard"].pattern)
    return format_currency(round(amount), CURRENCY, format=pattern, currency_digits=False)


def register_template_helpers(app) -> None:
    app.add_template_filter(width_class)
    app.add_template_filter(money)
    app.add_template_global(stored_date)

    @app.context_processor
    def inject():
        return {
            "may": may,
            "get_locale": get_locale,
            "navigation": NAVIGATION,
            "languages": current_app.config["LANGUAGES"],
            "current_organisation": current_organisation,
            "page_url": page_url,
            "sort_url": sort_url,
            "readable_trail": readable,
            "history_url": history_url,
            "safe_path": safe_path,
        }


def confirmation_posted(form, change, *, again_url: str, done_url: str, message, cancel_url: str | None = None):
    """The POST of a confirmation page (``core/confirm_change.html`` and its kin): run ``change(reason, confirmed)``;
    done, commit, flash ``message`` and go to ``done_url``; still unconfirmed (``ConfirmationNeeded``), back to the
    page at ``again_url``. A refusal is rolled back and shown on the reason field of a confirmed post — None then
    tells the view to show its page again — or, unconfirmed, the person goes to ``cancel_url`` with it flashed."""
    if not form.validate_on_submit():
        abort(400)
    with rule_refusals(form.reason if form.confirmed else None):
        try:
            change(form.reason.data, form.confirmed)
        except ConfirmationNeeded:
            return redirect(again_url)
        db.session.commit()
        flash(message, "success")
        return redirect(done_url)
    if cancel_url is not None and not form.confirmed:
        return redirect(cancel_url)
    return None


def flash_form_errors(form) -> None:
    """Flash each field error of a form whose page we are not re-rendering (e.g. an upload box)."""
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "danger")
