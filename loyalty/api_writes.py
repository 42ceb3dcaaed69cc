"""The census written through the REST API: an upsert of clients (JSON rows or a file) through the census import,
and the confirmation of the clients a full census proposes as lost (``loyalty.census_api``)."""

from flask import request, url_for
from flask_login import current_user

from core import api, api_imports, idempotency
from core.access import TEAM_DATA, allow
from core.idempotency import committed_write
from core.imports import ImportFileError
from core.imports.forms import initial_mapping
from core.imports.frames import read_frame
from loyalty import census_api, census_import
from loyalty.api_write_schemas import (
    AbsentConfirmedSchema,
    AbsentConfirmSchema,
    AbsentPage,
    CensusPushSchema,
    CensusResultSchema,
    CensusUploadSchema,
)

blp = api_imports.UploadBlueprint("api_census_writes", __name__, url_prefix=api.PREFIX,
                    description="The census pushed by an ERP or CRM (B1, B2)")

IDEMPOTENCY = idempotency.PARAMETER
ROW_PROBLEM = {"description": "Rows refused, each with its row, column and field: nothing was imported",
               "content": {api.PROBLEM: {"schema": "Problem"}}}


def _options(args: dict) -> census_api.Options:
    return census_api.Options(**{name: args[name] for name in ("year", "full_census", "replace_figures",
                                                                "change_exit_dates", "years_checked")})


@blp.post("/census")
@allow(TEAM_DATA)
@committed_write
@blp.arguments(CensusPushSchema)
@blp.response(200, CensusResultSchema)
@blp.doc(parameters=[IDEMPOTENCY], responses={"422": ROW_PROBLEM})
def push_census(args):
    """Upsert clients, and their figures for a year, by code: the census import in one request, all or nothing.

    Rows are checked as an imported file's (``rows.<n>.<field>`` names each refused cell). Known clients are
    updated (absent or null fields keep what is recorded), the others added; a year's figures already recorded are
    kept unless ``replace_figures``. With ``full_census`` the current clients the rows do not list are *proposed*
    as lost, never removed: the answer's ``absent`` gives them, ``GET /census/imports/{id}/absent`` lists them all
    and ``POST /census/imports/{id}/absent`` (a date, a reason, and the clients or all) records them, as the
    import's outcome page does. Exit dates that differ from the recorded ones stay as recorded unless
    ``change_exit_dates`` (the answer lists them)."""
    table = api_imports.json_table(args["rows"])
    mapping = {name: name for name in table.headers}
    source = census_api.Source("API", request.get_data())
    return census_api.upsert(table, mapping, _options(args), source, actor=current_user)


@blp.post("/census/file")
@allow(TEAM_DATA)
@api_imports.canonical_upload
@committed_write
@blp.arguments(CensusUploadSchema, location="files")
@blp.response(200, CensusResultSchema)
@blp.doc(parameters=[IDEMPOTENCY], responses={"422": ROW_PROBLEM})
def push_census_file(args):
    """Upsert the census from a CSV or XLSX file, as the import wizard reads it: the same columns, recognised by
    their headers (or ``mapping``), the same refusals by spreadsheet row and header, then as ``POST /census``."""
    upload = args["file"]
    data = upload.read()
    name = upload.filename or "census.csv"
    try:
        table = read_frame(data, name)
    except ImportFileError as error:
        api.refuse(422, str(error), errors=[{"location": "files", "field": "file", "message": str(error)}])
    mapping = args["mapping"]
    if mapping is None:
        mapping = initial_mapping(census_import.SPEC, table.headers, census_import.remembered_mapping())
    source = census_api.Source(name, data, location="form", prefix="file")
    return census_api.upsert(table, mapping, _options(args), source, actor=current_user)


@blp.get("/census/imports/<int:import_id>/absent")
@allow(TEAM_DATA)
@blp.arguments(api.PageArgs, location="query", error_status_code=400)
@blp.response(200, AbsentPage)
def absent_clients(args, import_id: int):
    """The current clients a full census did not list, by code: proposed as lost until someone confirms them."""
    record = census_api.applied_import(import_id)
    return api.paginate(census_api.absent_clients(record), args)


@blp.post("/census/imports/<int:import_id>/absent")
@allow(TEAM_DATA)
@committed_write
@blp.arguments(AbsentConfirmSchema)
@blp.response(200, AbsentConfirmedSchema)
@blp.doc(parameters=[IDEMPOTENCY])
def confirm_absent(data, import_id: int):
    """Record as lost, on a date and for a reason, the clients a full census proposed (those given, or all): the
    import's outcome page's confirmation. Clients it did not propose are left alone."""
    record = census_api.applied_import(import_id)
    recorded = census_api.confirm_absent(record, client_ids=data.get("clients"), left_on=data["left_on"],
                                         reason_id=data["reason"])
    return {"recorded": recorded}, 200, {"Content-Location": url_for(".absent_clients", import_id=record.id)}
