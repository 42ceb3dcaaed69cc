"""Exit reasons: the seeded list (seeds/003 and Imp-Act practice note 3) and the operations on it."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from core.extensions import db
from core.imports.cells import normalise
from core.rules import RuleError
from loyalty.models import DEFAULT_REASONS, ExitReason

#: key → label of the reasons every installation starts with; the stored ``name`` is the English one.
#: The English names, as stored (and as the migration seeds them).
DEFAULT_NAMES = {
    "poor_service": "Poor service", "lack_of_contact": "Lack of contact", "dissatisfaction": "Dissatisfaction",
    "no_renewal": "No renewal", "personal_reasons": "Personal reasons", "no_use": "No use",
    "non_payment": "Cancelled for non-payment", "competitor": "Moved to a competitor",
}

#: How spreadsheets write the seeded reasons, in Spanish and English (imports match them ignoring case and
#: accents); kept here, not in the translations, so a file is read the same whatever the reader's language.
SPELLINGS = {
    "poor_service": ("mal servicio", "servicio deficiente", "mala atención", "poor service", "bad service"),
    "lack_of_contact": ("falta de contacto", "sin contacto", "lack of contact", "no contact"),
    "dissatisfaction": ("insatisfacción", "descontento", "dissatisfaction", "dissatisfied"),
    "no_renewal": ("no renovación", "no renueva", "no renovó", "no renewal", "not renewed"),
    "personal_reasons": ("motivos personales", "razones personales", "personal reasons", "personal"),
    "no_use": ("no uso", "sin uso", "falta de uso", "no use", "not used"),
    "non_payment": ("baja por impago", "impago", "cancelado por impago", "cancelled for non-payment",
                    "non-payment", "non payment"),
    "competitor": ("competencia", "se fue a la competencia", "paso a la competencia", "moved to a competitor",
                   "competitor"),
}


class ReasonError(RuleError):
    """A change to the list of exit reasons that cannot be made; the message says why."""


def ensure_default_reasons() -> None:
    """Add the seeded reasons that are missing (the migration adds them; the demo and tests call this)."""
    present = set(db.session.scalars(select(ExitReason.key).where(ExitReason.key.is_not(None))))
    for position, key in enumerate(DEFAULT_REASONS, start=1):
        if key not in present:
            db.session.add(ExitReason(key=key, name=DEFAULT_NAMES[key], position=position, active=True))
    db.session.flush()


def exit_reasons(*, offered_only: bool = True) -> list[ExitReason]:
    """The reasons in their order; only those still offered unless ``offered_only`` is false."""
    query = select(ExitReason).order_by(ExitReason.position, ExitReason.id)
    if offered_only:
        query = query.where(ExitReason.active.is_(True))
    return list(db.session.scalars(query))


def add_reason(name: str) -> ExitReason:
    """Add a reason at the end of the list; refuses a name the list already has (in any language)."""
    name = " ".join((name or "").split())
    if not name:
        raise ReasonError(_("Write the reason."))
    taken = {reason.label.casefold() for reason in exit_reasons(offered_only=False)}
    taken |= {reason.name.casefold() for reason in exit_reasons(offered_only=False)}
    if name.casefold() in taken:
        raise ReasonError(_("“%(name)s” is already in the list.", name=name))
    last = db.session.scalar(select(func.max(ExitReason.position))) or 0
    reason = ExitReason(name=name, position=last + 1, active=True)
    db.session.add(reason)
    db.session.flush()
    return reason


def set_offered(reason: ExitReason, offered: bool) -> None:
    """Offer a reason again, or stop offering it (clients who left for it keep it)."""
    reason.active = offered
    db.session.flush()


def reason_lookup() -> dict[str, ExitReason]:
    """Every reason by its normalised names (stored, translated and key), for imports."""
    found = {}
    for reason in exit_reasons(offered_only=False):
        spellings = (reason.name, reason.label, reason.key or "", *SPELLINGS.get(reason.key, ()),
                     *_both_languages(reason))
        for spelling in spellings:
            if spelling:
                found.setdefault(normalise(spelling), reason)
    return found


def _both_languages(reason: ExitReason) -> list[str]:
    """The Spanish and English names of a seeded reason, whatever the reader's language."""
    if reason.key not in DEFAULT_REASONS:
        return []
    from flask_babel import force_locale

    names = []
    for language in ("es", "en"):
        with force_locale(language):
            names.append(str(DEFAULT_REASONS[reason.key]))
    return names
