"""The survey writes' API schemas: responses pushed for a wave, and what was stored."""

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate

from core import api_imports


def single_values(answers: dict) -> None:
    """Each answer is one value (a number, a text, yes/no or null), as a cell of an imported file."""
    for key, value in answers.items():
        if isinstance(value, dict | list):
            raise ma.ValidationError({key: [_("Send a single value.")]})


class ResponseInSchema(ma.Schema):
    """One response: its answers by question key, and the breakdown attributes (no field names a respondent)."""

    answers = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True,
                         validate=[validate.Length(max=500), single_values], metadata={
        "description": "Question key → answer: a point's number or wording (9, \"9 - Muy probable\"), an option's "
                       "label or number, or a comment's text"})
    typology = fields.String(allow_none=True, validate=validate.Length(max=60))
    segment = fields.String(allow_none=True, validate=validate.Length(max=120))
    submitted_on = fields.String(allow_none=True, metadata={
        "description": "The response's date (2026-03-31 or 31/03/2026), kept for a survey that is not anonymous "
                       "only: an anonymous survey's is not read"})


class ResponsesInSchema(ma.Schema):
    # Each response is checked whole (an unknown field, a name or an e-mail say, is refused, not dropped).
    responses = fields.List(fields.Nested(ResponseInSchema), required=True, validate=api_imports.RowCount(),
                            metadata={"description": "The responses, at most IMPORT_MAX_ROWS"})


class ResponsesStoredSchema(ma.Schema):
    wave = fields.Integer(required=True)
    added = fields.Integer(required=True)
    #: An anonymous wave's responses are shown (and counted in its results) when their batch is released.
    anonymous = fields.Boolean(required=True)
