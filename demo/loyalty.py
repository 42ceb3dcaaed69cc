"""The demo organisation's client census: about 2 000 members and companies across the three typologies,
five years of joins and exits with their reasons, yearly figures, and a few strategic clients.

Written in bulk (Core ``insert`` with many rows), as a census import writes, so ``make run`` stays fast, under an
import record marked as the demo's: that is how the census pages know these clients are the demo's, and how
``flask demo remove-census`` (or the census's own page) removes them before a real census is imported.
"""

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from core.extensions import db
from core.imports.values import remember
from core.timeutil import utcnow
from loyalty.models import CensusImport, Client, ClientYear, ExitReason, Typology
from loyalty.reasons import ensure_default_reasons

CLIENTS = 2000
HISTORY_YEARS = 5
SEED = 20240
#: typology → (share of the clients, code prefix, segments, median yearly purchases)
TYPOLOGIES = {
    Typology.END_USER: (0.78, "S", ("Particulares", "Autónomos", "Jubilados"), 1_800),
    Typology.INTERMEDIATE: (0.17, "E", ("Pymes", "Grandes empresas", "Sector público"), 24_000),
    Typology.PRESCRIBER: (0.05, "P", ("Asesorías", "Colegios profesionales", "Sindicatos"), 0),
}
REGIONS = ("Araba", "Bizkaia", "Gipuzkoa", "Navarra")
SECTORS = ("Industria", "Servicios", "Comercio", "Educación", "Sanidad", "Administración")
#: key → weight among the exits (the poor-service and contact ones are what improvement groups will attack).
EXIT_WEIGHTS = {"poor_service": 14, "lack_of_contact": 22, "dissatisfaction": 12, "no_renewal": 10,
                "personal_reasons": 16, "no_use": 9, "non_payment": 7, "competitor": 10}
#: Listening starts two years before this one (``demo.voice``'s first activities; the year before is the
#: baseline of "Is listening worth it?"). From then on some clients who would have left stay (seeds/000: listening
#: whose cost is set off by the clients it keeps): years since it started → share of the exits that do not happen,
#: for the reasons listening can act on (service, contact, dissatisfaction) and for the others.
LISTENING_KEEPS = {0: (0.5, 0.1), 1: (0.8, 0.3), 2: (0.9, 0.5)}
HEARD_REASONS = ("poor_service", "lack_of_contact", "dissatisfaction")
#: How the demo organisation's own system writes some exit reasons (seeds/003), matched once on its first import:
#: what "Import matches" in the settings shows.
OWN_WORDING = {"Insatisfacción con el servicio": "dissatisfaction", "No desea renovación": "no_renewal",
               "Cancelación por falta de pago": "non_payment"}
FIRST_NAMES = ("Ane", "Mikel", "Itziar", "Jon", "Maite", "Iñaki", "Nerea", "Xabier", "Leire", "Unai", "Amaia",
               "Koldo", "Edurne", "Asier", "Garazi", "Josu", "Olatz", "Aitor", "Lorea", "Gorka")
SURNAMES = ("Agirre", "Bengoetxea", "Etxeberria", "Garmendia", "Iturbe", "Larrañaga", "Mendizabal", "Otxoa",
            "Urrutia", "Zabala", "Arana", "Elorza", "Goñi", "Ibarra", "Lasa", "Olano", "Sarasola", "Uriarte")
#: Recent exits the census file lists without a reason (every fourth one that left between these many days ago):
#: the exit interviews (``demo.exit_interviews``) find their reasons.
UNEXPLAINED_EXITS = (21, 150)
COMPANIES = ("Talleres", "Construcciones", "Ingeniería", "Distribuciones", "Cooperativa", "Hostelería",
             "Transportes", "Laboratorios", "Gráficas", "Consultoría")


def load(users) -> None:
    """Add the census, an import record for it, and the yearly figures of the last five years."""
    rng = random.Random(SEED)
    ensure_default_reasons()
    reasons = {r.key: r.id for r in db.session.scalars(select(ExitReason)) if r.key}
    today = date.today()
    record = CensusImport(actor_id=users["iker.goikoetxea@demo.test"].id, filename="censo-socios.csv",
                          year=today.year - 1, full_census=True, imported_at=utcnow(), mapping={}, demo=True)
    db.session.add(record)
    db.session.flush()
    kept = random.Random(SEED + 1)  # its own draws, so the rest of the census is the same with or without it
    clients = [_client(number, rng, today, reasons, record.id) for number in range(1, CLIENTS + 1)]
    for client in clients:
        _kept_by_listening(client, kept, today, reasons)
    yearly = {client["code"]: _figures(client, rng, today) for client in clients}  # marks the strategic ones
    db.session.execute(insert(Client.__table__), clients)
    ids = dict(db.session.execute(select(Client.code, Client.id)).all())
    figures = [row | {"client_id": ids[code]} for code, rows in yearly.items() for row in rows]
    db.session.execute(insert(ClientYear.__table__), figures)
    record.rows = record.added = sum(1 for client in clients if client["left_on"] is None)
    record.figures_added = len(figures)
    db.session.flush()
    for spelling, key in OWN_WORDING.items():
        remember("census.exit_reason", spelling, reasons[key], users["iker.goikoetxea@demo.test"])


def _typology(rng: random.Random) -> Typology:
    pick, total = rng.random(), 0.0
    for typology, (share, *_rest) in TYPOLOGIES.items():
        total += share
        if pick < total:
            return typology
    return Typology.END_USER


def _client(number: int, rng: random.Random, today: date, reasons: dict, import_id: int) -> dict:
    typology = _typology(rng)
    _share, prefix, segments, _median = TYPOLOGIES[typology]
    # A third were already clients before the five years shown; the rest joined during them.
    if rng.random() < 0.35:
        joined = today - timedelta(days=rng.randint(HISTORY_YEARS * 365, 20 * 365))
    else:
        joined = today - timedelta(days=rng.randint(1, HISTORY_YEARS * 365))
    left = reason_id = None
    if rng.random() < 0.28:
        earliest = max(joined + timedelta(days=30), today - timedelta(days=HISTORY_YEARS * 365))
        if earliest < today:
            left = earliest + timedelta(days=rng.randint(0, (today - earliest).days))
            reason_id = reasons[rng.choices(list(EXIT_WEIGHTS), weights=list(EXIT_WEIGHTS.values()))[0]]
            if UNEXPLAINED_EXITS[0] <= (today - left).days <= UNEXPLAINED_EXITS[1] and number % 4 == 0:
                reason_id = None  # decided without drawing, so the rest of the census stays as it was
    name = (f"{rng.choice(COMPANIES)} {rng.choice(SURNAMES)} {rng.choice(('SL', 'SA', 'S.Coop.'))}"
            if typology == Typology.INTERMEDIATE else f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} "
            f"{rng.choice(SURNAMES)}")
    return {"code": f"{prefix}-{number:05d}", "name": name, "typology": typology.value,
            "segment": rng.choice(segments), "region": rng.choice(REGIONS), "sector": rng.choice(SECTORS),
            "joined_on": joined, "left_on": left, "exit_reason_id": reason_id, "exit_note": None,
            "strategic": False, "strategic_reason": None, "created_at": utcnow(), "last_import_id": import_id,
            "version": 1}


def _kept_by_listening(client: dict, rng: random.Random, today: date, reasons: dict) -> None:
    """Cancel the exit of a client listening kept (``LISTENING_KEEPS``): retention rises once listening starts."""
    if client["left_on"] is None:
        return
    shares = LISTENING_KEEPS.get(client["left_on"].year - (today.year - 2))
    heard = {reasons[key] for key in HEARD_REASONS}
    if shares and rng.random() < shares[0 if client["exit_reason_id"] in heard else 1]:
        client["left_on"] = client["exit_reason_id"] = None


def _figures(client: dict, rng: random.Random, today: date) -> list[dict]:
    """One row per complete year the client was with us, within the last five; a lognormal spread makes the
    80/20 rule show. Prescribers buy nothing (their value is the clients they bring)."""
    median = TYPOLOGIES[Typology(client["typology"])][3]
    if not median:
        return []
    level = median * rng.lognormvariate(0, 1.1)
    rows = []
    for year in range(today.year - HISTORY_YEARS, today.year):
        if client["joined_on"].year > year or (client["left_on"] and client["left_on"].year < year):
            continue
        level *= rng.uniform(0.93, 1.12)
        purchases = round(level, 2)
        rows.append({"year": year, "purchases": purchases,
                     "potential": round(purchases / rng.uniform(0.25, 0.9), 2),
                     "margin": round(purchases * rng.uniform(0.08, 0.3), 2)})
    if rows and rows[-1]["year"] == today.year - 1 and rows[-1]["purchases"] > median * 6:
        client["strategic"] = True
        client["strategic_reason"] = "Gran cuenta: más de seis veces la compra media de su tipología."
    return rows
