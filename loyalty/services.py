"""Operations on the census one client at a time (the forms' side; imports write in bulk elsewhere).

Each change goes through the ORM, so the audit trail records it field by field.
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from core import transitions
from core.extensions import db
from core.i18n import day
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


#: The kind of record of a client in the state-change history (``core.transitions``), and the field of its exit
#: date there: B2's losses and their reasons are counted by that date.
CLIENT_HISTORY_KIND = "client"
EXIT_DATE = "exit_date"


def kept_exit_date(client: Client) -> date | None:
    """The exit date a client's evidence rests on: the last one recorded (the first exit, or the date changed
    explicitly since, with a reason), kept in its history even while an undone exit leaves ``left_on`` empty."""
    dates = [row.to_value for row in transitions.history(CLIENT_HISTORY_KIND, client.id)
             if row.field == EXIT_DATE and row.to_value]
    return transitions.stored_date(dates[-1]) if dates else None


def mark_lost(client: Client, left_on: date, reason: ExitReason | None, *, note: str | None = None, actor=None,
              date_reason: str | None = None) -> date:
    """Record that a client left, when and why; the client and its history stay. A client who left before, came
    back and leaves again keeps the exit date first recorded, unless ``date_reason`` says why it changes (a later
    exit never silently overwrites the date B2 counted). Returns the exit date recorded."""
    if client.left_on is not None:
        raise CensusRuleError(_("%(client)s is already recorded as lost on %(date)s.", client=client.code,
                                date=client.left_on))
    kept = kept_exit_date(client)
    date_reason = (date_reason or "").strip() or None
    if kept is not None and not date_reason:
        left_on = kept
    check_exit(client, left_on, reason)
    client.left_on, client.exit_reason, client.exit_note = left_on, reason, _clean(note)
    db.session.flush()
    transitions.record_transition(CLIENT_HISTORY_KIND, client.id, field=EXIT_DATE, from_value=None,
                                  to_value=left_on, actor=actor, reason=date_reason)
    return left_on


def record_exit(client: Client, left_on: date, reason: ExitReason | None, *, note: str | None = None, actor,
                date_reason: str | None = None, confirmed: bool = False) -> date:
    """``mark_lost`` from the client's page: refused until confirmed (``transitions.ConfirmationNeeded``) when it
    would lower a criterion."""
    transitions.confirm_or_refuse(lambda: mark_lost(client, left_on, reason, note=note, actor=actor,
                                                    date_reason=date_reason), confirmed=confirmed)
    return mark_lost(client, left_on, reason, note=note, actor=actor, date_reason=date_reason)


def change_exit_date(client: Client, left_on: date | None, *, actor, reason: str | None,
                     confirmed: bool = False) -> None:
    """Correct the day a lost client left, explicitly and saying why; kept in the client's history. Always
    confirmed first, on the page showing what it changes in the criteria (``transitions.ConfirmationNeeded``)."""
    transitions.confirm_or_refuse(lambda: _change_exit_date(client, left_on, actor=actor,
                                                            reason=reason or transitions.PREVIEW_REASON),
                                  confirmed=confirmed, always=True)
    _change_exit_date(client, left_on, actor=actor, reason=reason)


def _change_exit_date(client: Client, left_on: date | None, *, actor, reason: str | None) -> None:
    if client.left_on is None:
        raise CensusRuleError(_("%(client)s is a current client: there is no exit date to change.",
                                client=client.code))
    check_exit(client, left_on, client.exit_reason)
    transitions.require_reason(reason, _("Say why the exit date changes."))
    if left_on == client.left_on:
        return
    old, client.left_on = client.left_on, left_on
    db.session.flush()
    transitions.record_transition(CLIENT_HISTORY_KIND, client.id, field=EXIT_DATE, from_value=old,
                                  to_value=left_on, actor=actor, reason=reason)


def check_exit(client: Client, left_on: date | None, reason: ExitReason | None) -> None:
    if left_on is None:
        raise CensusRuleError(_("Give the date the client left."))
    if left_on < client.joined_on:
        raise CensusRuleError(_("The exit date %(left)s is before the client joined (%(joined)s).",
                                left=day(left_on), joined=day(client.joined_on)))
    if left_on > date.today():
        raise CensusRuleError(_("The exit date cannot be in the future."))
    if reason is None:
        raise CensusRuleError(_("Choose the exit reason."))


def reinstate(client: Client, *, actor=None, reason: str | None = None, confirmed: bool = False) -> None:
    """Undo a loss (recorded by mistake, or the client came back): a move back, so refused until confirmed with
    what it changes in the criteria (``transitions.ConfirmationNeeded``), and saying why. The exit date stays in
    the client's history: should the client leave again, that date is kept (``mark_lost``)."""
    transitions.confirm_or_refuse(lambda: _reinstate(client, actor=actor,
                                                     reason=reason or transitions.PREVIEW_REASON),
                                  confirmed=confirmed, always=True)
    _reinstate(client, actor=actor, reason=reason)


def _reinstate(client: Client, *, actor, reason: str | None) -> None:
    if client.left_on is None:
        raise CensusRuleError(_("%(client)s is a current client already.", client=client.code))
    transitions.require_reason(reason, _("Say why %(client)s is a current client again.", client=client.code))
    old = client.left_on
    client.left_on, client.exit_reason_id, client.exit_note = None, None, None
    db.session.flush()
    transitions.record_transition(CLIENT_HISTORY_KIND, client.id, field=EXIT_DATE, from_value=old, to_value=None,
                                  actor=actor, reason=reason)


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


def set_exit_reason(client: Client, reason: ExitReason) -> None:
    """Record why a lost client left (an exit interview's answer, once reviewed): the audit trail keeps the reason
    it replaces."""
    if client.left_on is None:
        raise CensusRuleError(_("%(client)s is a current client: there is no exit reason to record.",
                                client=client.code))
    client.exit_reason = reason
    db.session.flush()
