"""What the API's imports share: rows sent as JSON or a file uploaded, read into the import pipeline's tables
(``core.imports``), and its row-level problems as the problem details' ``errors``.

An API import goes through the same steps as the import wizard (``core.imports.wizard``) — the same spec, parse,
the importer's own checks, all or nothing — but in one request: what the wizard shows on its check page is the
answer (422 with every rejected row, or what was written). JSON rows are a table whose headers are the spec's
field names; a file is read as the wizard reads it, its columns mapped as the wizard first offers them.

The endpoints that take a file are registered with ``register_uploads`` instead of ``core.api.register``: the same
CSRF exemption and per-token rate limit, but a body may be ``multipart/form-data`` there (else JSON, else 415).
"""

import hashlib
import itertools
from collections.abc import Mapping
from functools import wraps

import marshmallow as ma
import numpy as np
import pandas as pd
from flask import current_app, request
from flask_babel import gettext as _
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from core import api
from core.extensions import csrf, limiter
from core.imports.frames import FrameTable
from core.imports.result import ImportResult

#: Rejected rows named in one answer (the wizard's check page lists as many; the rest are counted).
ERRORS_SHOWN = 500


class RowErrorSchema(api.FieldErrorSchema):
    """A row-level problem of an import: ``row`` (the JSON row, 0-based, or the file's spreadsheet row), the
    ``column`` (the file's header, or the JSON field) and the ``field`` of the import it maps to (the fields are
    every problem's, ``core.api.FieldErrorSchema``: this name documents the import's answers)."""


class RowCount(ma.validate.Validator):
    """At least one row, at most the imports' bound (``IMPORT_MAX_ROWS``, read when the request is)."""

    def __call__(self, value):
        most = int(current_app.config["IMPORT_MAX_ROWS"])
        if not value:
            raise ma.ValidationError(_("Send at least one row."))
        if len(value) > most:
            raise ma.ValidationError(_("At most %(n)d rows in one request: split them.", n=most))
        return value


def json_table(rows: list[Mapping], *, name: str = "api") -> FrameTable:
    """JSON rows as a table: one column per field any row names (None where a row leaves it out), indexed by the
    row's position in the list (0-based, as the errors name rows)."""
    headers = list(dict.fromkeys(itertools.chain.from_iterable(rows)))
    frame = pd.DataFrame({header: [row.get(header) for row in rows] for header in headers},
                         index=np.arange(len(rows)), columns=headers, dtype=object)
    return FrameTable(headers, frame, kind="json", filename=name)


def row_errors(result: ImportResult, *, location: str, prefix: str = "",
               paths: Mapping[str, str] | None = None) -> list[dict]:
    """The result's problems, at most ``ERRORS_SHOWN``, as problem details' errors. ``prefix`` makes a JSON row's
    field a path into the body (``rows.3.joined_on``; ``paths`` gives a field's path inside its row where it is
    not the field's name); a file's errors name its spreadsheet row and header."""
    errors, paths = [], paths or {}
    for error in result.errors[:ERRORS_SHOWN]:
        field = paths.get(error.field, error.field) or ""
        if prefix:
            field = f"{prefix}.{error.row}.{field}" if field else f"{prefix}.{error.row}"
        # A JSON row's column is its field; a file's is its header (None for a column the file lacks).
        column = error.column or (paths.get(error.field, error.field) if prefix else None)
        errors.append({"location": location, "field": field, "row": int(error.row), "column": column,
                       "message": str(error.message)})
    return errors


def refuse_rows(result: ImportResult, detail: str, *, location: str, prefix: str = "",
                paths: Mapping[str, str] | None = None) -> None:
    """Stop with a 422 naming the rejected rows (``detail`` says how many, and that nothing was written)."""
    api.refuse(422, detail, errors=row_errors(result, location=location, prefix=prefix, paths=paths))


#: What a cell cannot be: an import's cell is one value.
COMPOUND = frozenset({dict, list})


class JsonRows(ma.fields.List):
    """A list of rows of single values, checked lightly: the cells are the import's to judge
    (``core.imports.cells``), as a file's are, so 100 000 rows are not deserialised one field at a time. A field the
    import does not have is refused (a typo must not be dropped quietly). The document shows ``row_schema``."""

    def __init__(self, row_schema: type[ma.Schema], **kwargs):
        super().__init__(ma.fields.Nested(row_schema), **kwargs)
        self.known = frozenset(row_schema().fields)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise ma.ValidationError(_("Send a list of rows."))
        errors = {}
        for number, row in enumerate(value):
            if type(row) is not dict:
                errors[number] = [_("Send each row as an object.")]
                continue
            if not row.keys() <= self.known:
                errors[number] = {key: [_("Unknown field.")] for key in row.keys() - self.known}
            if not COMPOUND.isdisjoint(map(type, row.values())):  # one test per row, not per cell
                errors.setdefault(number, {}).update({key: [_("Send a single value.")] for key, cell in row.items()
                                                      if type(cell) in COMPOUND})
            if len(errors) >= ERRORS_SHOWN:
                break
        if errors:
            raise ma.ValidationError(errors)
        return value  # the validators (the list's length) run after this, as for any field


def require_json_or_upload():
    """``before_request`` of an upload blueprint: a body must be JSON, or ``multipart/form-data`` for an endpoint
    that takes a file (``canonical_upload``); else 415."""
    if request.method not in ("POST", "PUT", "PATCH") or not (request.content_length or request.headers.get(
            "Transfer-Encoding")):
        return None
    if getattr(current_app.view_functions.get(request.endpoint), "takes_upload", False):
        if request.mimetype == "multipart/form-data":
            return None
        return api.problem(415, detail=_("Send the file as multipart/form-data (JSON rows go to the endpoint that "
                                         "takes them)."))
    return None if request.is_json else api.problem(415, detail=str(api.DETAILS[415]))


def register_uploads(blueprint: api.Blueprint) -> None:
    """``core.api.register`` for a blueprint whose endpoints may take a file (``multipart/form-data``)."""
    if not getattr(blueprint, "prepared", False):
        csrf.exempt(blueprint)
        blueprint.before_request(require_json_or_upload)
        limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=api.rate_key)(blueprint)
        blueprint.prepared = True
    api.api.register_blueprint(blueprint)


class UploadParser(FlaskParser):
    """A multipart body's files and the form fields beside them, loaded together (location ``files``): one
    schema validates and documents the whole body, where flask-smorest documents one request body per
    operation."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class UploadBlueprint(api.Blueprint):
    """A blueprint whose ``location="files"`` arguments are the whole multipart body (``UploadParser``)."""

    ARGUMENTS_PARSER = UploadParser()


def canonical_upload(view):
    """Decorator, outside ``core.idempotency.committed_write``: a multipart body is fingerprinted by its parts (names,
    file names, bytes), not by its bytes, whose boundary every client draws at random, so that an upload sent
    again with its ``Idempotency-Key`` is the same request. (The parts are parsed here, before the fingerprint reads
    the body: what the fingerprint reads is the parts' digest.)"""

    @wraps(view)
    def fingerprinted(*args, **kwargs):
        if request.mimetype == "multipart/form-data":
            seen = hashlib.sha256()
            for name, value in sorted(request.form.items(multi=True)):
                seen.update(f"form\0{name}\0{value}\0".encode())
            for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
                seen.update(f"file\0{name}\0{upload.filename}\0".encode())
                seen.update(hashlib.sha256(upload.stream.read()).digest())
                upload.stream.seek(0)
            request._cached_data = b"multipart/form-data parts " + seen.hexdigest().encode()
        return view(*args, **kwargs)

    fingerprinted.takes_upload = True  # ``functools.wraps`` of the decorators above carries it to the view
    return fingerprinted
