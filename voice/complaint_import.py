"""Importing enquiries, complaints, claims and incidents from CSV/XLSX (a ticketing tool's export) with the
shared import pipeline: the rows' own checks, then all rows or none."""

from dataclasses import replace
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core.extensions import db
from core.i18n import in_reader_language
from core.imports import Column, ImportResult, ImportSpec
from core.imports.result import also_in, other_rows
from core.imports.values import Option, Vocabulary, remembered
from loyalty.models import Client
from voice.complaints import add_category
from voice.labels import CHANNEL_LABELS, CONTACT_KIND_LABELS
from voice.models import Channel, Complaint, ComplaintCategory, ContactKind

KIND_SPELLINGS = {
    "consulta": ContactKind.ENQUIRY, "enquiry": ContactKind.ENQUIRY, "inquiry": ContactKind.ENQUIRY,
    "queja": ContactKind.COMPLAINT, "complaint": ContactKind.COMPLAINT,
    "reclamación": ContactKind.CLAIM, "claim": ContactKind.CLAIM,
    "incidencia": ContactKind.INCIDENT, "incident": ContactKind.INCIDENT,
}
CHANNEL_SPELLINGS = {
    "teléfono": Channel.PHONE, "phone": Channel.PHONE, "llamada": Channel.PHONE,
    "email": Channel.EMAIL, "correo": Channel.EMAIL, "e-mail": Channel.EMAIL,
    "presencial": Channel.IN_PERSON, "oficina": Channel.IN_PERSON, "in person": Channel.IN_PERSON,
    "web": Channel.WEB, "formulario": Channel.WEB, "carta": Channel.LETTER, "letter": Channel.LETTER,
    "otro": Channel.OTHER, "other": Channel.OTHER,
}

SPEC = ImportSpec([
    Column("reference", _l("Reference"), required=False, max_length=40,
           synonyms=("referencia", "número", "numero", "ticket", "id", "reference", "number")),
    Column("kind", _l("Kind"), kind="choice", choices=KIND_SPELLINGS, labels=CONTACT_KIND_LABELS,
           vocabulary="voice.kind",
           synonyms=("tipo", "clase", "kind", "type")),
    Column("received_on", _l("Received on"), kind="date",
           synonyms=("fecha", "fecha de entrada", "recibida", "fecha recepción", "received", "date", "received on")),
    Column("channel", _l("Channel"), kind="choice", required=False, choices=CHANNEL_SPELLINGS, labels=CHANNEL_LABELS,
           vocabulary="voice.channel", synonyms=("canal", "vía", "via", "channel")),
    # The organisation's own categories: ``spec()`` fills the choices (and labels) from them.
    Column("category", _l("Category"), kind="choice", vocabulary="voice.category",
           synonyms=("categoría", "categoria", "motivo", "category")),
    Column("client", _l("Client code"), required=False, max_length=40,
           synonyms=("cliente", "código cliente", "socio", "client", "client code", "customer")),
    Column("description", _l("Description"), max_length=5000,
           synonyms=("descripción", "descripcion", "texto", "asunto", "description", "text", "subject")),
    Column("responded_on", _l("Responded on"), kind="date", required=False,
           synonyms=("fecha respuesta", "respondida", "respuesta fecha", "responded", "response date",
                     "responded on", "closed on", "cerrada")),
    Column("resolution", _l("Resolution"), required=False, max_length=5000,
           synonyms=("resolución", "resolucion", "solución", "respuesta", "resolution", "answer")),
    Column("satisfaction", _l("Satisfaction with the resolution (1–5)"), kind="integer", required=False,
           minimum=1, maximum=5, synonyms=("satisfacción", "satisfaccion", "valoración", "satisfaction", "rating")),
])


def spec() -> ImportSpec:
    """The columns as the organisation's categories make them now (read by name, stored as their ids), with the
    spellings remembered for the kinds, channels and categories (``core.imports.values``)."""
    loaded = sorted(db.session.scalars(select(ComplaintCategory)), key=lambda c: c.name.lower())
    columns = [replace(column, choices={c.name: c.id for c in loaded}, labels={c.id: c.name for c in loaded})
               if column.field == "category" else column for column in SPEC.columns]
    return remembered(ImportSpec(columns))


def _options(labels: dict, spellings: dict) -> list[Option]:
    return [Option(value, label, tuple(text for text, stored in spellings.items() if stored == value))
            for value, label in labels.items()]


def _category_options() -> list[Option]:
    return [Option(c.id, c.name) for c in sorted(db.session.scalars(select(ComplaintCategory)),
                                                  key=lambda c: c.name.lower())]


def vocabularies() -> dict[str, Vocabulary]:
    """The lists the complaint import matches values to: kinds and channels (fixed) and the organisation's
    categories (a coordinator may add one from an import)."""
    return {
        "voice.kind": Vocabulary("voice.kind", _l("Kinds of contact"),
                                 lambda: _options(CONTACT_KIND_LABELS, KIND_SPELLINGS)),
        "voice.channel": Vocabulary("voice.channel", _l("Channels"),
                                    lambda: _options(CHANNEL_LABELS, CHANNEL_SPELLINGS)),
        "voice.category": Vocabulary("voice.category", _l("Complaint categories"), _category_options,
                                     create=lambda text: add_category(text).id,
                                     create_label=_l("Add it to the categories")),
    }


def plan(result: ImportResult) -> list[dict]:
    """Check each parsed row against the registers (known client, response not before receipt, a reference
    neither recorded nor repeated in the file; the category was read by the parse, as its id); rejected rows
    join the report. Three queries."""
    codes = {str(row.values["client"]).strip() for row in result.rows if row.values.get("client")}
    query = select(Client.code, Client.id).where(Client.code.in_(codes))
    clients = dict(db.session.execute(query).all()) if codes else {}
    references = {str(row.values["reference"]).strip() for row in result.rows if row.values.get("reference")}
    taken = set(db.session.scalars(select(Complaint.reference).where(Complaint.reference.in_(references)))) \
        if references else set()
    repeated = other_rows((row.number, row.values.get("reference") or None) for row in result.rows)
    planned = []
    for row in result.rows:
        values = row.values
        problem = _row_problem(values, clients, taken, repeated.get(row.number))
        if problem:
            result.reject_field(row.number, *problem)
            continue
        planned.append(_record(values, clients))
    return planned


def _row_problem(values, clients, taken, other_rows_with_it) -> tuple[str, str] | None:
    """(field, message) for the first rule the row breaks, or None; ``other_rows_with_it`` are the rows that
    repeat its reference."""
    if values.get("client") and values["client"] not in clients:
        return "client", _("There is no client with code “%(code)s” in the census.", code=values["client"])
    if values.get("responded_on") and values["responded_on"] < values["received_on"]:
        return "responded_on", _("The response date is before the date it was received (%(received)s).",
                                 received=values["received_on"].strftime("%d/%m/%Y"))
    if values.get("satisfaction") and not values.get("responded_on"):
        return "satisfaction", _("A satisfaction with the resolution needs a response date.")
    reference = values.get("reference")
    if reference and reference in taken:
        return "reference", _("Reference %(reference)s is already recorded.", reference=reference)
    if reference and other_rows_with_it:
        return "reference", _("Reference %(reference)s is also in %(rows)s.", reference=reference,
                              rows=also_in(other_rows_with_it))
    return None


def _record(values, clients) -> dict:
    return {"reference": values.get("reference") or None, "kind": values["kind"], "received_on": values["received_on"],
            "channel": values.get("channel") or Channel.OTHER, "category_id": values["category"],
            "client_id": clients.get(values.get("client")) if values.get("client") else None,
            "description": values["description"], "responded_on": values.get("responded_on"),
            "resolution": values.get("resolution") or None, "satisfaction": values.get("satisfaction")}


def apply(planned: list[dict], *, actor) -> int:
    """Add every planned complaint (the caller commits once: all or nothing); each gets its audit row."""
    db.session.add_all(Complaint(created_by_id=getattr(actor, "id", None), **record) for record in planned)
    db.session.flush()
    return len(planned)


def example_rows() -> list[dict]:
    """A complaint answered and an enquiry still open, as a ticketing tool would export them (the template),
    filed under the first category on offer."""
    category = db.session.scalar(select(ComplaintCategory.name).where(ComplaintCategory.active)
                                 .order_by(func.lower(ComplaintCategory.name)).limit(1))
    category = category or in_reader_language("Plazos", "Delays")
    received = date.today() - timedelta(days=14)
    return [
        {"reference": "Q-0001", "kind": in_reader_language("queja", "complaint"), "received_on": received,
         "channel": in_reader_language("teléfono", "phone"), "category": category,
         "description": in_reader_language("La transferencia tardó tres semanas.", "The transfer took three weeks."),
         "responded_on": received + timedelta(days=2),
         "resolution": in_reader_language("Se agilizó y se pidió disculpas.", "Sped up, with an apology."),
         "satisfaction": 4},
        {"reference": "Q-0002", "kind": in_reader_language("consulta", "enquiry"),
         "received_on": received + timedelta(days=3), "channel": "email", "category": category,
         "description": in_reader_language("¿Cómo cambio mi aportación mensual?",
                                           "How do I change my monthly contribution?")},
    ]
