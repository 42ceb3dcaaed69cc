"""Importing the client census from ERP/CRM exports: the columns, the rows' own checks, the plan, the bulk write.

Files of up to 100 000 rows (10⁶ with ``IMPORT_MAX_ROWS``) are read (``core.imports.frames``) and checked a column
at a time, and written (``core.imports.bulk``) in the request's transaction, all or nothing, in pieces of
``WRITE_CHUNK`` rows: bulk INSERTs for the new rows (``executemany`` on SQLite, ``COPY`` on PostgreSQL; a table
written at least as many rows as it held gets its secondary indexes built once, after them) and ``executemany``
UPDATEs for the known ones; the commit analyses the tables written (PostgreSQL).
The clients and figures written this way get no audit row each; the ``CensusImport`` record — who, when,
which file, what it added, updated, kept and marked lost — is the audit trail of the import, and is itself
audited.

Rules: clients are matched by code (upsert). A column missing from the file, or an empty cell, leaves
the recorded value as it is; in particular an empty exit date never brings a lost client back. A year's
figures already recorded are kept unless the user chooses to replace them.

Exit dates are what B2 counts losses by, so a file never moves one silently: a client's recorded exit date (or,
for a client brought back since, the one its history keeps: ``services.kept_exit_date``) stays unless the check
page, which lists every such change old → new (``CensusPlan.exit_changes``), is confirmed with its own tick. Every
exit date the import writes — a first exit, or a change so confirmed — joins the client's state-change history
(``core.transitions``, kind ``client``, field ``exit_date``) in one statement for all of them.
"""

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import bindparam, func, select, update

from core import transitions
from core.extensions import db
from core.files import Owner, delete_file
from core.i18n import in_reader_language
from core.imports import Column, ImportFileError, ImportResult, ImportSpec, parse, retention
from core.imports.bulk import bulk_execute, bulk_insert, driver_rows, indexes_deferred
from core.imports.forms import initial_mapping
from core.imports.frames import FrameTable, read_frame
from core.imports.result import also_in, other_rows
from core.imports.values import Option, Vocabulary, remembered
from core.timeutil import utcnow
from loyalty import services
from loyalty.demo_census import DemoCensus, DemoMix, current_demo_import, demo_mix
from loyalty.models import DEFAULT_REASONS, TYPOLOGY_LABELS, CensusImport, Client, ClientYear, Typology
from loyalty.reasons import SPELLINGS, add_reason, exit_reasons, reason_lookup

TYPOLOGIES = {
    "usuario final": Typology.END_USER, "cliente final": Typology.END_USER, "final": Typology.END_USER,
    "end user": Typology.END_USER, "consumidor": Typology.END_USER, "particular": Typology.END_USER,
    "cliente intermedio": Typology.INTERMEDIATE, "intermedio": Typology.INTERMEDIATE,
    "intermediate": Typology.INTERMEDIATE, "distribuidor": Typology.INTERMEDIATE, "empresa": Typology.INTERMEDIATE,
    "prescriptor": Typology.PRESCRIBER, "prescriber": Typology.PRESCRIBER,
}
FIGURES = ("potential", "purchases", "margin")

SPEC = ImportSpec([
    Column("code", _l("Client code"), max_length=40,
           synonyms=("código", "código cliente", "cód. cliente", "cod cliente", "nº cliente", "num cliente",
                     "id cliente", "client code", "customer code", "customer id", "client id", "code", "código")),
    Column("name", _l("Name"), max_length=200,
           synonyms=("nombre", "razón social", "nombre cliente", "cliente", "name", "client", "customer",
                     "client name", "customer name", "company")),
    Column("typology", _l("Typology"), "choice", required=False, choices=TYPOLOGIES, labels=TYPOLOGY_LABELS,
           vocabulary="census.typology",
           synonyms=("tipología", "tipo", "tipo de cliente", "tipo cliente", "typology", "type", "client type")),
    Column("segment", _l("Segment"), required=False, max_length=80, synonyms=("segmento", "segment")),
    Column("region", _l("Region"), required=False, max_length=80,
           synonyms=("región", "zona", "provincia", "region", "area", "territory")),
    Column("sector", _l("Sector"), required=False, max_length=120,
           synonyms=("sector", "actividad", "industry", "activity")),
    Column("joined_on", _l("Client since"), "date",
           synonyms=("fecha alta", "fecha de alta", "alta", "cliente desde", "antigüedad", "client since",
                     "joined", "joined on", "start date", "since")),
    Column("left_on", _l("Left on"), "date", required=False,
           synonyms=("fecha baja", "fecha de baja", "baja", "left on", "left", "exit date", "end date")),
    # The reasons are the organisation's list: ``spec()`` fills the choices (and labels) from it.
    Column("exit_reason", _l("Exit reason"), "choice", required=False, vocabulary="census.exit_reason",
           synonyms=("motivo baja", "motivo de baja", "motivo", "exit reason", "reason for leaving", "reason")),
    Column("strategic", _l("Strategic"), "boolean", required=False,
           synonyms=("estratégico", "cliente estratégico", "strategic", "strategic client")),
    Column("strategic_reason", _l("Why strategic"), required=False, max_length=300,
           synonyms=("motivo estratégico", "por qué estratégico", "why strategic", "strategic reason")),
    Column("year", _l("Year"), "integer", required=False, minimum=1900, maximum=2100,
           synonyms=("año", "ejercicio", "year", "fiscal year")),
    Column("potential", _l("Purchasing potential"), "number", required=False, minimum=0, money=True,
           synonyms=("potencial", "potencial de compra", "potencial compra", "potential", "purchasing potential")),
    Column("purchases", _l("Purchases"), "number", required=False, minimum=0, money=True,
           synonyms=("compras", "ventas", "facturación", "ingresos", "importe", "purchases", "revenue", "sales")),
    Column("margin", _l("Margin"), "number", required=False, money=True,
           synonyms=("margen", "margen bruto", "rentabilidad", "beneficio", "margin", "gross margin", "profit")),
])


def spec() -> ImportSpec:
    """The census's columns as the organisation's lists make them now: the exit reasons, by every spelling
    ``reason_lookup`` knows, stored as their ids, and the spellings remembered for both lists
    (``core.imports.values``)."""
    lookup = reason_lookup()
    labels = {reason.id: reason.label for reason in dict.fromkeys(lookup.values())}
    columns = [replace(column, choices={spelling: reason.id for spelling, reason in lookup.items()}, labels=labels)
               if column.field == "exit_reason" else column for column in SPEC.columns]
    return remembered(ImportSpec(columns))


def exit_reason_options() -> list[Option]:
    """The exit reasons a file's reason may be matched to, with the spellings suggestions compare with."""
    return [Option(reason.id, reason.label, (reason.name, *SPELLINGS.get(reason.key, ())))
            for reason in exit_reasons(offered_only=False)]


def typology_options() -> list[Option]:
    return [Option(typology, label, tuple(spelling for spelling, value in TYPOLOGIES.items()
                                                 if value == typology))
            for typology, label in TYPOLOGY_LABELS.items()]


def vocabularies() -> dict[str, Vocabulary]:
    """The census's lists for the import wizard's value mapping: the exit reasons (the organisation's own, so a
    coordinator may add one from an import) and the typologies (fixed)."""
    return {
        "census.exit_reason": Vocabulary("census.exit_reason", _l("Exit reasons"), exit_reason_options,
                                                create=lambda text: add_reason(text).id,
                                                create_label=_l("Add it to the exit reasons")),
        "census.typology": Vocabulary("census.typology", _l("Typologies"), typology_options),
    }


@dataclass
class CensusPlan:
    """A checked census file: what importing it would do."""

    result: ImportResult
    #: The year given on upload, for rows whose year column is empty or absent; None when none was given.
    year: int | None
    full_census: bool
    #: Accepted rows with ``client_id`` (None for new clients), ``exit_reason_id`` and ``figures_year``.
    rows: pd.DataFrame
    #: Figures already recorded for the same client and year: how many, and how many differ.
    figures_recorded: int = 0
    figures_differing: int = 0
    #: The state of the census this plan was made against (see ``census_version``).
    census_version: str = ""
    #: Accepted rows whose figures fall outside the client's membership (``membership_warnings``): imported only
    #: once the user says they checked them.
    warnings: list["YearWarning"] = field(default_factory=list)
    #: How the file meets the demo organisation's clients, when the census still holds them (the page warns).
    demo: DemoMix | None = None
    #: Known clients whose exit date the file would change: kept unless the check page confirms each of them.
    exit_changes: list["ExitDateChange"] = field(default_factory=list)
    #: code → the exit date recorded for a known client, or kept in its history while it is a current client
    #: again; what the import compares the file's exit dates with.
    recorded_exits: dict = field(default_factory=dict)
    #: The codes of those of them who are current clients again (their exit date is only in their history).
    current_again: set = field(default_factory=set)

    @property
    def figure_years(self) -> list[int]:
        """The years of the figures the plan imports."""
        with_figures = self.rows.loc[self.rows["has_figures"], "figures_year"]
        return sorted({int(year) for year in with_figures.unique()})

    @property
    def new_clients(self) -> int:
        return int(self.rows["client_id"].isna().sum())

    @property
    def known_clients(self) -> int:
        return len(self.rows) - self.new_clients

    @property
    def with_figures(self) -> int:
        return int(self.rows["has_figures"].sum())

    @property
    def leaving(self) -> int:
        """Rows that record an exit."""
        return int(self.rows["left_on"].notna().sum())


@dataclass(frozen=True)
class ExitDateChange:
    """A known client whose recorded (or kept) exit date the file gives differently."""

    row: int
    code: str
    name: str
    old: date
    new: date


@dataclass
class YearWarning:
    """Rows whose figures are for a year before the client joined (``kind`` "before") or after it left ("after")."""

    kind: str
    year: int
    count: int
    #: Up to ``EXAMPLES`` of them: (row number, client code, the join or exit date).
    examples: list[tuple[int, str, date]]

    @property
    def message(self) -> str:
        if self.kind == "before":
            text = ngettext("%(num)d row has figures for %(year)d, before the client joined",
                            "%(num)d rows have figures for %(year)d, before the client joined",
                            self.count, year=self.year)
            example = _("row %(row)d: %(code)s joined %(date)s")
        else:
            text = ngettext("%(num)d row has figures for %(year)d, after the client left",
                            "%(num)d rows have figures for %(year)d, after the client left",
                            self.count, year=self.year)
            example = _("row %(row)d: %(code)s left %(date)s")
        examples = "; ".join(example % {"row": row, "code": code, "date": when.strftime("%m/%Y")}
                             for row, code, when in self.examples)
        return _("%(warning)s — e.g. %(examples)s", warning=text, examples=examples)


#: Examples given with each warning.
EXAMPLES = 5


def check(table: FrameTable, mapping: dict, *, year: int | None, full_census: bool) -> CensusPlan:
    """Parse the file and check each row against the census (``check_result``)."""
    return check_result(parse(table, spec(), mapping), year=year, full_census=full_census)


def check_result(result: ImportResult, *, year: int | None, full_census: bool) -> CensusPlan:
    """Check each parsed row against the census; every problem joins the result's report.

    The checks look at whole columns, and at single rows only where a row may be wrong (an exit date,
    a repeated code…): a file of 100 000 good rows costs no Python call per row here."""
    values = result.values
    _reject_duplicates(result)
    known = _known_clients(values["code"])
    values["client_id"] = pd.Series([known[code][0] if code in known else None for code in values["code"]],
                                    index=values.index, dtype="float64") if known else np.nan
    _check_typology(result)
    _check_exit(result, {code: left for code, (_id, left, _version) in known.items() if left is not None})
    _check_figures(result, year)
    rows = result.accepted()
    plan = CensusPlan(result, year, full_census, rows)
    plan.recorded_exits, plan.current_again = recorded_exits(known)
    if result.ok:
        _compare_recorded_figures(plan)
        plan.warnings = membership_warnings(rows, known)
        plan.exit_changes = exit_date_changes(rows, plan.recorded_exits)
    plan.demo = demo_mix(values["code"].dropna(), full_census=full_census)
    plan.census_version = census_version(known, plan)
    return plan


def census_version(known: dict, plan: CensusPlan) -> str:
    """What the plan depends on, in a few figures: how many of the file's codes are already clients, the sum of
    their versions (each change of a client, by a form or an import, moves its version on) and the figures
    recorded for them. The check page sends it with the confirmation; ``apply`` goes ahead only if the
    census still gives the same, so two imports of the same clients cannot both claim "50 updated"."""
    versions = sum(version for _id, _left, version in known.values())
    return f"{len(known)}.{versions}.{plan.figures_recorded}.{plan.figures_differing}"


def recorded_exits(known: dict) -> tuple[dict[str, date], set[str]]:
    """code → the exit date each known client's evidence rests on: its recorded one, or, for a client who is
    current again, the one its history keeps (``services.kept_exit_date``, read here for all at once: one query,
    none when every known client is lost); and the codes of the latter."""
    exits = {code: left for code, (_id, left, _version) in known.items() if left is not None}
    current = {client_id: code for code, (client_id, left, _version) in known.items() if left is None}
    if not current:
        return exits, set()
    table = transitions.StateChange.__table__
    kept = {}
    for client_id, value in driver_rows(db.session.connection(), select(table.c.record_id, table.c.to_value).where(
            table.c.record_kind == services.CLIENT_HISTORY_KIND, table.c.field == services.EXIT_DATE,
            table.c.to_value.is_not(None)).order_by(table.c.at, table.c.id)):
        if client_id in current:
            kept[current[client_id]] = transitions.stored_date(value)  # the last one recorded wins
    return exits | kept, set(kept)


def exit_date_changes(rows: pd.DataFrame, recorded: dict[str, date]) -> list[ExitDateChange]:
    """The accepted rows that give a known client an exit date other than the one recorded (or kept)."""
    if not recorded:
        return []
    leaving = rows.loc[rows["left_on"].notna() & rows["code"].isin(list(recorded)), ["code", "name", "left_on"]]
    return [ExitDateChange(int(number), code, name, recorded[code], left)
            for number, code, name, left in zip(leaving.index, leaving["code"], leaving["name"], leaving["left_on"],
                                                strict=True)
            if left != recorded[code]]


def _reject_duplicates(result: ImportResult) -> None:
    """Every row whose code another row repeats, each naming the others."""
    codes = result.values["code"]
    present = codes[codes.notna()]
    repeated = present[present.duplicated(keep=False)]
    if repeated.empty:
        return
    others = other_rows(repeated.items())
    result.reject_rows(codes.index.isin(repeated.index), "code", pd.Series(
        [_("Code %(code)s is also in %(rows)s.", code=code, rows=also_in(others[number]))
         for number, code in repeated.items()], index=repeated.index))


def _known_clients(codes: pd.Series) -> dict[str, tuple[int, date | None, int]]:
    """code → (id, left on, version) of the clients already in the census (one query, every client)."""
    wanted, clients = set(codes.dropna()), Client.__table__
    rows = driver_rows(db.session.connection(),
                       select(clients.c.code, clients.c.id, clients.c.left_on, clients.c.version))
    return {code: (client_id, left, version) for code, client_id, left, version in rows if code in wanted}


def _check_typology(result: ImportResult) -> None:
    values = result.values
    missing = values["client_id"].isna() & values["typology"].isna() & values["code"].notna()
    result.reject_rows(missing, "typology", _("A new client needs its typology (end user, intermediate client "
                                              "or prescriber)."))


def _rows_where(values: pd.DataFrame, test, *columns: str) -> pd.Index:
    """The row numbers where ``test`` holds, given the cells of ``columns``; asked of every row."""
    return values.index[[bool(test(*cells)) for cells in zip(*(values[name].tolist() for name in columns),
                                                             strict=True)]]


def _check_exit(result: ImportResult, recorded_exits: dict) -> None:
    """Exit dates: not before the join date, not in the future; a join date not after a recorded exit."""
    values, today = result.values, date.today()
    leaving = values.loc[values["left_on"].notna(), ["left_on", "joined_on"]]  # usually few rows
    before = _rows_where(leaving, lambda left, joined: joined is not None and left < joined, "left_on", "joined_on")
    result.reject_rows(values.index.isin(before), "left_on", pd.Series(
        [_("The exit date is before the client joined (%(joined)s).",
           joined=values.at[number, "joined_on"].strftime("%d/%m/%Y")) for number in before], index=before))
    future = _rows_where(leaving, lambda left: left > today, "left_on")
    result.reject_rows(values.index.isin(future), "left_on", _("The exit date cannot be in the future."))
    if recorded_exits:
        lost = values.loc[values["code"].isin(list(recorded_exits)) & values["left_on"].isna()]
        gone_before = _rows_where(lost, lambda code, joined: joined is not None and recorded_exits[code] < joined,
                                  "code", "joined_on")
        result.reject_rows(values.index.isin(gone_before), "joined_on", pd.Series(
            [_("The client is recorded as lost on %(left)s, before this join date.",
               left=recorded_exits[values.at[number, "code"]].strftime("%d/%m/%Y")) for number in gone_before],
            index=gone_before))
    _check_reasons(result)


def _check_reasons(result: ImportResult) -> None:
    """The reasons were read as ids (the column's choices and aliases; a reason the list lacks is rejected by the
    parse, and offered for matching on the check page); a reason needs an exit date."""
    rows = result.values
    given = rows["exit_reason"].notna()
    rows["exit_reason_id"] = rows["exit_reason"].astype(object).where(given, None)
    orphan = given & rows["left_on"].isna()
    result.reject_rows(orphan, "exit_reason", _("An exit reason needs the exit date."))


def _check_figures(result: ImportResult, year: int) -> None:
    values = result.values
    values["has_figures"] = values[list(FIGURES)].notna().any(axis=1)
    without_purchases = values["has_figures"] & values["purchases"].isna()
    if result.mapping.get("purchases"):
        result.reject_rows(without_purchases, "purchases", _("Purchases are needed with the other figures."))
    else:
        for number in values.index[without_purchases]:
            result.reject(number, None, "purchases", None,
                          _("The file has no purchases column, which the yearly figures need."))
    years = values["year"]
    if year is None:
        unknown = values["has_figures"] & years.isna()
        result.reject_rows(unknown, "year", _("The year of these figures is not known: the row has no year, and "
                                              "no year of the figures was given on upload. Fill in the year "
                                              "column, or upload the file again giving the year."))
        values["figures_year"] = years
    else:
        values["figures_year"] = years.where(years.notna(), year) if years.notna().any() else year


def _years(dates: pd.Series) -> pd.Series:
    """The year of each date (NaN where there is none), a whole column at once."""
    return pd.to_datetime(dates, errors="coerce").dt.year


def membership_warnings(rows: pd.DataFrame, known: dict) -> list[YearWarning]:
    """Accepted rows whose figures are for a year before the client joined or after it left, by kind and year.

    The join date is the row's (the column is required); the exit date the row's, or the one recorded for a
    known client when the row leaves it empty (an empty exit date keeps it). Warnings, not rejections: the
    figures may be right and the dates wrong, or the other way round — the user knows which."""
    rows = rows[rows["has_figures"]]
    if rows.empty:
        return []
    joined, left = rows["joined_on"], rows["left_on"]
    recorded_exits = {code: entry[1] for code, entry in known.items() if entry[1] is not None}
    if recorded_exits:
        left = left.where(left.notna(), rows["code"].map(pd.Series(recorded_exits, dtype=object)))
    years = rows["figures_year"].astype(float)
    warnings = []
    for kind, dates, outside in (("before", joined, years < _years(joined)), ("after", left, years > _years(left))):
        flagged = years[outside.fillna(False).astype(bool)]
        for year, numbers in flagged.groupby(flagged).groups.items():
            shown = list(numbers[:EXAMPLES])
            warnings.append(YearWarning(kind, int(year), len(numbers), [
                (int(number), rows.at[number, "code"], dates.at[number]) for number in shown]))
    return warnings


def _compare_recorded_figures(plan: CensusPlan) -> None:
    rows = plan.rows[plan.rows["has_figures"] & plan.rows["client_id"].notna()]
    if rows.empty:
        return
    years = sorted({int(y) for y in rows["figures_year"]})
    table = ClientYear.__table__
    recorded = pd.DataFrame.from_records(list(driver_rows(db.session.connection(), select(
        table.c.client_id, table.c.year, table.c.potential, table.c.purchases, table.c.margin)
        .where(table.c.year.in_(years)))), columns=["client_id", "year", *FIGURES])
    if recorded.empty:
        return
    keys = pd.DataFrame({"client_id": rows["client_id"].astype(int), "year": rows["figures_year"].astype(int),
                         **{name: rows[name].astype(float) for name in FIGURES}})
    both = keys.merge(recorded, on=["client_id", "year"], suffixes=("", "_recorded"))
    plan.figures_recorded = len(both)
    differs = pd.Series(False, index=both.index)
    for name in FIGURES:
        new, old = both[name], both[f"{name}_recorded"]
        differs |= new.notna() & ~((new - old).abs() < 1e-9)
    plan.figures_differing = int(differs.sum())


# --- writing -------------------------------------------------------------------------------------

#: The PostgreSQL advisory lock held while an import is applied: one census import at a time.
APPLY_LOCK = 0x46494443  # "FIDC"


def lock_for_apply(record: CensusImport) -> bool:
    """Take the census for applying ``record`` (until the transaction ends); False if it was applied meanwhile.

    Call it before checking the file for the last time, so the check sees what the import will write over.
    A second confirmation of the same import (a double click) or another import confirmed at the same time
    waits here for the first to commit: on PostgreSQL behind an advisory lock and the record's row lock, on
    SQLite behind the database's single writer (the no-op UPDATE takes the write lock). Then it reads the
    record again: applied already, or free to go."""
    connection = db.session.connection()
    table = CensusImport.__table__
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(APPLY_LOCK)))
    connection.execute(update(table).where(table.c.id == record.id).values(id=table.c.id))
    db.session.refresh(record)
    return record.imported_at is None

def apply(plan: CensusPlan, record: CensusImport, *, replace_figures: bool, change_exit_dates: bool = False) -> None:
    """Write the plan in the current transaction (the caller commits): clients, then their figures, then the
    history of the exit dates written. The exit dates of ``plan.exit_changes`` are the file's only when
    ``change_exit_dates`` (the check page's tick); otherwise each client keeps the one recorded (or kept)."""
    rows, now = plan.rows, utcnow()
    if plan.exit_changes and not change_exit_dates:
        rows = _keeping_recorded_exits(rows, plan.exit_changes)
    known_rows = rows["client_id"].notna()
    new, known = _only(rows, ~known_rows), _only(rows, known_rows)
    connection = db.session.connection()
    with indexes_deferred(connection, Client.__table__, len(rows)):
        for chunk in _chunks(new):
            bulk_insert(connection, Client.__table__, _new_clients(chunk, record.id, now))
        for chunk in _chunks(known):
            bulk_execute(connection, _client_update(), _known_updates(chunk, record.id))
    _record_exit_dates(plan, rows, record, now)
    added, replaced, kept = _write_figures(_only(rows, rows["has_figures"]), replace_figures)
    record.rows, record.added, record.updated = len(rows), len(new), len(known)
    record.figures_added, record.figures_replaced, record.figures_kept = added, replaced, kept
    record.rejected, record.imported_at = 0, now
    record.figure_years = plan.figure_years
    db.session.flush()
    release_file(record)


#: Rows sent per statement: a census of 10⁶ rows goes in pieces, so that only one piece's values at a time are
#: Python lists (the file's frame is all the import holds whole).
WRITE_CHUNK = 50_000


def _chunks(frame: pd.DataFrame):
    """The frame in pieces of ``WRITE_CHUNK`` rows (views, not copies)."""
    for start in range(0, len(frame), WRITE_CHUNK):
        yield frame.iloc[start:start + WRITE_CHUNK]


#: Codes looked up per query (SQLite takes at most 32 766 parameters in one statement).
LOOKUP_BATCH = 10_000


def ids_of_codes(codes: list[str]) -> dict[str, int]:
    """code → id of the clients with these codes, a piece at a time: for 10⁶ clients, a dictionary of them all
    costs more than a hundred indexed lookups."""
    clients, found = Client.__table__, {}
    connection = db.session.connection()
    for start in range(0, len(codes), LOOKUP_BATCH):
        found.update(driver_rows(connection, select(clients.c.code, clients.c.id).where(
            clients.c.code.in_(codes[start:start + LOOKUP_BATCH]))))
    return found


def _only(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """``frame[mask]``, but the frame itself when the mask keeps every row (all new clients, all with figures):
    selecting copies every column, a few hundred MB for a census of 10⁶."""
    return frame if mask.all() else frame[mask]


def _keeping_recorded_exits(rows: pd.DataFrame, changes: list[ExitDateChange]) -> pd.DataFrame:
    """The rows with the recorded exit date in place of the file's, for the changes not confirmed."""
    rows = rows.copy()
    rows["left_on"] = rows["left_on"].astype(object)
    for change in changes:
        rows.at[change.row, "left_on"] = change.old
    return rows


def _record_exit_dates(plan: CensusPlan, rows: pd.DataFrame, record: CensusImport, now) -> None:
    """Add to the clients' history every exit date the import wrote that differs from what was recorded: new
    clients who left, known clients leaving now (a client current again on the date its history kept), and the
    changes confirmed on the check page. One INSERT for each kind of reason, whatever the number of rows."""
    left = rows.loc[rows["left_on"].notna(), ["code", "left_on"]]
    if left.empty:
        return
    ids = ids_of_codes(left["code"].tolist())
    first, moved = [], []
    for code, left_on in zip(left["code"], left["left_on"], strict=True):
        kept = plan.recorded_exits.get(code)
        if kept is None:
            first.append((ids[code], None, left_on))
        elif left_on != kept:
            moved.append((ids[code], kept, left_on))  # confirmed: the unconfirmed ones were put back
        elif code in plan.current_again:
            first.append((ids[code], None, left_on))
    for changes, reason in ((first, _("Exit recorded by the census import “%(file)s”.", file=record.filename)),
                            (moved, _("Exit date changed by the census import “%(file)s”, confirmed on its check "
                                      "page.", file=record.filename))):
        transitions.record_transitions(services.CLIENT_HISTORY_KIND, changes, actor=record.actor, reason=reason,
                                       field=services.EXIT_DATE, at=now)


def release_file(record: CensusImport) -> None:
    """Delete the import's uploaded file (its name, size and SHA-256 stay on the record)."""
    stored = record.stored_file
    if stored is None:
        return
    record.stored_file = None
    db.session.flush()
    delete_file(stored)


@retention.before_abandon(Owner.CENSUS_IMPORT)
def _unlink_abandoned(files: list) -> None:
    """Abandoned census uploads stay in the history as not imported, without their file."""
    ids = [stored.id for stored in files]
    for record in db.session.scalars(select(CensusImport).where(CensusImport.stored_file_id.in_(ids or [0]))):
        record.stored_file = None


def _column(frame: pd.DataFrame, name: str) -> list:
    """A column's values as a list of Python values, None where missing (NaN included)."""
    values = frame[name].tolist()
    for position in np.flatnonzero(frame[name].isna().to_numpy()):
        values[position] = None
    return values


NEW = ("code", "name", "typology", "segment", "region", "sector", "joined_on", "left_on", "exit_reason_id",
       "strategic", "strategic_reason")


def _new_clients(frame: pd.DataFrame, import_id: int, now) -> dict:
    columns = {name: _column(frame, name) for name in NEW}
    columns["strategic"] = [bool(value) for value in columns["strategic"]]
    return columns | {"created_at": now, "last_import_id": import_id, "version": 1}


UPDATED = ("name", "typology", "segment", "region", "sector", "joined_on", "left_on", "exit_reason_id",
           "strategic_reason")


def _client_update():
    """One UPDATE for every known client: empty cells keep the recorded value; the version moves on, so a
    form opened before the import is refused rather than overwriting it."""
    table = Client.__table__
    values = {name: func.coalesce(bindparam(f"v_{name}"), table.c[name]) for name in UPDATED}
    values["strategic"] = func.coalesce(bindparam("v_strategic"), table.c.strategic)
    values["last_import_id"] = bindparam("v_import")
    values["version"] = table.c.version + 1
    return update(table).where(table.c.id == bindparam("v_id")).values(values)


def _known_updates(frame: pd.DataFrame, import_id: int) -> dict:
    columns = {f"v_{name}": _column(frame, name) for name in (*UPDATED, "strategic")}
    columns["v_typology"] = [None if value is None else str(value) for value in columns["v_typology"]]
    columns["v_strategic"] = [None if value is None else bool(value) for value in columns["v_strategic"]]
    return columns | {"v_id": [int(value) for value in frame["client_id"].tolist()], "v_import": import_id}


def _write_figures(frame: pd.DataFrame, replace: bool) -> tuple[int, int, int]:
    """(added, replaced, kept) yearly figures; the recorded ones change only when ``replace``. Written a piece
    (``WRITE_CHUNK``) at a time."""
    if frame.empty:
        return 0, 0, 0
    table = ClientYear.__table__
    years = sorted({int(year) for year in frame["figures_year"].unique()})
    recorded = {(client_id, year): figure_id for figure_id, client_id, year in driver_rows(
        db.session.connection(), select(table.c.id, table.c.client_id, table.c.year).where(table.c.year.in_(years)))}

    def pieces():
        """Each piece of the frame with its client ids, years and the ids of the figures already recorded."""
        for chunk in _chunks(frame):
            codes = chunk["code"].tolist()
            ids = ids_of_codes(codes)
            chunk_ids = [ids[code] for code in codes]
            chunk_years = [int(year) for year in chunk["figures_year"].tolist()]
            existing = ([recorded.get(key) for key in zip(chunk_ids, chunk_years, strict=True)] if recorded
                        else [None] * len(chunk_years))
            yield chunk, chunk_ids, chunk_years, existing

    def pick(values: list, positions: list[int]) -> list:
        return values if len(positions) == len(values) else [values[i] for i in positions]

    fresh_total = sum(existing.count(None) for *_, existing in pieces()) if recorded else len(frame)
    added = again_total = 0
    connection = db.session.connection()
    with indexes_deferred(connection, table, fresh_total):
        for chunk, chunk_ids, chunk_years, existing in pieces():
            figures = {name: _column(chunk, name) for name in FIGURES}
            fresh = [i for i, figure_id in enumerate(existing) if figure_id is None]
            again = [i for i, figure_id in enumerate(existing) if figure_id is not None]
            bulk_insert(connection, table, {
                "client_id": pick(chunk_ids, fresh), "year": pick(chunk_years, fresh),
                **{name: pick(values, fresh) for name, values in figures.items()}})
            if replace and again:
                statement = update(table).where(table.c.id == bindparam("f_id")).values(
                    potential=bindparam("f_potential"), purchases=bindparam("f_purchases"),
                    margin=bindparam("f_margin"))
                bulk_execute(connection, statement, {
                    "f_id": pick(existing, again),
                    **{f"f_{name}": pick(values, again) for name, values in figures.items()}})
            added, again_total = added + len(fresh), again_total + len(again)
    return (added, again_total, 0) if replace else (added, 0, again_total)


# --- after a full census -------------------------------------------------------------------------

def absent_query(record: CensusImport):
    """Current clients a full-census import did not list (and that existed when it ran): proposed as lost."""
    return (select(Client).where(Client.left_on.is_(None),
                                 (Client.last_import_id.is_(None)) | (Client.last_import_id < record.id),
                                 Client.created_at <= record.imported_at)
            .order_by(Client.code))


def absent_demo(record: CensusImport) -> DemoCensus | None:
    """The demo's clients among those a full census proposes as lost (``clients``: how many), while there are any:
    they are not the organisation's to record as lost, but to remove with the demo."""
    demo = current_demo_import()
    if demo is None:
        return None
    absent = absent_query(record).where(Client.last_import_id == demo.id).subquery()
    count = db.session.scalar(select(func.count()).select_from(absent))
    return DemoCensus(demo, count) if count else None


def confirm_lost(record: CensusImport, client_ids: list[int] | None, left_on: date, reason) -> int:
    """Record as lost the clients a full census did not list: those of ``client_ids``, or all when None.

    Only clients the import proposed are taken, whatever ids are given. Refuses (``CensusRuleError``, the
    client's code first) when one of them cannot leave on that date or without a reason: none is recorded
    then. Returns how many were recorded, and counts them in the import's history."""
    query = absent_query(record)
    if client_ids is not None:
        query = query.where(Client.id.in_(client_ids or [0]))
    chosen = list(db.session.scalars(query))
    for client in chosen:
        try:
            services.mark_lost(client, left_on, reason)
        except services.CensusRuleError as refusal:
            raise services.CensusRuleError(f"{client.code}: {refusal}") from refusal
    record.marked_lost += len(chosen)
    return len(chosen)


def has_year_column(data: bytes, filename: str) -> bool:
    """Whether the file has a column taken for the figures' year, as the check page will first map it (a file
    that cannot be read says so on its check page, not here)."""
    try:
        table = read_frame(data, filename)
    except ImportFileError:
        return True
    return bool(initial_mapping(SPEC, table.headers, remembered_mapping()).get("year"))


def remembered_mapping() -> dict:
    """The mapping of the last successful import, offered again for the next file."""
    return db.session.scalar(select(CensusImport.mapping).where(CensusImport.imported_at.is_not(None))
                             .order_by(CensusImport.id.desc()).limit(1)) or {}


def example_rows() -> list[dict]:
    """Two clients as a census file would give them (the import template): one current, one lost last year."""
    today = date.today()
    lost = DEFAULT_REASONS["no_use"]
    return [
        {"code": "C-0001", "name": in_reader_language("Ferretería Ibáñez SL", "Ibáñez Hardware Ltd"),
         "typology": in_reader_language("cliente intermedio", "intermediate"), "segment": "Pymes", "region": "Norte",
         "sector": in_reader_language("Comercio", "Retail"), "joined_on": date(today.year - 6, 3, 15),
         "strategic": in_reader_language("sí", "yes"), "strategic_reason": in_reader_language(
             "Distribuidor de referencia en la zona", "The region's reference distributor"),
         "year": today.year - 1, "potential": 12000, "purchases": 8450.5, "margin": 1234.56},
        {"code": "C-0002", "name": "María Peña", "typology": in_reader_language("usuario final", "end user"),
         "segment": in_reader_language("Particulares", "Individuals"), "region": "Sur",
         "joined_on": date(today.year - 4, 2, 1), "left_on": date(today.year - 1, 6, 30), "exit_reason": str(lost),
         "strategic": "no", "year": today.year - 1, "potential": 3000, "purchases": 1200, "margin": 300.5},
    ]
