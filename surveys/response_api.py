"""Survey responses pushed for a wave through the API (a survey tool's webhook, a nightly sync): the response
import's rules (``surveys.response_import``), in one request, all or nothing.

Each response is a row of the import: its answers by the questions' keys, read as the import reads a file's cells
(a point's number or its wording, an option's label or number), its typology and segment, and, for a survey that
is not anonymous, its date (``submitted_on``: outside the wave's period, refused). An anonymous survey keeps no
time: its responses' ``submitted_on`` is not read, as its file's time columns are not (``docs/anonymity.md``), and
no field can name the respondent. ``engine.insert_responses`` stores them with the running totals
(``surveys.totals``) in the same transaction, as the import does; an anonymous wave's count when their batch is
released. The import history keeps what it keeps of a file: who, when, how many, the body's size and SHA-256.
A wave that does not take answers now (a draft, closed, or outside its dates) refuses them (409).
"""

import hashlib

from flask_babel import gettext as _
from flask_babel import ngettext

from core import api, api_imports
from core.extensions import db
from core.files import Owner
from core.imports import ImportFileError, parse
from core.imports.retention import ImportRecord
from core.imports.values import remembered
from core.timeutil import utcnow
from surveys import engine, response_import
from surveys.models import Wave

#: The fields of a response besides its answers.
ATTRIBUTES = ("typology", "segment", response_import.SUBMITTED_ON)
ANSWERS = "answers"


def _flat(response: dict) -> dict:
    """A response as an import row: ``answers.<key>`` for each answer, then its attributes."""
    row = {f"{ANSWERS}.{key}": value for key, value in (response.get(ANSWERS) or {}).items()}
    return row | {name: response.get(name) for name in ATTRIBUTES if response.get(name) is not None}


def _unknown_answers(wave: Wave, responses: list[dict]) -> list[dict]:
    keys, errors, seen = {item.key for item in wave.survey.items}, [], set()
    for number, response in enumerate(responses):
        for key in response.get(ANSWERS) or {}:
            if key not in keys and key not in seen:
                seen.add(key)
                errors.append({"location": "json", "field": f"responses.{number}.{ANSWERS}.{key}", "row": number,
                               "column": f"{ANSWERS}.{key}",
                               "message": _("The survey has no question with this key.")})
    return errors


def push(wave: Wave, responses: list[dict], body: bytes, *, actor) -> dict:
    """Store the responses (the caller commits once): how many, or a 422 naming every refused response."""
    if not engine.accepts_answers(wave):
        api.refuse(409, _("This wave does not take answers now (it is a draft, closed, or outside its dates)."))
    survey = wave.survey
    if errors := _unknown_answers(wave, responses):
        api.refuse(422, str(api.DETAILS[422]), errors=errors)
    if survey.anonymous:  # no time is kept: not even read
        responses = [{k: v for k, v in r.items() if k != response_import.SUBMITTED_ON} for r in responses]
    table = api_imports.json_table([_flat(r) for r in responses])
    spec = remembered(response_import.response_spec(survey))
    fields = {response_import.field_name(item): f"{ANSWERS}.{item.key}" for item in survey.items}
    mapping = {name: header for name, header in fields.items() if header in table.headers}
    mapping |= {name: name for name in ATTRIBUTES if name in table.headers and name in {c.field for c in spec.columns}}
    try:
        result = parse(table, spec, mapping)
    except ImportFileError as error:
        api.refuse(422, str(error))
    planned = response_import.plan(result, wave)
    if not result.ok:
        api_imports.refuse_rows(result, ngettext(
            "Nothing was stored: %(num)d response of %(total)d has problems. Correct it and send them again.",
            "Nothing was stored: %(num)d responses of %(total)d have problems. Correct them and send them again.",
            result.rejected_count, total=result.total), location="json", prefix="responses", paths=fields)
    added = response_import.apply(wave, planned)
    db.session.add(ImportRecord(kind=Owner.SURVEY_RESPONSE_IMPORT.value, target_id=wave.id, filename="API",
                                size=len(body), sha256=hashlib.sha256(body).hexdigest(), actor=actor,
                                uploaded_at=utcnow(), counts={"responses": added, "rows": result.total}))
    db.session.flush()
    return {"wave": wave.id, "added": added, "anonymous": survey.anonymous}
