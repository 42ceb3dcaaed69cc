"""The census pushed through the API: JSON rows or a file, through the census import's own steps, in one request.

What the wizard does over its pages (``loyalty.views.imports.CensusImporter``) happens here at once, with the same
functions: a ``CensusImport`` record (the import's audit trail, and its place in the census's history), the census
taken for applying it (``lock_for_apply``), the parse against ``census_import.spec()`` and ``check_result``, every
rejected row answered 422 (nothing written), figures outside a client's membership refused unless the caller says
they checked them (the check page's tick), exit dates changed only when asked (its other tick), then ``apply``.
After a full census, the current clients it did not list are proposed as lost, never removed: the answer gives
them as the import's page lists them, and ``confirm_absent`` records the ones the caller confirms.

A refused request writes nothing, not even its record (the wizard keeps refused uploads in the history because
they wait there to be corrected; a refused API call has nothing waiting).
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from core import api, api_imports
from core.extensions import db
from core.imports import ImportFileError, parse
from core.imports.bulk import analysed
from core.rules import RuleError
from loyalty import census_import
from loyalty.models import CensusImport, Client, ExitReason

#: Clients proposed as lost listed in the upsert's answer (all of them: ``GET …/imports/<id>/absent``).
ABSENT_SHOWN = 100


@dataclass
class Source:
    """Where the rows came from: a JSON body (``location`` "json", rows under ``prefix``) or a file ("form")."""

    name: str
    data: bytes
    location: str = "json"
    prefix: str = "rows"


@dataclass
class Options:
    """The choices the wizard's upload form and check page offer."""

    year: int | None = None
    full_census: bool = False
    replace_figures: bool = False
    change_exit_dates: bool = False
    years_checked: bool = False


def upsert(table, mapping: dict, options: Options, source: Source, *, actor) -> dict:
    """Import ``table`` (the caller commits once): the answer, or a 422 naming every refused row."""
    record = CensusImport(actor_id=actor.id, filename=source.name[:255], size=len(source.data),
                          sha256=hashlib.sha256(source.data).hexdigest(), year=options.year,
                          full_census=options.full_census, mapping={})
    db.session.add(record)
    db.session.flush()
    census_import.lock_for_apply(record)  # one census import at a time, as the wizard's confirmation
    plan = _checked(table, mapping, options, source)
    record.mapping = plan.result.mapping
    with analysed(db.session.connection()):
        census_import.apply(plan, record, replace_figures=options.replace_figures,
                            change_exit_dates=options.change_exit_dates)
    return answer(record, plan, options)


def _checked(table, mapping: dict, options: Options, source: Source) -> census_import.CensusPlan:
    try:
        result = parse(table, census_import.spec(), mapping)
    except ImportFileError as error:  # a required column (field) is missing
        api.refuse(422, str(error), errors=[{"location": source.location, "field": source.prefix,
                                             "message": str(error)}])
    plan = census_import.check_result(result, year=options.year, full_census=options.full_census)
    if not result.ok:
        api_imports.refuse_rows(result, ngettext(
            "Nothing was imported: %(num)d row of %(total)d has problems. Correct it and send the census again.",
            "Nothing was imported: %(num)d rows of %(total)d have problems. Correct them and send the census again.",
            result.rejected_count, total=result.total), location=source.location,
            prefix=source.prefix if source.location == "json" else "")
    if plan.warnings and not options.years_checked:
        api.refuse(422, _("Some rows have figures for a year when the client was not a client. Nothing was "
                          "imported: send years_checked true to import them as they are, or correct the rows."),
                   errors=_warning_errors(plan.warnings, source))
    return plan


def _warning_errors(warnings, source: Source) -> list[dict]:
    errors = []
    for warning in warnings:
        for row, _code, _when in warning.examples:
            field = f"{source.prefix}.{row}.year" if source.location == "json" else "year"
            errors.append({"location": source.location, "field": field, "row": row, "column": "year",
                           "message": warning.message})
    return errors


def answer(record: CensusImport, plan: census_import.CensusPlan, options: Options) -> dict:
    """What the import did, as its check page and its outcome page say it."""
    return {"import": record, "warnings": [{"kind": w.kind, "year": w.year, "count": w.count, "message": w.message}
                                           for w in plan.warnings],
            "exit_date_changes": [{"row": c.row, "code": c.code, "recorded": c.old, "sent": c.new,
                                   "applied": options.change_exit_dates} for c in plan.exit_changes],
            "demo": None if plan.demo is None else {"matched": plan.demo.matched,
                                                    "proposed_lost": plan.demo.proposed_lost},
            "absent": absent_summary(record) if record.full_census else None}


def absent_summary(record: CensusImport) -> dict:
    """The clients a full census proposes as lost: how many, and the first ones by code."""
    query = census_import.absent_query(record)
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return {"count": count, "clients": list(db.session.scalars(query.limit(ABSENT_SHOWN)))}


def applied_import(import_id: int) -> CensusImport:
    """An applied import (404 for one still pending in the wizard, as its outcome page)."""
    record = db.get_or_404(CensusImport, import_id)
    if record.imported_at is None:
        api.refuse(404, _("There is no applied census import with this number."))
    return record


def confirm_absent(record: CensusImport, *, client_ids: list[int] | None, left_on: date, reason_id: int) -> int:
    """Record as lost the clients the full census ``record`` proposed (``client_ids``, or all when None), as the
    import's outcome page does: 409 when it was not a full census, 422 when the rules refuse one of them."""
    if not record.full_census:
        api.refuse(409, _("This import was not a full census: it proposes no client as lost."))
    reason = db.session.get(ExitReason, reason_id)
    if reason is None:
        api.refuse(422, _("Choose an exit reason of the list."),
                   errors=[{"location": "json", "field": "reason", "message": _("Unknown exit reason.")}])
    try:
        recorded = census_import.confirm_lost(record, client_ids, left_on, reason)
    except RuleError as refusal:
        api.refuse(422, str(refusal))
    if not recorded:
        api.refuse(422, _("None of these clients is proposed as lost by this import."),
                   errors=[{"location": "json", "field": "clients", "message": _("Not proposed as lost.")}])
    db.session.flush()
    return recorded


def absent_clients(record: CensusImport):
    """The clients ``record`` proposes as lost, by code (a SELECT to paginate; none unless a full census)."""
    if not record.full_census:
        return select(Client).where(Client.id.is_(None))
    return census_import.absent_query(record)
