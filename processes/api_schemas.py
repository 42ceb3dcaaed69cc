"""The process map's API schemas: declared once, they validate requests, shape answers and write the document."""

import marshmallow as ma
from marshmallow import fields, validate

from core import api
from processes.indicators import Status
from processes.models import Direction, Frequency, IndicatorKind, ProcessKind, ProcessStatus

RECORD_ID = validate.Range(min=1, max=api.MAX_RECORD_ID)


class PersonSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class ProgrammeRefSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    is_certified = fields.Boolean()


class ParticipantSchema(ma.Schema):
    user = fields.Nested(PersonSchema)
    #: Their role in the process.
    role = fields.String()


class IndicatorRefSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    active = fields.Boolean()


class ProcessSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.Enum(ProcessKind, by_value=True)
    status = fields.Enum(ProcessStatus, by_value=True)
    programme = fields.Nested(ProgrammeRefSchema)
    parent_id = fields.Integer(allow_none=True)
    purpose = fields.String(allow_none=True)
    scope_start = fields.String(allow_none=True)
    scope_end = fields.String(allow_none=True)
    inputs = fields.String(allow_none=True)
    outputs = fields.String(allow_none=True)
    process_clients = fields.String(allow_none=True)
    owner = fields.Nested(PersonSchema, allow_none=True)
    participants = fields.List(fields.Nested(ParticipantSchema))
    indicators = fields.List(fields.Nested(IndicatorRefSchema))
    reviewed_on = fields.Date(allow_none=True)
    version = fields.Integer()


class ProcessQuery(api.PageArgs):
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Words of the code or name"})
    programme = fields.Integer(validate=RECORD_ID)
    kind = fields.Enum(ProcessKind, by_value=True)
    status = fields.Enum(ProcessStatus, by_value=True,
                         metadata={"description": "Without it, the current processes (not retired)"})
    owner = fields.Integer(validate=RECORD_ID)


class TargetSchema(ma.Schema):
    #: The first day of the first period the target holds for.
    valid_from = fields.Date()
    value = fields.Float()


class BenchmarkSchema(ma.Schema):
    id = fields.Integer()
    source = fields.String()
    period = fields.Date()
    value = fields.Float()


class LatestSchema(ma.Schema):
    period = fields.Date()
    value = fields.Float()


class ProcessRefSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class IndicatorSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    process = fields.Nested(ProcessRefSchema)
    definition = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    frequency = fields.Enum(Frequency, by_value=True)
    direction = fields.Enum(Direction, by_value=True)
    kind = fields.Enum(IndicatorKind, by_value=True)
    alert_threshold = fields.Float(allow_none=True)
    data_source = fields.String(allow_none=True)
    #: The app's own figure it is computed from; such an indicator takes no typed measurement.
    computed_source = fields.String(allow_none=True)
    responsible_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    targets = fields.List(fields.Nested(TargetSchema))
    latest = fields.Nested(LatestSchema, allow_none=True)
    latest_status = fields.Enum(Status, by_value=True)
    version = fields.Integer()


class IndicatorDetailSchema(IndicatorSchema):
    benchmarks = fields.List(fields.Nested(BenchmarkSchema))


class IndicatorQuery(api.PageArgs):
    programme = fields.Integer(validate=RECORD_ID)
    process = fields.Integer(validate=RECORD_ID)
    q = fields.String(validate=validate.Length(max=100),
                      metadata={"description": "Words of the indicator's or its process's code or name"})
    active = fields.Boolean(metadata={"description": "Without it, active and inactive indicators alike"})


class IndicatorCodeSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()


class MeasurementSchema(ma.Schema):
    id = fields.Integer()
    indicator = fields.Nested(IndicatorCodeSchema)
    #: The first day of the period (month, quarter or year).
    period = fields.Date()
    value = fields.Float()
    comment = fields.String(allow_none=True)
    #: Written by the app from the indicator's computed source.
    computed = fields.Boolean()
    entered_at = api.UtcDateTime()
    version = fields.Integer()


VALUE = {"allow_nan": False, "validate": validate.Range(min=-1e15, max=1e15)}


class MeasurementInSchema(ma.Schema):
    indicator = fields.String(required=True, validate=validate.Length(min=1, max=30),
                              metadata={"description": "The indicator's code"})
    period = fields.String(required=True, validate=validate.Length(min=1, max=30), metadata={
        "description": "The period as the grid and the import read it: 2026-03, 2026-T1, Q1 2026, 2026, or a day "
                       "inside it (2026-03-31)"})
    value = fields.Float(required=True, **VALUE)
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000))


class MeasurementBatchSchema(ma.Schema):
    items = fields.List(fields.Nested(MeasurementInSchema), required=True,
                        validate=validate.Length(min=1, max=api.MAX_BATCH))
    #: Replace periods that already have another value (else the batch is refused, naming them).
    replace = fields.Boolean(load_default=False)


class MeasurementResultSchema(ma.Schema):
    added = fields.Integer(required=True)
    replaced = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


class MeasurementUpdateSchema(ma.Schema):
    value = fields.Float(required=True, **VALUE)
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000))


ProcessPage = api.page_schema(ProcessSchema, "ProcessPage")
IndicatorPage = api.page_schema(IndicatorSchema, "IndicatorPage")
MeasurementPage = api.page_schema(MeasurementSchema, "MeasurementPage")
