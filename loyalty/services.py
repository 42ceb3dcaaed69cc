"""Operations on the census one client at a time (the forms' side; imports write in bulk elsewhere).

Each change goes through the ORM, so the audit trail records it field by field.
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from core.extensions import db
from core.rules import RuleError
from core.versioning import ensure_current
from loyalty.models import Client, ClientYear, ExitReason, Typology

CLIENT_ATTRIBUTES = ("code", "name", "typology", "segment", "region", "sector", "joined_on", "strategic",
                     "strategic_reason")


class CensusRuleError(RuleError):
    """A change the census's rules refuse; the message says why."""


def _clean(value):
    if isinstance(value, str):
        return " ".join(value.split()) or None
    return value


def check_code_free(code: str, client: Client | None) -> None:
    query = select(Client.id).where(func.lower(Client.code) == code.lower())
    found = db.session.scalar(query)
    if found is not None and (client is None or found != client.id):
        raise CensusRuleError(_("There is already a client with code %(code)s.", code=code))


def save_client(client: Client | None, data: dict, *, version=None) -> Client:
    """Create a client or apply an edited one: unique code, a reason when strategic, exit after joining."""
    values = {name: _clean(data.get(name)) for name in CLIENT_ATTRIBUTES}
    if not values["code"] or not values["name"]:
        raise CensusRuleError(_("A client needs a code and a name."))
    check_code_free(values["code"], client)
    if values["strategic"] and not values["strategic_reason"]:
        raise CensusRuleError(_("Say why the client is strategic."))
    if client is None:
        client = Client()
        db.session.add(client)
    else:
        ensure_current(client, version)
        if client.left_on and values["joined_on"] and client.left_on < values["joined_on"]:
            raise CensusRuleError(_("The client left on %(left)s, before that join date.", left=client.left_on))
    values["typology"] = Typology(values["typology"])
    values["strategic"] = bool(values["strategic"])
    if not values["strategic"]:
        values["strategic_reason"] = None
    for name, value in values.items():
        setattr(client, name, value)
    db.session.flush()
    return client


def mark_lost(client: Client, left_on: date, reason: ExitReason | None, *, note: str | None = None) -> None:
    """Record that a client left, when and why; the client and its history stay."""
    if client.left_on is not None:
        raise CensusRuleError(_("%(client)s is already recorded as lost on %(date)s.", client=client.code,
                                date=client.left_on))
    check_exit(client, left_on, reason)
    client.left_on, client.exit_reason, client.exit_note = left_on, reason, _clean(note)
    db.session.flush()


def check_exit(client: Client, left_on: date | None, reason: ExitReason | None) -> None:
    if left_on is None:
        raise CensusRuleError(_("Give the date the client left."))
    if left_on < client.joined_on:
        raise CensusRuleError(_("The exit date %(left)s is before the client joined (%(joined)s).",
                                left=left_on.isoformat(), joined=client.joined_on.isoformat()))
    if left_on > date.today():
        raise CensusRuleError(_("The exit date cannot be in the future."))
    if reason is None:
        raise CensusRuleError(_("Choose the exit reason."))


def reinstate(client: Client) -> None:
    """Undo a loss recorded by mistake (the audit trail keeps that it was recorded)."""
    client.left_on, client.exit_reason_id, client.exit_note = None, None, None
    db.session.flush()


def add_figures(client: Client, year: int, potential: float | None, purchases: float,
                margin: float | None) -> ClientYear:
    """Record a year's figures; a year already recorded is kept (history is not overwritten)."""
    if any(existing.year == year for existing in client.years):
        raise CensusRuleError(_("The figures of %(year)d are already recorded for this client.", year=year))
    if (potential is not None and potential < 0) or purchases is None or purchases < 0:
        raise CensusRuleError(_("Potential and purchases cannot be negative."))
    figures = ClientYear(client=client, year=year, potential=potential, purchases=purchases, margin=margin)
    db.session.add(figures)
    db.session.flush()
    return figures
