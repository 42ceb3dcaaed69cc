"""The evidence packs' API schemas: declared once, they validate requests, shape answers and write the document."""

import marshmallow as ma
from marshmallow import fields, validate

from core import api


class ManifestEntrySchema(ma.Schema):
    #: The attachment's name inside the PDF.
    name = fields.String()
    #: The evidence item's title.
    title = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    revision = fields.Integer(allow_none=True)
    #: The criteria the file is evidence for.
    criteria = fields.List(fields.String())


class SnapshotFileSchema(ma.Schema):
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    #: The app's download address of the PDF (the same as the packs page's).
    download = fields.String()


class SetRefSchema(ma.Schema):
    id = fields.Integer()
    code = fields.String()


class PackAuthorSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class SnapshotSchema(ma.Schema):
    id = fields.Integer()
    criteria_set = fields.Nested(SetRefSchema)
    #: ``all`` or one criterion's code.
    scope = fields.String()
    language = fields.String()
    #: The moment the data was read.
    data_as_at = api.UtcDateTime()
    #: The audit trail's seal at that moment (``seq:sha256``), printed on the cover.
    audit_head = fields.String(allow_none=True)
    created_by = fields.Nested(PackAuthorSchema, allow_none=True)
    page_count = fields.Integer()
    file = fields.Nested(SnapshotFileSchema)
    #: Every file attached to the PDF.
    manifest = fields.List(fields.Nested(ManifestEntrySchema))


class CriterionStatusSchema(ma.Schema):
    automatic = fields.String()
    self_assessment = fields.String(allow_none=True)
    verdict = fields.String(allow_none=True)


class SnapshotDetailSchema(SnapshotSchema):
    #: Each criterion's status when the pack was made, by code.
    statuses = fields.Dict(keys=fields.String(), values=fields.Nested(CriterionStatusSchema))
    #: The SHA-256 of the pack's content recomputed from what the snapshot keeps (the cover prints the same).
    content_digest = fields.String()


class SnapshotQuery(api.PageArgs):
    set = fields.Integer(validate=validate.Range(min=1, max=api.MAX_RECORD_ID),
                         metadata={"description": "A criteria set's id"})


SnapshotPage = api.page_schema(SnapshotSchema, "SnapshotPage")
