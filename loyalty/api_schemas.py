"""The census's API schemas: declared once, they validate requests, shape answers and write the document."""

import marshmallow as ma
from marshmallow import fields, validate

from core import api
from loyalty.history import GRANULARITIES
from loyalty.models import Typology
from loyalty.ranking import CLASSES, POPULATIONS, SORTS, TENURE_BANDS

YEAR = validate.Range(min=1900, max=2100)


class ExitReasonSchema(ma.Schema):
    id = fields.Integer()
    key = fields.String(allow_none=True)
    label = fields.String()


class ClientSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    typology = fields.Enum(Typology, by_value=True)
    segment = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    sector = fields.String(allow_none=True)
    joined_on = fields.Date()
    left_on = fields.Date(allow_none=True)
    active = fields.Boolean()
    strategic = fields.Boolean()
    strategic_reason = fields.String(allow_none=True)
    version = fields.Integer()


class RankedClientSchema(ClientSchema):
    """A client in the year's ranking: its place among the population (the kept ranking's row)."""

    rank = fields.Integer()
    contribution = fields.Float(allow_none=True)
    #: Share (%) of the population's contribution of this client and every one ranked before it.
    cumulative_share = fields.Float(allow_none=True)
    #: The ABC (Pareto) class.
    abc = fields.String(metadata={"enum": list(CLASSES)})
    potential = fields.Float(allow_none=True)
    purchases = fields.Float(allow_none=True)
    margin = fields.Float(allow_none=True)
    #: Purchases over purchasing potential (%).
    share = fields.Float(allow_none=True)
    tenure = fields.String(metadata={"enum": list(TENURE_BANDS)})


class ClientQuery(api.PageArgs):
    """The census page's filters."""

    year = fields.Integer(validate=YEAR, metadata={"description": "Without it, the latest year with figures"})
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Words of the code or name"})
    typology = fields.Enum(Typology, by_value=True)
    segment = fields.String(validate=validate.Length(max=80))
    region = fields.String(validate=validate.Length(max=80))
    status = fields.String(validate=validate.OneOf(("active", "lost")))
    abc = fields.String(validate=validate.OneOf(CLASSES), metadata={"description": "The ABC class"})
    tenure = fields.String(validate=validate.OneOf(TENURE_BANDS))
    strategic = fields.Boolean(metadata={"description": "Strategic clients only"})
    population = fields.String(load_default=POPULATIONS[0], validate=validate.OneOf(POPULATIONS), metadata={
        "description": "Over whom ranks and classes are computed: the current clients, or all clients of the year"})
    sort = fields.String(load_default="rank", validate=validate.OneOf(SORTS))
    descending = fields.Boolean(load_default=False)


class ClientPage(api.page_schema(RankedClientSchema, "RankedClientPage")):
    year = fields.Integer(required=True)
    population = fields.String(required=True)


class FiguresSchema(ma.Schema):
    year = fields.Integer()
    potential = fields.Float(allow_none=True)
    purchases = fields.Float()
    margin = fields.Float(allow_none=True)


class PositionSchema(ma.Schema):
    year = fields.Integer()
    #: ``current`` for a current client, ``all`` for a lost one (it has no place among the current clients).
    population = fields.String()
    rank = fields.Integer()
    #: How many clients the population has.
    of = fields.Integer()
    contribution = fields.Float(allow_none=True)
    cumulative_share = fields.Float(allow_none=True)
    abc = fields.String()


class ClientDetailSchema(ClientSchema):
    exit_reason = fields.Nested(ExitReasonSchema, allow_none=True)
    exit_note = fields.String(allow_none=True)
    figures = fields.List(fields.Nested(FiguresSchema))
    #: Its place in the latest year's ranking; null when it is in none.
    position = fields.Nested(PositionSchema, allow_none=True)


class HistoryQuery(ma.Schema):
    granularity = fields.String(load_default="year", validate=validate.OneOf(GRANULARITIES))
    start = fields.Integer(validate=YEAR, metadata={"description": "First year; without it, five years to the end"})
    end = fields.Integer(validate=YEAR, metadata={"description": "Last year; without it, this year"})


class PeriodSchema(ma.Schema):
    key = fields.Integer()
    label = fields.String()
    start = fields.Date()
    at_start = fields.Integer()
    new = fields.Integer()
    lost = fields.Integer()
    at_end = fields.Integer()
    #: Lost over clients at start (%).
    churn = fields.Float(allow_none=True)
    #: Clients at start still there at the end, over clients at start (%).
    retention = fields.Float(allow_none=True)
    net_growth = fields.Integer()
    growth_rate = fields.Float(allow_none=True)
    contribution_lost = fields.Float()


class PeriodReasonSchema(ma.Schema):
    period = fields.String()
    #: The exit reason's name; null when none was recorded.
    reason = fields.String(allow_none=True)
    reason_id = fields.Integer(allow_none=True)
    clients = fields.Integer()


class HistorySchema(ma.Schema):
    granularity = fields.String(required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    periods = fields.List(fields.Nested(PeriodSchema), required=True)
    exit_reasons = fields.List(fields.Nested(PeriodReasonSchema), required=True)
