"""The census writes' API schemas: a census pushed (JSON rows or a file), what the import did, the clients a full
census proposes as lost and their confirmation."""

import json

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate

from core import api, api_imports
from loyalty.models import Typology

TEXT = {"allow_none": True}


class CensusRowSchema(ma.Schema):
    """One client as a census file gives it (the import's columns, by field). Cells are read as the import reads
    a file's: dates as 2026-03-31 or 31/03/2026, numbers as JSON numbers (or text in either decimal style), the
    typology and exit reason by any spelling the import knows. An absent or null field leaves what is recorded."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=validate.Length(max=200))
    typology = fields.String(**TEXT, metadata={"description": "end_user, intermediate or prescriber (or a "
                                                              "spelling the import knows); required for a new client",
                                               "examples": [t.value for t in Typology]})
    segment = fields.String(**TEXT, validate=validate.Length(max=80))
    region = fields.String(**TEXT, validate=validate.Length(max=80))
    sector = fields.String(**TEXT, validate=validate.Length(max=120))
    joined_on = fields.String(required=True, metadata={"description": "Client since (2019-03-15 or 15/03/2019)"})
    left_on = fields.String(**TEXT, metadata={"description": "Left on; an empty one never brings a lost client back"})
    exit_reason = fields.String(**TEXT, metadata={"description": "An exit reason of the organisation's list, by its "
                                                                "name or id"})
    strategic = fields.Boolean(**TEXT)
    strategic_reason = fields.String(**TEXT, validate=validate.Length(max=300))
    year = fields.Integer(**TEXT, metadata={"description": "The year of the figures (else the body's year)"})
    potential = fields.Float(**TEXT)
    purchases = fields.Float(**TEXT, metadata={"description": "Needed with the other figures"})
    margin = fields.Float(**TEXT)


#: The fields a census row may have.
ROW_FIELDS = frozenset(CensusRowSchema().fields)


class CensusOptions(ma.Schema):
    year = fields.Integer(allow_none=True, validate=validate.Range(1900, 2100), load_default=None, metadata={
        "description": "The year of the figures, for rows without one"})
    full_census = fields.Boolean(load_default=False, metadata={
        "description": "The rows list every current client: those absent are proposed as lost (not removed)"})
    replace_figures = fields.Boolean(load_default=False, metadata={
        "description": "A year's figures already recorded give way to the ones sent (else they are kept)"})
    change_exit_dates = fields.Boolean(load_default=False, metadata={
        "description": "Apply the exit dates that differ from those recorded (else the recorded ones stay, and the "
                       "answer lists them)"})
    years_checked = fields.Boolean(load_default=False, metadata={
        "description": "Import figures for a year when the client was not a client (else refused, naming them)"})


class CensusPushSchema(CensusOptions):
    rows = api_imports.JsonRows(CensusRowSchema, required=True, validate=api_imports.RowCount(), metadata={
        "description": "The clients, one object per row (the import's columns); at most IMPORT_MAX_ROWS"})


class MappingField(fields.String):
    """A JSON object ``{field: header}`` sent as a form field: which of the file's headers holds which field."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            mapping = json.loads(text)
        except ValueError as error:
            raise ma.ValidationError(_("Send a JSON object of field → header.")) from error
        if not isinstance(mapping, dict) or not all(isinstance(v, str | None) for v in mapping.values()):
            raise ma.ValidationError(_("Send a JSON object of field → header."))
        unknown = sorted(set(mapping) - ROW_FIELDS)
        if unknown:
            raise ma.ValidationError(_("Unknown fields: %(fields)s.", fields=", ".join(unknown)))
        return mapping


class CensusUploadSchema(CensusOptions):
    """The multipart body of a census file: the file, and the same choices as a JSON census."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                                "description": "The census as CSV or XLSX"})
    mapping = MappingField(load_default=None, validate=validate.Length(max=5000), metadata={
        "description": 'Which header holds which field, as JSON ({"code": "Nº cliente", …}); without it, the '
                       "columns are taken as the import wizard first maps them (their headers in Spanish or "
                       "English, and the mapping of the last import)"})


class ImportSchema(ma.Schema):
    id = fields.Integer()
    filename = fields.String()
    rows = fields.Integer()
    added = fields.Integer()
    updated = fields.Integer()
    figures_added = fields.Integer()
    figures_replaced = fields.Integer()
    figures_kept = fields.Integer()
    figure_years = fields.List(fields.Integer(), allow_none=True)
    year = fields.Integer(allow_none=True)
    full_census = fields.Boolean()
    marked_lost = fields.Integer()
    imported_at = api.UtcDateTime()


class YearWarningSchema(ma.Schema):
    #: "before" the client joined, or "after" it left.
    kind = fields.String()
    year = fields.Integer()
    count = fields.Integer()
    message = fields.String()


class ExitDateChangeSchema(ma.Schema):
    row = fields.Integer()
    code = fields.String()
    recorded = fields.Date()
    sent = fields.Date()
    #: Whether the sent date was written (``change_exit_dates``).
    applied = fields.Boolean()


class AbsentClientSchema(ma.Schema):
    """A client a full census did not list (proposed as lost)."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class AbsentSchema(ma.Schema):
    count = fields.Integer()
    #: The first of them by code (all of them: GET /census/imports/{id}/absent).
    clients = fields.List(fields.Nested(AbsentClientSchema))


class DemoMixSchema(ma.Schema):
    matched = fields.Integer()
    proposed_lost = fields.Integer()


class CensusResultSchema(ma.Schema):
    # ``import`` is a Python keyword: the attribute is read from the answer's key.
    import_ = fields.Nested(ImportSchema, data_key="import", attribute="import")
    warnings = fields.List(fields.Nested(YearWarningSchema))
    exit_date_changes = fields.List(fields.Nested(ExitDateChangeSchema))
    demo = fields.Nested(DemoMixSchema, allow_none=True)
    absent = fields.Nested(AbsentSchema, allow_none=True)


class AbsentConfirmSchema(ma.Schema):
    left_on = fields.Date(required=True)
    reason = fields.Integer(required=True, validate=validate.Range(min=1, max=api.MAX_RECORD_ID),
                            metadata={"description": "The exit reason's id"})
    clients = fields.List(fields.Integer(validate=validate.Range(min=1, max=api.MAX_RECORD_ID)),
                          validate=validate.Length(min=1, max=api.MAX_BATCH), metadata={
                              "description": "The clients to record as lost; without it, every one proposed"})


class AbsentConfirmedSchema(ma.Schema):
    recorded = fields.Integer(required=True)


AbsentPage = api.page_schema(AbsentClientSchema, "AbsentClientPage")
