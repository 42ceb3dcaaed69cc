"""Survey responses written through the REST API for a wave (``surveys.response_api``)."""

from flask import request
from flask_login import current_user

from core import api, idempotency
from core.access import TEAM_DATA, allow
from core.extensions import db
from core.idempotency import committed_write
from surveys import response_api
from surveys.api_write_schemas import ResponsesInSchema, ResponsesStoredSchema
from surveys.models import Wave

blp = api.Blueprint("api_survey_writes", __name__, url_prefix=api.PREFIX,
                    description="Survey responses pushed by another survey tool (B1, D1)")


@blp.post("/waves/<int:wave_id>/responses")
@allow(TEAM_DATA)
@committed_write
@blp.arguments(ResponsesInSchema)
@blp.response(201, ResponsesStoredSchema)
@blp.alt_response(409, response="CONFLICT")
@blp.doc(parameters=[idempotency.PARAMETER])
def push_responses(data, wave_id: int):
    """Store responses to the wave's survey, all or nothing, by the response import's rules: answers by question
    key, read as an imported file's cells; a response with no answer, or dated outside the wave, is refused
    (``responses.<n>.answers.<key>`` names each refused answer). An anonymous survey keeps no identity and no time:
    no field names a respondent, ``submitted_on`` is not read, and its results count the responses when their
    batch is released. A wave that does not take answers now refuses them (409)."""
    wave = db.get_or_404(Wave, wave_id)
    return response_api.push(wave, data["responses"], request.get_data(), actor=current_user)
