"""One wizard for every import: upload the file, say which column is which, see every rejected row and what
will change, then import it all or nothing.

A capability describes each of its importers with its domain code only, as a subclass of ``Importer`` (the
columns it expects, its own checks, its write, where the user goes once it is done), and ``register`` adds
the importer's three pages to the capability's blueprint, under the importer's access rule:

- the upload page (``rule``): the form, the columns the file may have, the earlier imports;
- the check page (``rule/<id>``): which column is which, the values to match (``values``: a file's own spellings
  of the app's lists, mapped once and remembered), every problem (``?report=csv`` downloads them all, see
  ``report``), what the import will do; its confirming POST imports;
- the file page (``rule/<id>/file``): the file as uploaded, for its uploader only, until it is imported;
- the template (``rule/template.csv`` or ``.xlsx``): the columns' headers in the reader's language and two
  example rows (``example_rows``) that the importer takes as they are.

The upload is kept (``retention``) while the import is pending; its table and its parse come from the memo
(``memo``, ``result.parse_kept``), so however often the check page is opened the file is parsed once per
mapping. A GET writes nothing: what a check found is recorded, by an importer that records it, on a POST.

The pages are ``core/import_upload.html`` and ``core/import_check.html``. What is an importer's own is a set
of macros in the template its ``parts`` names: ``plan(plan, result)`` (what the import will do) and
``confirm_label(count)``; where it has them, ``trail(target)`` (the breadcrumbs before the import's own),
``nav()``, ``columns(spec)`` (instead of the table of the spec's columns), ``check_intro(pending, table)``
(about the file, instead of its row count), ``confirm_fields(plan)`` (the confirmation's own choices) and
``notice(notice)`` (above the upload form, what the importer's ``notice(target)`` found worth saying first:
the census, that it still holds the demo organisation's clients).
"""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SubmitField

from core.access import TEAM_DATA, Rule, allow
from core.exports import export_response
from core.extensions import db
from core.files import TABLES, Owner, StoredFile, download_response
from core.forms import AcceptedUpload
from core.imports.bulk import analysed
from core.imports.forms import mapping_form_class
from core.imports.reading import ImportFileError, read_table
from core.imports.report import error_report_response
from core.imports.result import ImportResult, parse_kept
from core.imports.retention import finish_import, import_history, keep_days, pending_upload, store_import_upload
from core.imports.spec import ImportSpec
from core.imports.values import CREATE, LEAVE, VALUE_PREFIX, apply_choices, may_create, remembered, unmatched

#: Rejected rows listed on the check page; the downloadable report has them all.
ERRORS_SHOWN = 500
#: Values to match listed per column (those written in most rows); once matched, the next ones are listed.
MATCHES_SHOWN = 50
STEPS = ("upload", "check", "file")


class UploadForm(FlaskForm):
    """Step 1: the file, refused at once when it is not a table or is over the import's bounds."""

    file = FileField(_l("File (CSV or XLSX)"), validators=[AcceptedUpload(TABLES)])
    submit = SubmitField(_l("Upload and check"))


@dataclass
class Pending:
    """An upload waiting to be imported, as its check page finds it."""

    #: The ids in the check page's URL (the upload's, and the wave's for survey responses).
    ids: dict[str, int]
    #: The file; None once an upload left pending too long was deleted.
    stored: StoredFile | None
    #: The record the rows go into, for an importer that has one (a survey's wave).
    target: Any = None
    #: The importer's own record of the upload, for one that keeps it (the census's ``CensusImport``).
    record: Any = None


def _id(record) -> int | None:
    return None if record is None else record.id


class Importer:
    """What a capability tells the wizard about one of its importers.

    A subclass sets the attributes and writes ``spec``, ``check``, ``write``, ``message`` and ``done_url`` with
    its domain functions. The other methods answer for an importer whose uploads are files summed up in the
    ``ImportRecord`` history once applied; the census, which keeps a record of each upload, overrides them."""

    #: The kind of its uploads: who may open them, and whose history they join.
    owner: Owner
    #: The upload page's URL rule in the blueprint; the check page adds ``/<pending_arg>``, the file page ``/file``.
    rule: str
    #: The endpoints of the upload, check and file pages (templates and tests ``url_for`` them).
    endpoints: tuple[str, str, str]
    #: The check page's URL argument naming the upload.
    pending_arg = "file_id"
    access: Rule = TEAM_DATA
    #: The pages' title, and the upload page's name in the breadcrumbs (the title unless given).
    title: Any
    crumb: Any = None
    #: What the upload page says about the file and the steps; and under the columns the file may have, what
    #: else to know about them (an importer with a ``columns(spec)`` part of its own says it there).
    intro: Any
    columns_note: Any = None
    #: The template of the importer's own parts (see the module's docstring).
    parts: str
    upload_form: type[FlaskForm] = UploadForm
    #: The downloadable template's file name, without its extension.
    template_name: Any

    def target(self, ids: Mapping[str, int]) -> Any:
        """The record the rows go into, from the URL's ids (a 404 when there is none); None if it has none."""
        return None

    def spec(self, target) -> ImportSpec:
        raise NotImplementedError

    def example_rows(self, target) -> list[dict[str, Any]]:
        """Two rows a real file could hold, by field, written as the importer reads them (the template's)."""
        raise NotImplementedError

    def read(self, data: bytes, filename: str):
        """The upload's table (``ImportFileError`` when it cannot be read)."""
        return read_table(data, filename)

    def readable(self, table, target):
        """The table as the importer lets it be mapped: all its columns unless the target forbids some (an anonymous
        survey's file is read without its timestamps)."""
        return table

    def history(self, target) -> list | None:
        """The earlier imports the upload page lists; None for an importer with a history page of its own."""
        return import_history(self.owner, target_id=_id(target))

    def notice(self, target) -> Any:
        """What the upload page says first, through the ``notice`` part (None: nothing)."""
        return None

    def start(self, stored: StoredFile, form: FlaskForm, target) -> int:
        """What the check page's URL names for a new upload (the caller commits)."""
        return stored.id

    def pending(self, ids: Mapping[str, int], target) -> Pending:
        """The current user's pending upload named by the URL; a 404 for anyone else's, or once it is imported."""
        return Pending(dict(ids), pending_upload(ids[self.pending_arg], self.owner), target)

    def applied(self, pending: Pending) -> bool:
        """Whether the upload was imported already (the file importers' uploads are gone by then: a 404)."""
        return False

    def lock(self, pending: Pending) -> bool:
        """Take what applying the upload writes over, until the transaction ends; False if it was applied meanwhile."""
        return True

    def remembered_mapping(self) -> dict | None:
        """The mapping to offer again, for an importer that remembers the last one."""
        return None

    def offered_mapping(self, target, table) -> dict | None:
        """The mapping the check page offers before the guess from the synonyms: the remembered one, unless the
        importer can tell more from the file's headers (a survey tool's export)."""
        return self.remembered_mapping()

    def check(self, result: ImportResult, pending: Pending) -> Any:
        """The importer's own checks of the parsed rows (rejecting rows in ``result``), and its plan."""
        raise NotImplementedError

    def count(self, plan) -> int:
        """How many rows the plan imports."""
        return len(plan)

    def refusal(self, plan, sent: Mapping[str, str]) -> str | None:
        """Why a confirmation must not go ahead although every row is right: what the page was checked against
        changed since it was sent (``sent`` is the confirming form). None when it may."""
        return None

    def apply(self, plan, result: ImportResult, pending: Pending, *, replace: bool) -> str:
        """Write the plan and keep the summary instead of the file (the caller commits); what to tell the user."""
        counts = self.write(plan, pending, replace=replace)
        finish_import(pending.stored, counts=counts | {"rows": result.total}, actor=current_user,
                      target_id=_id(pending.target))
        return self.message(counts)

    def write(self, plan, pending: Pending, *, replace: bool) -> dict[str, int]:
        """Write the plan; ``replace``: values already recorded give way to the file's. The counts of what it did."""
        raise NotImplementedError

    def message(self, counts: dict[str, int]) -> str:
        raise NotImplementedError

    def checked(self, plan, result: ImportResult, pending: Pending) -> None:
        """Record what a check found, for an importer that keeps it (called on a POST only; the caller commits)."""

    def done_url(self, pending: Pending) -> str:
        """Where the user goes once the file is imported."""
        raise NotImplementedError


def value_choice(value) -> str:
    """The choice of a value-to-match select that maps it to ``value`` (``values.apply_choices`` reads it)."""
    return f"{VALUE_PREFIX}{value}"


#: The other choices of a value-to-match select, for the template.
MATCH_CHOICES = {"leave": LEAVE, "create": CREATE}


class ImportWizard:
    """The upload, check and file pages of one importer."""

    def __init__(self, importer: Importer, blueprint: str):
        self.importer = importer
        self.endpoints = {step: f"{blueprint}.{name}" for step, name in zip(STEPS, importer.endpoints, strict=True)}

    def template(self, fmt: str, **ids):
        """A file to fill in: the columns' headers in the reader's language and two example rows."""
        importer = self.importer
        target = importer.target(ids)
        columns = importer.spec(target).columns
        rows = [[row.get(column.field) for column in columns] for row in importer.example_rows(target)]
        # Whole numbers stay whole ("4", not "4.0") where a column also has empty cells.
        frame = pd.DataFrame(rows, columns=[str(column.label) for column in columns]).convert_dtypes()
        return export_response(frame, str(importer.template_name), fmt)

    def template_urls(self, ids: Mapping[str, int]) -> dict[str, str]:
        return {fmt: url_for(f"{self.endpoints['upload']}_template", fmt=fmt, **ids) for fmt in ("csv", "xlsx")}

    def upload(self, **ids):
        """Step 1: upload the file (kept, so that the next steps can read it again) and say what it is."""
        importer = self.importer
        target = importer.target(ids)
        form = importer.upload_form()
        if form.validate_on_submit():
            stored = store_import_upload(form.file.data, owner=importer.owner, actor=current_user)
            pending_id = importer.start(stored, form, target)
            db.session.commit()
            return redirect(url_for(self.endpoints["check"], **ids, **{importer.pending_arg: pending_id}))
        return render_template("core/import_upload.html", importer=importer, form=form, target=target,
                               spec=importer.spec(target), history=importer.history(target),
                               template_urls=self.template_urls(ids), notice=importer.notice(target))

    def check(self, **ids):
        """Steps 2 and 3: which column is which, every rejected row, what the import will do; then import it all."""
        importer = self.importer
        pending = importer.pending(ids, importer.target(ids))
        confirming = request.method == "POST" and bool(request.form.get("confirm"))
        # A second confirmation (a double click) waits in ``lock`` for the first, then finds it applied.
        if importer.applied(pending) or (confirming and not importer.lock(pending)):
            return self._applied(pending, confirming)
        table = self._table(pending)
        if table is None:
            return redirect(self._urls(pending)["upload"])
        spec = remembered(importer.spec(pending.target))
        form = mapping_form_class(spec, table.headers, importer.offered_mapping(pending.target, table))()
        page = functools.partial(self._check_page, pending, table, form)
        if request.method == "POST" and not form.validate():
            return page()
        try:
            result = parse_kept(pending.stored.data, table, spec, form.mapping())
        except ImportFileError as error:  # a required column is not mapped yet
            return page(problem=str(error))
        if request.method == "POST" and request.form.get("match"):
            result = self._match(pending, table, result, form.mapping())
        return self._checked(page, pending, result, confirming)

    def _match(self, pending: Pending, table, result: ImportResult, mapping) -> ImportResult:
        """Save what the user chose for the values to match (remembered for the next file), and check again."""
        matched = apply_choices(unmatched(result), request.form, current_user)
        db.session.commit()
        if matched:
            flash(ngettext("%(num)d value matched: it is remembered for the next files.",
                           "%(num)d values matched: they are remembered for the next files.", matched), "success")
        else:
            flash(_("No value was matched: the rows that write them stay rejected."), "info")
        spec = remembered(self.importer.spec(pending.target))
        return parse_kept(pending.stored.data, table, spec, mapping)

    def file(self, **ids):
        """The file of one's own pending import, as uploaded (deleted once imported or abandoned)."""
        importer = self.importer
        pending = importer.pending(ids, importer.target(ids))
        return download_response(None if importer.applied(pending) else pending.stored, owner=importer.owner)

    def _applied(self, pending: Pending, confirming: bool):
        """Off to the outcome of an upload imported already (by this confirmation's twin, if it is one)."""
        db.session.rollback()
        if confirming:
            flash(_("This file has already been imported (the first confirmation did it)."), "info")
        return redirect(self.importer.done_url(pending))

    def _checked(self, page, pending: Pending, result: ImportResult, confirming: bool):
        """The parsed file through the importer's checks: the problems report, the import, or the page."""
        importer = self.importer
        plan = importer.check(result, pending)
        if request.args.get("report") == "csv":
            return error_report_response(result)
        if confirming and result.ok and importer.count(plan):
            return self._confirm(page, pending, plan, result)
        if request.method == "POST":  # a GET writes nothing
            importer.checked(plan, result, pending)
            db.session.commit()
        return page(result=result, plan=plan)

    def _table(self, pending: Pending):
        """The upload's table, or None once the user has been told why it cannot be read."""
        if pending.stored is None:
            flash(_("The file of this import was deleted after %(days)d days without being imported: upload it "
                    "again.", days=keep_days()), "warning")
            return None
        try:
            return self.importer.readable(self.importer.read(pending.stored.data, pending.stored.filename),
                                          pending.target)
        except ImportFileError as error:
            flash(str(error), "danger")
            return None

    def _confirm(self, page, pending: Pending, plan, result: ImportResult):
        """Import the checked file, unless what it was checked against changed: then show it as it is now."""
        refusal = self.importer.refusal(plan, request.form)
        if refusal:
            db.session.rollback()
            flash(refusal, "warning")
            return page(result=result, plan=plan)
        with analysed(db.session.connection()):  # the tables it writes get fresh statistics at the commit
            message = self.importer.apply(plan, result, pending, replace=request.form.get("existing") == "replace")
        db.session.commit()
        flash(message, "success")
        return redirect(self.importer.done_url(pending))

    def _check_page(self, pending: Pending, table, form, *, result=None, plan=None, problem=None) -> str:
        return render_template("core/import_check.html", importer=self.importer, pending=pending,
                               target=pending.target, table=table, form=form, result=result, plan=plan,
                               count=0 if plan is None else self.importer.count(plan), problem=problem,
                               urls=self._urls(pending), errors_shown=ERRORS_SHOWN,
                               matches=unmatched(result) if result is not None else [],
                               may_create=may_create(current_user), choice=value_choice,
                               match_choices=MATCH_CHOICES, matches_shown=MATCHES_SHOWN)

    def _urls(self, pending: Pending) -> dict[str, str]:
        upload = {name: value for name, value in pending.ids.items() if name != self.importer.pending_arg}
        return {"upload": url_for(self.endpoints["upload"], **upload),
                "file": url_for(self.endpoints["file"], **pending.ids),
                "report": url_for(self.endpoints["check"], **pending.ids, report="csv")}

    def view(self, step):
        """``step`` as a view function, under the importer's access rule."""

        @functools.wraps(step)
        def page(**ids):
            return step(**ids)

        return allow(self.importer.access)(page)


def register(blueprint: Blueprint, importer: Importer) -> ImportWizard:
    """Add the importer's upload, check and file pages, and its template, to ``blueprint``."""
    wizard = ImportWizard(importer, blueprint.name)
    upload, check, file = importer.endpoints
    pending = f"{importer.rule}/<int:{importer.pending_arg}>"
    blueprint.add_url_rule(importer.rule, upload, wizard.view(wizard.upload), methods=["GET", "POST"])
    blueprint.add_url_rule(pending, check, wizard.view(wizard.check), methods=["GET", "POST"])
    blueprint.add_url_rule(f"{pending}/file", file, wizard.view(wizard.file), methods=["GET"])
    blueprint.add_url_rule(f"{importer.rule}/template.<any(csv, xlsx):fmt>", f"{upload}_template",
                           wizard.view(wizard.template), methods=["GET"])
    return wizard
