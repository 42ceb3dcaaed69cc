"""The surveys' API schemas: declared once, they validate requests, shape answers and write the document.

A wave's results are aggregates only (``surveys.results``): counts, distributions and measures, never a response,
an answer or a comment's text; an anonymous wave below the minimum cut gives its counts and nothing else."""

import marshmallow as ma
from marshmallow import fields, validate

from core import api
from surveys.catalogue import ANONYMITY
from surveys.models import Audience, ItemKind, ItemRole, WaveStatus

RECORD_ID = validate.Range(min=1, max=api.MAX_RECORD_ID)


class WaveRefSchema(ma.Schema):
    id = fields.Integer()
    survey_id = fields.Integer()
    name = fields.String()
    opens_on = fields.Date()
    closes_on = fields.Date(allow_none=True)
    status = fields.Enum(WaveStatus, by_value=True)
    #: The responses it shows (an anonymous wave: those released in batches).
    responses = fields.Integer()


class SurveySchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String(allow_none=True)
    audience = fields.Enum(Audience, by_value=True)
    anonymous = fields.Boolean()
    language = fields.String()
    template = fields.String(allow_none=True)
    edition = fields.Integer()
    #: The first edition of the survey (itself for the first).
    root_id = fields.Integer()
    superseded = fields.Boolean()
    created_at = api.UtcDateTime()
    version = fields.Integer()
    #: The waves of every edition of the survey, oldest first.
    waves = fields.List(fields.Nested(WaveRefSchema))


class ItemSchema(ma.Schema):
    id = fields.Integer()
    position = fields.Integer()
    key = fields.String()
    kind = fields.Enum(ItemKind, by_value=True)
    role = fields.Enum(ItemRole, by_value=True)
    text = fields.String()
    tag = fields.String(allow_none=True)
    required = fields.Boolean()
    choices = fields.List(fields.String(), allow_none=True)


class SurveyDetailSchema(SurveySchema):
    items = fields.List(fields.Nested(ItemSchema))


class SurveyQuery(api.PageArgs):
    """The list of surveys' filters (current editions only)."""

    q = fields.String(validate=validate.Length(max=100),
                      metadata={"description": "Words of the title, or of a wave's name"})
    audience = fields.Enum(Audience, by_value=True)
    anonymity = fields.String(validate=validate.OneOf(ANONYMITY))


class WaveSchema(WaveRefSchema):
    #: How many were invited by a personal link.
    invited = fields.Integer()
    #: Whether it takes answers through a public link (the link itself is shown to editors on the wave's page).
    public_link = fields.Boolean()
    created_at = api.UtcDateTime()
    version = fields.Integer()


class WaveQuery(api.PageArgs):
    survey = fields.Integer(validate=RECORD_ID, metadata={"description": "The waves of this survey's editions"})
    status = fields.Enum(WaveStatus, by_value=True)


class DistributionSchema(ma.Schema):
    label = fields.String()
    count = fields.Integer()
    percent = fields.Float()


class ItemResultSchema(ma.Schema):
    id = fields.Integer()
    key = fields.String()
    text = fields.String()
    kind = fields.Enum(ItemKind, by_value=True)
    role = fields.Enum(ItemRole, by_value=True)
    #: How many answered it.
    n = fields.Integer()
    mean = fields.Float(allow_none=True)
    #: Answers of 4–5 on a 1–5 item, 7–10 on a 0–10 item (%).
    favourable = fields.Float(allow_none=True)
    distribution = fields.List(fields.Nested(DistributionSchema))


class NpsSchema(ma.Schema):
    nps = fields.Float()
    promoters = fields.Float()
    passives = fields.Float()
    detractors = fields.Float()
    n = fields.Integer()


class HeadlineSchema(ma.Schema):
    csat = fields.Float(allow_none=True)
    nps = fields.Nested(NpsSchema, allow_none=True)
    #: Intention to keep buying (%).
    repurchase = fields.Float(allow_none=True)
    #: The expectations item's mean and favourable %.
    expectations = fields.Nested(ItemResultSchema, allow_none=True)
    #: D1: favourable % pooled over the participation items.
    participation = fields.Float(allow_none=True)


class SurveyGroupSchema(ma.Schema):
    name = fields.String(allow_none=True)
    responses = fields.Integer()
    invited = fields.Integer()
    response_rate = fields.Float(allow_none=True)
    headline = fields.Nested(HeadlineSchema)
    #: Item id → favourable %.
    favourable = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))


class BreakdownSchema(ma.Schema):
    #: The groups with at least ``min_cut`` responses.
    groups = fields.List(fields.Nested(SurveyGroupSchema))
    #: How many groups are left out for having fewer.
    hidden_groups = fields.Integer()


class ReleaseSchema(ma.Schema):
    #: An anonymous wave's results grow in batches.
    batched = fields.Boolean()
    batch_size = fields.Integer()
    #: Responses not shown yet: they wait for their batch.
    waiting = fields.Integer()
    #: How many more responses the next batch needs.
    waiting_for = fields.Integer()


class TrendPointSchema(ma.Schema):
    wave = fields.Nested(WaveRefSchema)
    csat = fields.Float(allow_none=True)
    nps = fields.Float(allow_none=True)
    repurchase = fields.Float(allow_none=True)
    participation = fields.Float(allow_none=True)


class WaveResultsSchema(ma.Schema):
    wave = fields.Nested(WaveRefSchema, required=True)
    anonymous = fields.Boolean(required=True)
    #: The smallest number of responses a wave (anonymous) or a group (any) needs to show its results.
    min_cut = fields.Integer(required=True)
    #: An anonymous wave below the minimum cut: only its counts are given.
    hidden = fields.Boolean(required=True)
    responses = fields.Integer(required=True)
    #: Responses shown by source (link, public, imported).
    by_source = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    invited = fields.Integer(required=True)
    response_rate = fields.Float(allow_none=True, required=True)
    release = fields.Nested(ReleaseSchema, required=True)
    headline = fields.Nested(HeadlineSchema, required=True)
    items = fields.List(fields.Nested(ItemResultSchema), required=True)
    #: By ``typology`` and by ``segment`` (staff: group); empty when hidden.
    breakdowns = fields.Dict(keys=fields.String(), values=fields.Nested(BreakdownSchema), required=True)
    #: Free-text answers shown on the results page (their texts are not given here).
    comment_count = fields.Integer(required=True)
    #: Every wave of the survey's editions, oldest first (a wave below the minimum cut with no measures).
    trend = fields.List(fields.Nested(TrendPointSchema), required=True)


SurveyPage = api.page_schema(SurveySchema, "SurveyPage")
WavePage = api.page_schema(WaveSchema, "WavePage")
