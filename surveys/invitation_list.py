"""The invitations of a wave as a list to search, page through and export, within the anonymity rules.

A named wave's list says which links were used (so nobody re-sends blindly) and may be narrowed to the used
or unused ones. An anonymous wave's list never does: its rows, their order and what may narrow them are the
same whoever answered, and only the wave's counts move (docs/anonymity.md). Personal links are part of a row
only for those who may invite (``links``), and never in an anonymous wave, whose links are e-mailed or printed
as sealed slips.
"""

from dataclasses import dataclass
from datetime import UTC

from flask_babel import gettext as _
from sqlalchemy import Select, select

from core.listing import text_matches
from surveys.models import Invitation, Wave

#: The values of the "used" filter of a named wave.
USE_FILTERS = ("used", "unused")


@dataclass(frozen=True)
class InvitationFilters:
    """What a wave's invitations are narrowed to: words in the name, e-mail, typology or segment, and (named
    waves only) whether the link was used."""

    q: str | None = None
    use: str | None = None


def invitations_query(wave: Wave, filters: InvitationFilters) -> Select:
    """The wave's invitations matching ``filters``, by segment and name. The use filter is ignored for an
    anonymous wave: narrowing its list by use would tell who answered."""
    query = select(Invitation).where(Invitation.wave_id == wave.id)
    words = text_matches(filters.q, Invitation.name, Invitation.email, Invitation.typology, Invitation.segment)
    if words is not None:
        query = query.where(words)
    if filters.use in USE_FILTERS and not wave.survey.anonymous:
        query = query.where(Invitation.used.is_(filters.use == "used"))
    return query.order_by(Invitation.segment, Invitation.name, Invitation.id)


def export_table(wave: Wave, invitations, *, links: bool, link_for) -> tuple[list[str], list[tuple]]:
    """The headers and rows of the invitations' export: who is invited, and for a named wave whether each link
    was used and when it was e-mailed, with the link itself where ``links`` (``link_for(token)``)."""
    headers = [_("Name"), _("E-mail"), _("Typology"), _("Segment or group")]
    if wave.survey.anonymous:
        return headers, [(i.name, i.email, i.typology, i.segment) for i in invitations]
    headers += [_("Answered"), _("E-mailed on")] + ([_("Link")] if links else [])
    rows = [(i.name, i.email, i.typology, i.segment, _("yes") if i.used else _("no"),
             i.sent_at.replace(tzinfo=UTC) if i.sent_at else None,
             *([link_for(i.token)] if links else [])) for i in invitations]
    return headers, rows
