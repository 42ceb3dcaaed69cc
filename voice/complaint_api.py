"""Complaints pushed by a ticketing tool through the API, by the tool's own reference: the complaint form's checks
and ``complaints.save_complaint``, as the complaint pages use them.

``PUT /complaints/by-ref/<reference>`` is an upsert, the whole record each time (what the ticketing tool holds is
the truth of the ticket): the first call creates the complaint, later ones replace its fields. A replacement that
clears or moves back an answered complaint's response date says why (``date_reason``), as on the edit page; the
``If-Match`` of the version read is checked first (412), and ``If-None-Match: *`` creates only (412 if the
reference is recorded already).
"""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from core import api
from core.extensions import db
from core.rules import RuleError
from voice.complaints import response_date_moves_back, save_complaint
from voice.forms import ComplaintForm
from voice.models import Complaint

#: The form's fields as the API names them (its own names elsewhere).
API_NAMES = {"category_id": "category"}
#: The most characters of a reference (the column's).
MAX_REFERENCE = 40


def etag_of(complaint: Complaint) -> str:
    return f'"complaint-{complaint.id}-v{complaint.version}"'


def by_reference(reference: str) -> Complaint | None:
    return db.session.scalar(select(Complaint).where(Complaint.reference == reference.strip()))


def _form_data(reference: str, data: dict, version) -> MultiDict:
    """The body as the complaint form would be posted (dates as its date fields read them)."""
    sent = {"reference": reference, "kind": data["kind"], "channel": data["channel"],
            "received_on": data["received_on"].isoformat(), "category_id": str(data["category"]),
            "client_code": data.get("client_code") or "", "description": data["description"],
            "responded_on": data["responded_on"].isoformat() if data.get("responded_on") else "",
            "resolution": data.get("resolution") or "", "satisfaction": str(data.get("satisfaction") or 0),
            "date_reason": data.get("date_reason") or "", "version": str(version or "")}
    return MultiDict(sent)


def _checked_form(complaint: Complaint | None, reference: str, data: dict) -> ComplaintForm:
    """The complaint form filled with the body and validated (422 naming each refused field)."""
    form = ComplaintForm(formdata=_form_data(reference, data, getattr(complaint, "version", None)),
                         meta={"csrf": False}, category_id=getattr(complaint, "category_id", None))
    if not form.validate():
        api.refuse(422, str(api.DETAILS[422]), errors=[
            {"location": "json", "field": API_NAMES.get(name, name), "message": str(message)}
            for name, messages in form.errors.items() for message in messages])
    return form


def _preconditions(complaint: Complaint | None, if_match, if_none_match) -> None:
    """``If-None-Match: *`` (create only) and ``If-Match`` (the version read): 412 when they do not hold."""
    if if_none_match and if_none_match.star_tag and complaint is not None:
        api.refuse(412, _("A complaint with this reference is recorded already."))
    if if_match and (complaint is None or not if_match.contains(etag_of(complaint).strip('"'))):
        api.refuse(412, _("The complaint changed since you read it: read it again and apply your change to what it "
                          "is now."))


def upsert(reference: str, data: dict, *, if_match, if_none_match, actor) -> tuple[Complaint, bool]:
    """Create or replace the complaint with ``reference`` (the caller commits); (complaint, created)."""
    reference = reference.strip()
    if not reference or len(reference) > MAX_REFERENCE:
        api.refuse(422, _("A reference has 1 to %(n)d characters.", n=MAX_REFERENCE),
                   errors=[{"location": "path", "field": "reference", "message": _("1 to %(n)d characters.",
                                                                                   n=MAX_REFERENCE)}])
    complaint = by_reference(reference)
    _preconditions(complaint, if_match, if_none_match)
    form = _checked_form(complaint, reference, data)
    # As the edit page: a refusal is about the reason when the response date moves back, else about the date.
    field = "date_reason" if response_date_moves_back(complaint, form.record_data()) else "responded_on"
    try:
        saved = save_complaint(complaint, form.record_data(), actor=actor,
                               version=None if complaint is None else complaint.version,
                               date_reason=data.get("date_reason"), confirmed=True)
    except RuleError as refusal:
        api.refuse(422, " ".join(refusal.reasons), errors=[
            {"location": "json", "field": API_NAMES.get(refusal.field, refusal.field or field), "message": reason}
            for reason in refusal.reasons])
    except IntegrityError:  # another request recorded the same reference meanwhile
        db.session.rollback()
        api.refuse(409, _("Another request recorded this reference meanwhile: send it again."))
    return saved, complaint is None
