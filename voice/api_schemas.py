"""The voice of the client's API schemas: declared once, they validate requests, shape answers and write the
document."""

import marshmallow as ma
from marshmallow import fields, validate

from core import api
from core.needs import NeedLevel
from loyalty.models import Typology
from voice.complaints import SORTS as COMPLAINT_SORTS
from voice.models import ActivityKind, Channel, ContactKind, RequirementSource, RequirementStatus
from voice.requirements import SORTS as REQUIREMENT_SORTS

RECORD_ID = validate.Range(min=1, max=api.MAX_RECORD_ID)
WORDS = validate.Length(max=100)


class ClientRefSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()


class CategorySchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class RequirementRefSchema(ma.Schema):
    id = fields.Integer()
    statement = fields.String()
    status = fields.Enum(RequirementStatus, by_value=True)


class ComplaintSchema(ma.Schema):
    id = fields.Integer()
    #: The reference in the organisation's own tool, when it has one.
    reference = fields.String(allow_none=True)
    kind = fields.Enum(ContactKind, by_value=True)
    received_on = fields.Date()
    channel = fields.Enum(Channel, by_value=True)
    category = fields.Nested(CategorySchema)
    client = fields.Nested(ClientRefSchema, allow_none=True)
    description = fields.String()
    responded_on = fields.Date(allow_none=True)
    resolution = fields.String(allow_none=True)
    #: Satisfaction with the resolution, 1–5.
    satisfaction = fields.Integer(allow_none=True)
    #: Days from receipt to response; null while unanswered.
    response_days = fields.Integer(allow_none=True)
    created_at = api.UtcDateTime()
    version = fields.Integer()


class ComplaintDetailSchema(ComplaintSchema):
    #: The requirements it raised.
    requirements = fields.List(fields.Nested(RequirementRefSchema))


class ComplaintQuery(api.PageArgs):
    """The complaints register's filters."""

    q = fields.String(validate=WORDS, metadata={"description": "Words of the description, reference or resolution"})
    kind = fields.Enum(ContactKind, by_value=True)
    category = fields.Integer(validate=RECORD_ID)
    channel = fields.Enum(Channel, by_value=True)
    status = fields.String(validate=validate.OneOf(("open", "answered")),
                           metadata={"description": "open: awaiting response; answered"})
    client = fields.Integer(validate=RECORD_ID)
    start = fields.Date(metadata={"description": "Received on or after"})
    end = fields.Date(metadata={"description": "Received on or before"})
    sort = fields.String(load_default="received", validate=validate.OneOf(list(COMPLAINT_SORTS)))
    descending = fields.Boolean(load_default=True)


class OriginSchema(ma.Schema):
    #: ``activity``, ``complaint`` or ``wave``.
    kind = fields.String()
    id = fields.Integer()


class RequirementSchema(ma.Schema):
    id = fields.Integer()
    statement = fields.String()
    explicit = fields.Boolean()
    typology = fields.Enum(Typology, by_value=True, allow_none=True)
    source = fields.Enum(RequirementSource, by_value=True)
    identified_on = fields.Date()
    need_level = fields.Enum(NeedLevel, by_value=True, allow_none=True)
    #: 1 (low) to 3 (high).
    importance = fields.Integer()
    status = fields.Enum(RequirementStatus, by_value=True)
    rejection_reason = fields.String(allow_none=True)
    #: The listening activity, complaint or survey wave it came from.
    origin = fields.Nested(OriginSchema, allow_none=True)
    created_at = api.UtcDateTime()
    version = fields.Integer()


class RequirementQuery(api.PageArgs):
    """The requirements register's filters."""

    q = fields.String(validate=WORDS, metadata={"description": "Words of the statement"})
    source = fields.Enum(RequirementSource, by_value=True)
    status = fields.Enum(RequirementStatus, by_value=True)
    typology = fields.Enum(Typology, by_value=True)
    need_level = fields.Enum(NeedLevel, by_value=True)
    sort = fields.String(load_default="identified", validate=validate.OneOf(list(REQUIREMENT_SORTS)))
    descending = fields.Boolean(load_default=True)


class ActivitySchema(ma.Schema):
    id = fields.Integer()
    kind = fields.Enum(ActivityKind, by_value=True)
    title = fields.String()
    held_on = fields.Date()
    participants = fields.Integer()
    typology = fields.Enum(Typology, by_value=True, allow_none=True)
    findings = fields.String(allow_none=True)
    staff_hours = fields.Float()
    hourly_rate = fields.Float()
    external_cost = fields.Float()
    #: Staff hours × hourly rate + external cost.
    cost = fields.Float()
    #: How many requirements it produced.
    produced = fields.Integer()
    created_at = api.UtcDateTime()
    version = fields.Integer()


class ActivityDetailSchema(ActivitySchema):
    requirements = fields.List(fields.Nested(RequirementRefSchema))


class ActivityQuery(api.PageArgs):
    """The listening activities' filters."""

    q = fields.String(validate=WORDS, metadata={"description": "Words of the title or findings"})
    kind = fields.Enum(ActivityKind, by_value=True)
    typology = fields.Enum(Typology, by_value=True)
    start = fields.Date(metadata={"description": "Held on or after"})
    end = fields.Date(metadata={"description": "Held on or before"})


ComplaintPage = api.page_schema(ComplaintSchema, "ComplaintPage")
RequirementPage = api.page_schema(RequirementSchema, "RequirementPage")
ActivityPage = api.page_schema(ActivitySchema, "ActivityPage")
