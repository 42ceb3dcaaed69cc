"""The complaint writes' API schemas: a complaint as a ticketing tool pushes it, and as the API gives it back."""

import marshmallow as ma
from marshmallow import fields, validate

from core import api
from voice.models import Channel, ContactKind


class ComplaintInSchema(ma.Schema):
    """The whole complaint, as the complaint form takes it (the form's checks apply, field by field)."""

    kind = fields.Enum(ContactKind, by_value=True, required=True)
    received_on = fields.Date(required=True)
    channel = fields.Enum(Channel, by_value=True, required=True)
    category = fields.Integer(required=True, validate=validate.Range(min=1, max=api.MAX_RECORD_ID),
                              metadata={"description": "The complaint category's id"})
    client_code = fields.String(allow_none=True, validate=validate.Length(max=40),
                                metadata={"description": "The client's code in the census, if the client is known"})
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    responded_on = fields.Date(allow_none=True)
    resolution = fields.String(allow_none=True, validate=validate.Length(max=5000))
    satisfaction = fields.Integer(allow_none=True, validate=validate.Range(1, 5), metadata={
        "description": "The client's satisfaction with the resolution, 1 to 5 (needs a response date)"})
    date_reason = fields.String(allow_none=True, validate=validate.Length(max=1000), metadata={
        "description": "Why the response date of an answered complaint is cleared (reopened) or changed"})
