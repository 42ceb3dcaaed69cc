"""The improvements' API schemas: declared once, they validate requests, shape answers and write the document."""

import marshmallow as ma
from marshmallow import fields, validate

from core import api
from improvements.models import Status, TaskStatus
from processes.api_schemas import PersonSchema, ProcessRefSchema

RECORD_ID = validate.Range(min=1, max=api.MAX_RECORD_ID)


class GroupRefSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class SourceSchema(ma.Schema):
    #: The kind of source (a client requirement, a complaint, a staff idea…).
    kind = fields.String()
    #: The record it came from, when it names one.
    id = fields.Integer(allow_none=True)
    #: As people read it: its kind, then the record or the note.
    label = fields.String()
    #: Whether it starts from what clients said.
    client_voice = fields.Boolean()


class SmartCriterionSchema(ma.Schema):
    key = fields.String()
    label = fields.String()
    met = fields.Boolean()
    #: The group's justification.
    justification = fields.String()
    #: Why it is not met (the group's answer and what the plan lacks).
    reasons = fields.List(fields.String())


class SmartSchema(ma.Schema):
    checked = fields.Boolean()
    #: The latest check judged against the plan as it is now.
    passed = fields.Boolean()
    checked_on = fields.Date(allow_none=True)
    criteria = fields.List(fields.Nested(SmartCriterionSchema))
    #: One line per problem; empty when it meets SMART.
    failures = fields.List(fields.String())


class ResultSchema(ma.Schema):
    before = fields.Float(allow_none=True)
    after = fields.Float(allow_none=True)
    target = fields.Float(allow_none=True)
    before_period = fields.Date(allow_none=True)
    after_period = fields.Date(allow_none=True)
    #: Where ``after`` came from: ``indicator``, ``entered`` or null.
    source = fields.String(allow_none=True)
    higher_is_better = fields.Boolean()
    change = fields.Float(allow_none=True)
    change_pct = fields.Float(allow_none=True)
    improved = fields.Boolean()
    target_met = fields.Boolean(allow_none=True)


class LinkSchema(ma.Schema):
    #: ``client_voice``, ``opportunity``, ``smart``, ``actions``, ``process_change``, ``result``, ``valuation``.
    key = fields.String()
    label = fields.String()
    present = fields.Boolean()
    detail = fields.String()


class C1Schema(ma.Schema):
    qualifies = fields.Boolean()
    #: Why it does not count towards C1; empty when it does.
    reasons = fields.List(fields.String())


class MeasureIndicatorSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()


class ImprovementSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    statement = fields.String()
    group = fields.Nested(GroupRefSchema)
    status = fields.Enum(Status, by_value=True)
    source = fields.Nested(SourceSchema)
    raised_on = fields.Date()
    objective = fields.String(allow_none=True)
    indicator = fields.Nested(MeasureIndicatorSchema, allow_none=True)
    measure_name = fields.String(allow_none=True)
    measure_unit = fields.String(allow_none=True)
    baseline_value = fields.Float(allow_none=True)
    baseline_period = fields.Date(allow_none=True)
    target_value = fields.Float(allow_none=True)
    deadline = fields.Date(allow_none=True)
    owner = fields.Nested(PersonSchema, allow_none=True)
    approved_on = fields.Date(allow_none=True)
    implemented_on = fields.Date(allow_none=True)
    verified_on = fields.Date(allow_none=True)
    smart = fields.Nested(SmartSchema)
    result = fields.Nested(ResultSchema)
    #: Whether clients value it (favourable client evidence or a perception indicator).
    valued = fields.Boolean()
    c1 = fields.Nested(C1Schema)
    #: The feedback loop, each link present or missing.
    trace = fields.List(fields.Nested(LinkSchema))
    #: Whether the caller may change its work (a coordinator, or a member or the facilitator of its group).
    may_edit = fields.Boolean()
    version = fields.Integer()


class TaskSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    owner = fields.Nested(PersonSchema, allow_none=True)
    due_on = fields.Date()
    status = fields.Enum(TaskStatus, by_value=True)
    done_on = fields.Date(allow_none=True)


class ImprovementDetailSchema(ImprovementSchema):
    tasks = fields.List(fields.Nested(TaskSchema))


class ImprovementQuery(api.PageArgs):
    """The board's filters."""

    q = fields.String(validate=validate.Length(max=100),
                      metadata={"description": "Words of the title, opportunity or objective"})
    group = fields.Integer(validate=RECORD_ID)


class MemberSchema(ma.Schema):
    user = fields.Nested(PersonSchema)
    #: Their role in the group.
    role = fields.String()


class MeetingSchema(ma.Schema):
    id = fields.Integer()
    held_on = fields.Date()
    minutes = fields.String(allow_none=True)
    decisions = fields.String(allow_none=True)
    attendees = fields.List(fields.Nested(PersonSchema))


class ImprovementRefSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.Enum(Status, by_value=True)


class ImprovementGroupSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    purpose = fields.String(allow_none=True)
    facilitator = fields.Nested(PersonSchema, allow_none=True)
    members = fields.List(fields.Nested(MemberSchema))
    processes = fields.List(fields.Nested(ProcessRefSchema))
    #: Whether the caller may change the group's work.
    may_edit = fields.Boolean()
    version = fields.Integer()


class ImprovementGroupDetailSchema(ImprovementGroupSchema):
    meetings = fields.List(fields.Nested(MeetingSchema))
    improvements = fields.List(fields.Nested(ImprovementRefSchema))


ImprovementPage = api.page_schema(ImprovementSchema, "ImprovementPage")
ImprovementGroupPage = api.page_schema(ImprovementGroupSchema, "ImprovementGroupPage")
