"""Importing the client census from ERP/CRM exports: the columns, the rows' own checks, the plan, the bulk write.

Files of up to 100 000 rows are read and checked a column at a time (``core.imports.frames``) and written
with one multi-row INSERT/UPDATE per table in the request's transaction: all or nothing. The clients and
figures written this way get no audit row each; the ``CensusImport`` record — who, when, which file,
what it added, updated, kept and marked lost — is the audit trail of the import, and is itself audited.

Rules: clients are matched by code (upsert). A column missing from the file, or an empty cell, leaves
the recorded value as it is; in particular an empty exit date never brings a lost client back. A year's
figures already recorded are kept unless the user chooses to replace them.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, select, update

from core.extensions import db
from core.imports import Column, ImportSpec
from core.imports.cells import normalise
from core.imports.frames import FrameResult, FrameTable, bulk_execute, first_row_of, parse_frame
from core.timeutil import utcnow
from loyalty.models import CensusImport, Client, ClientYear, Typology
from loyalty.reasons import reason_lookup

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
    Column("typology", _l("Typology"), "choice", required=False, choices=TYPOLOGIES,
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
    Column("exit_reason", _l("Exit reason"), required=False, max_length=120,
           synonyms=("motivo baja", "motivo de baja", "motivo", "exit reason", "reason for leaving", "reason")),
    Column("strategic", _l("Strategic"), "boolean", required=False,
           synonyms=("estratégico", "cliente estratégico", "strategic", "strategic client")),
    Column("strategic_reason", _l("Why strategic"), required=False, max_length=300,
           synonyms=("motivo estratégico", "por qué estratégico", "why strategic", "strategic reason")),
    Column("year", _l("Year"), "integer", required=False, minimum=1900, maximum=2100,
           synonyms=("año", "ejercicio", "year", "fiscal year")),
    Column("potential", _l("Purchasing potential"), "number", required=False, minimum=0,
           synonyms=("potencial", "potencial de compra", "potencial compra", "potential", "purchasing potential")),
    Column("purchases", _l("Purchases"), "number", required=False, minimum=0,
           synonyms=("compras", "ventas", "facturación", "ingresos", "importe", "purchases", "revenue", "sales")),
    Column("margin", _l("Margin"), "number", required=False,
           synonyms=("margen", "margen bruto", "rentabilidad", "beneficio", "margin", "gross margin", "profit")),
])


@dataclass
class CensusPlan:
    """A checked census file: what importing it would do."""

    result: FrameResult
    year: int
    full_census: bool
    #: Accepted rows with ``client_id`` (None for new clients), ``exit_reason_id`` and ``figures_year``.
    rows: pd.DataFrame
    #: Figures already recorded for the same client and year: how many, and how many differ.
    figures_recorded: int = 0
    figures_differing: int = 0

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


def check(table: FrameTable, mapping: dict, *, year: int, full_census: bool) -> CensusPlan:
    """Parse the file and check each row against the census; every problem joins the result's report."""
    result = parse_frame(table, SPEC, mapping)
    values = result.values
    values["code"] = values["code"].map(lambda code: code.strip() if isinstance(code, str) else code)
    _reject_duplicates(result)
    known = _known_clients(values["code"])
    values["client_id"] = values["code"].map(lambda code: known.get(code, (None, None))[0])
    _check_typology(result)
    _check_exit(result, {code: left for code, (_id, left) in known.items()})
    _check_figures(result, year)
    rows = result.accepted()
    plan = CensusPlan(result, year, full_census, rows)
    if result.ok:
        _compare_recorded_figures(plan)
    return plan


def _reject_duplicates(result: FrameResult) -> None:
    codes = result.values["code"]
    present = codes.notna()
    first = first_row_of(codes[present]).reindex(codes.index)
    repeated = present & (first != codes.index)
    result.reject_rows(repeated, "code", pd.Series(
        [_("Code %(code)s is also in row %(row)d.", code=code, row=int(row)) if again else ""
         for code, row, again in zip(codes, first.fillna(0), repeated, strict=True)], index=codes.index))


def _known_clients(codes: pd.Series) -> dict[str, tuple[int, date | None]]:
    """code → (id, left on) of the clients already in the census (one query, every client)."""
    wanted = set(codes.dropna())
    rows = db.session.execute(select(Client.code, Client.id, Client.left_on)).all()
    return {code: (client_id, left) for code, client_id, left in rows if code in wanted}


def _check_typology(result: FrameResult) -> None:
    values = result.values
    missing = values["client_id"].isna() & values["typology"].isna() & values["code"].notna()
    result.reject_rows(missing, "typology", _("A new client needs its typology (end user, intermediate client "
                                              "or prescriber)."))


def _check_exit(result: FrameResult, recorded_exits: dict) -> None:
    values, today = result.values, date.today()
    left, joined = values["left_on"], values["joined_on"]
    both = left.notna() & joined.notna()
    before = both & pd.Series([lo < jo if ok else False for lo, jo, ok in zip(left, joined, both, strict=True)],
                              index=values.index)
    result.reject_rows(before, "left_on", pd.Series(
        [_("The exit date is before the client joined (%(joined)s).", joined=jo.strftime("%d/%m/%Y")) if bad else ""
         for jo, bad in zip(joined, before, strict=True)], index=values.index))
    future = left.map(lambda day: day is not None and day > today).astype(bool)
    result.reject_rows(future, "left_on", _("The exit date cannot be in the future."))
    recorded = values["code"].map(lambda code: recorded_exits.get(code))
    gone_before = pd.Series([rec is not None and jo is not None and rec < jo and lo is None
                             for rec, jo, lo in zip(recorded, joined, left, strict=True)], index=values.index)
    result.reject_rows(gone_before, "joined_on", pd.Series(
        [_("The client is recorded as lost on %(left)s, before this join date.", left=rec.strftime("%d/%m/%Y"))
         if bad else "" for rec, bad in zip(recorded, gone_before, strict=True)], index=values.index))
    _check_reasons(result)


def _check_reasons(result: FrameResult) -> None:
    values = result.values
    reasons = reason_lookup() if values["exit_reason"].notna().any() else {}
    found = values["exit_reason"].map(lambda text: reasons.get(normalise(text)) if isinstance(text, str) else None)
    values["exit_reason_id"] = found.map(lambda reason: reason.id if reason is not None else None)
    unknown = values["exit_reason"].notna() & found.isna()
    listed = ", ".join(dict.fromkeys(reason.label for reason in reasons.values()))
    result.reject_rows(unknown, "exit_reason", _("This is not one of the exit reasons: %(reasons)s.",
                                                 reasons=listed))
    orphan = values["exit_reason"].notna() & values["left_on"].isna()
    result.reject_rows(orphan, "exit_reason", _("An exit reason needs the exit date."))


def _check_figures(result: FrameResult, year: int) -> None:
    values = result.values
    values["has_figures"] = values[list(FIGURES)].notna().any(axis=1)
    without_purchases = values["has_figures"] & values["purchases"].isna()
    if result.mapping.get("purchases"):
        result.reject_rows(without_purchases, "purchases", _("Purchases are needed with the other figures."))
    else:
        for number in values.index[without_purchases]:
            result.reject(number, None, "purchases", None,
                          _("The file has no purchases column, which the yearly figures need."))
    values["figures_year"] = values["year"].map(lambda value: year if value is None or pd.isna(value) else value)


def _compare_recorded_figures(plan: CensusPlan) -> None:
    rows = plan.rows[plan.rows["has_figures"] & plan.rows["client_id"].notna()]
    if rows.empty:
        return
    years = sorted({int(y) for y in rows["figures_year"]})
    recorded = pd.DataFrame(db.session.execute(
        select(ClientYear.client_id, ClientYear.year, ClientYear.potential, ClientYear.purchases, ClientYear.margin)
        .where(ClientYear.year.in_(years))).all(), columns=["client_id", "year", *FIGURES])
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

def apply(plan: CensusPlan, record: CensusImport, *, replace_figures: bool) -> None:
    """Write the plan in the current transaction (the caller commits): clients, then their figures."""
    rows, now = plan.rows, utcnow()
    new, known = rows[rows["client_id"].isna()], rows[rows["client_id"].notna()]
    connection = db.session.connection()
    bulk_execute(connection, insert(Client.__table__), _new_clients(new, record.id, now))
    bulk_execute(connection, _client_update(), _known_updates(known, record.id))
    ids = dict(db.session.execute(select(Client.code, Client.id).where(Client.last_import_id == record.id)).all())
    added, replaced, kept = _write_figures(rows[rows["has_figures"]], ids, replace_figures)
    record.rows, record.added, record.updated = len(rows), len(new), len(known)
    record.figures_added, record.figures_replaced, record.figures_kept = added, replaced, kept
    record.rejected, record.imported_at = 0, now
    db.session.flush()


def _records(frame: pd.DataFrame, names: list[str]) -> list[tuple]:
    columns = [[None if v != v else v for v in frame[name].tolist()] for name in names]  # NaN → None
    return list(zip(*columns, strict=True))


def _new_clients(frame: pd.DataFrame, import_id: int, now) -> list[dict]:
    names = ["code", "name", "typology", "segment", "region", "sector", "joined_on", "left_on", "exit_reason_id",
             "strategic", "strategic_reason"]
    extra = {"created_at": now, "last_import_id": import_id, "version": 1}
    return [{**dict(zip(names, values, strict=True)), **extra,
             "typology": str(values[2]), "strategic": bool(values[9])} for values in _records(frame, names)]


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


def _known_updates(frame: pd.DataFrame, import_id: int) -> list[dict]:
    names = ["client_id", *UPDATED, "strategic"]
    params = []
    for values in _records(frame, names):
        row = {f"v_{name}": value for name, value in zip(names, values, strict=True)}
        row["v_id"] = int(row.pop("v_client_id"))
        row["v_typology"] = str(row["v_typology"]) if row["v_typology"] is not None else None
        row["v_strategic"] = None if row["v_strategic"] is None else bool(row["v_strategic"])
        row["v_import"] = import_id
        params.append(row)
    return params


def _write_figures(frame: pd.DataFrame, ids: dict, replace: bool) -> tuple[int, int, int]:
    """(added, replaced, kept) yearly figures; the recorded ones change only when ``replace``."""
    if frame.empty:
        return 0, 0, 0
    wanted = [(ids[code], int(year), *figures)
              for code, year, *figures in _records(frame, ["code", "figures_year", *FIGURES])]
    years = sorted({row[1] for row in wanted})
    recorded = dict(((client_id, year), figure_id) for figure_id, client_id, year in db.session.execute(
        select(ClientYear.id, ClientYear.client_id, ClientYear.year).where(ClientYear.year.in_(years))))
    fresh = [dict(zip(("client_id", "year", *FIGURES), row, strict=True)) for row in wanted
             if (row[0], row[1]) not in recorded]
    bulk_execute(db.session.connection(), insert(ClientYear.__table__), fresh)
    existing = [row for row in wanted if (row[0], row[1]) in recorded]
    if replace and existing:
        table = ClientYear.__table__
        statement = update(table).where(table.c.id == bindparam("f_id")).values(
            potential=bindparam("f_potential"), purchases=bindparam("f_purchases"), margin=bindparam("f_margin"))
        bulk_execute(db.session.connection(), statement, [{"f_id": recorded[(row[0], row[1])], "f_potential": row[2],
                                        "f_purchases": row[3], "f_margin": row[4]} for row in existing])
        return len(fresh), len(existing), 0
    return len(fresh), 0, len(existing)


# --- after a full census -------------------------------------------------------------------------

def absent_query(record: CensusImport):
    """Current clients a full-census import did not list (and that existed when it ran): proposed as lost."""
    return (select(Client).where(Client.left_on.is_(None),
                                 (Client.last_import_id.is_(None)) | (Client.last_import_id < record.id),
                                 Client.created_at <= record.imported_at)
            .order_by(Client.code))


def remembered_mapping() -> dict:
    """The mapping of the last successful import, offered again for the next file."""
    return db.session.scalar(select(CensusImport.mapping).where(CensusImport.imported_at.is_not(None))
                             .order_by(CensusImport.id.desc()).limit(1)) or {}
