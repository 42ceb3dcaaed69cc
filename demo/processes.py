"""The demo organisation's process map: the loyalty programme, two other programmes, interfaces with
SLAs, and indicators of both kinds with three years of measurements, targets and comparisons."""

import random
from contextlib import nullcontext
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from core.audit import acting_as
from core.extensions import db
from demo import voice as voice_demo
from demo.dates import last_complete_month, months_before
from processes import computed, diagrams
from processes.cycle import save_moment
from processes.models import (
    Benchmark,
    Direction,
    Frequency,
    Indicator,
    IndicatorKind,
    Interface,
    Measurement,
    Participant,
    Process,
    ProcessKind,
    ProcessStandard,
    ProcessStatus,
    Programme,
    Target,
)
from processes.periods import next_period, period_start, periods_between
from processes.revisions import FIRST_REASON, record_revision
from processes.standard import DEFAULT_REQUIRED
from surveys.models import Audience, Survey

S, K, P = ProcessKind.STRATEGIC, ProcessKind.KEY, ProcessKind.SUPPORT
PROGRAMMES = (
    ("FID", "Fidelización de socios", "Programa de fidelización de los socios actuales: el que se certifica.", True),
    ("COM", "Comercial y captación", "Captación de empresas adheridas y de nuevos socios individuales.", False),
    ("PRE", "Prestaciones e inversiones", "Pago de prestaciones y gestión de las inversiones del fondo.", False),
)
#: code, programme, kind, name, owner e-mail, purpose, start, end, inputs, outputs, clients of the process
PROCESSES = (
    ("FID-E01", "FID", S, "Planificación del programa de fidelización", "coordinator@demo.test",
     "Fijar objetivos anuales de fidelización y asignar recursos.", "Análisis de resultados del año anterior",
     "Plan anual aprobado", "Resultados, encuestas, censo", "Plan anual de fidelización", "Dirección, equipo"),
    ("FID-E02", "FID", S, "Gestión de la mejora continua", "coordinator@demo.test",
     "Convertir la voz del socio en mejoras SMART evaluadas.", "Oportunidad detectada",
     "Mejora verificada", "Quejas, encuestas, indicadores", "Mejoras implantadas", "Todos los procesos"),
    ("FID-C01", "FID", K, "Acogida de nuevos socios", "jon.arregi@demo.test",
     "Que cada nuevo socio quede bien dado de alta y conozca sus derechos.", "Solicitud de alta",
     "Socio activo con bienvenida enviada", "Solicitudes de empresas y particulares",
     "Alta en el censo, kit de bienvenida", "Nuevos socios"),
    ("FID-C02", "FID", K, "Gestión de aportaciones", "lucia.fernandez@demo.test",
     "Cobrar puntualmente las aportaciones de socios y empresas.", "Calendario de cargos",
     "Aportación conciliada", "Mandatos de domiciliación", "Aportaciones cobradas", "Socios, empresas"),
    ("FID-C03", "FID", K, "Atención al socio y reclamaciones", "member@demo.test",
     "Resolver consultas, quejas y reclamaciones a tiempo y aprender de ellas.", "Contacto del socio",
     "Respuesta cerrada y registrada", "Consultas, quejas, reclamaciones", "Respuestas, registro de quejas",
     "Socios"),
    ("FID-C04", "FID", K, "Medición de la satisfacción", "coordinator@demo.test",
     "Conocer la satisfacción, la intención de seguir y de recomendar.", "Diseño de la oleada",
     "Informe de resultados", "Censo, cuestionario", "Resultados por oleada", "Dirección, grupos de mejora"),
    ("FID-C05", "FID", K, "Gestión del censo de socios", "iker.goikoetxea@demo.test",
     "Mantener el censo de socios actuales al día: altas, bajas y aportación.", "Cierre mensual",
     "Censo actualizado", "Altas, bajas, ERP", "Censo y ranking por aportación", "Dirección, comercial"),
    ("FID-C06", "FID", K, "Comunicación con los socios", "maria.lopez@demo.test",
     "Mantener el contacto con cada socio según su segmento.", "Plan de comunicación",
     None, "Segmentos del censo", None, "Socios"),
    ("FID-C07", "FID", K, "Retención y gestión de bajas", "member@demo.test",
     "Evitar bajas evitables y conocer los motivos de las demás.", "Aviso de baja o traspaso",
     "Socio retenido o baja con motivo", "Solicitudes de traspaso", "Entrevistas de salida, motivos", "Socios"),
    ("FID-S01", "FID", P, "Sistemas de información y CRM", "admin@demo.test",
     "Dar a los procesos los datos que necesitan.", "Petición de datos", "Dato disponible",
     "ERP, CRM", "Informes, extracciones", "Todos los procesos"),
    ("FID-S02", "FID", P, "Formación del personal de atención", "maria.lopez@demo.test",
     "Que quien atiende a los socios sepa hacerlo.", None, None, None, None, None),
    ("COM-C01", "COM", K, "Captación de empresas adheridas", "jon.arregi@demo.test",
     "Incorporar empresas y sus trabajadores al fondo.", "Contacto comercial", "Empresa adherida",
     "Prospectos", "Convenios de adhesión", "Empresas"),
    ("COM-C02", "COM", K, "Red comercial", "lucia.fernandez@demo.test",
     "Atender comercialmente a socios y empresas.", "Cartera asignada", "Visita registrada",
     "Cartera", "Visitas", "Socios, empresas"),
    ("PRE-C01", "PRE", K, "Pago de prestaciones", "iker.goikoetxea@demo.test",
     "Pagar las prestaciones en plazo.", "Solicitud de prestación", "Pago realizado",
     "Solicitudes", "Pagos", "Beneficiarios"),
    ("PRE-S01", "PRE", P, "Gestión de inversiones", "admin@demo.test",
     "Invertir el patrimonio del fondo con prudencia.", "Política de inversión", "Cartera gestionada",
     "Aportaciones", "Rentabilidad", "Socios"),
)
PARTICIPANTS = {
    "FID-E01": [("admin@demo.test", "Dirección"), ("maria.lopez@demo.test", "Planificación")],
    "FID-E02": [("member@demo.test", "Grupo de mejora"), ("jon.arregi@demo.test", "Grupo de mejora")],
    "FID-C01": [("lucia.fernandez@demo.test", "Administración de altas"), ("member@demo.test", "Atención")],
    "FID-C02": [("iker.goikoetxea@demo.test", "Conciliación"), ("admin@demo.test", "Supervisión")],
    "FID-C03": [("jon.arregi@demo.test", "Atención telefónica"), ("lucia.fernandez@demo.test", "Reclamaciones")],
    "FID-C04": [("maria.lopez@demo.test", "Análisis"), ("member@demo.test", "Trabajo de campo")],
    "FID-C05": [("iker.goikoetxea@demo.test", "Censo"), ("admin@demo.test", "Sistemas")],
    "FID-C06": [("maria.lopez@demo.test", "Comunicación")],
    "FID-C07": [("jon.arregi@demo.test", "Entrevistas de salida"), ("coordinator@demo.test", "Seguimiento")],
    "FID-S01": [("iker.goikoetxea@demo.test", "Usuario clave"), ("admin@demo.test", "Administración")],
    "COM-C01": [("lucia.fernandez@demo.test", "Comercial")],
    "COM-C02": [("jon.arregi@demo.test", "Comercial")],
    "PRE-C01": [("admin@demo.test", "Supervisión")],
}
#: Diagrams of two key processes: stage, what is done, responsible role, responsible, knowledge holders.
DIAGRAMS = {
    "FID-C01": (
        ("Recepción de la solicitud de alta", "La empresa adherida o el propio socio envía el boletín firmado.",
         "Atención al socio", "member@demo.test", ["member@demo.test"]),
        ("Comprobación de datos y documentación", "DNI, cuenta de cargo, beneficiarios y consentimiento.",
         "Administración de altas", "lucia.fernandez@demo.test", ["lucia.fernandez@demo.test"]),
        ("Alta en el censo y en el CRM", "Alta del socio, su empresa y su plan de aportaciones.",
         "Administración de altas", "lucia.fernandez@demo.test",
         ["lucia.fernandez@demo.test", "iker.goikoetxea@demo.test"]),
        ("Llamada de bienvenida", "Presentación del gestor, canales de contacto y primeras dudas.",
         "Gestor del socio", "jon.arregi@demo.test", ["jon.arregi@demo.test"]),
        ("Envío del paquete de bienvenida", "Certificado de adhesión, guía del socio y claves del área privada.",
         "Atención al socio", "member@demo.test", ["member@demo.test"]),
    ),
    "FID-C03": (
        ("Registro de la queja o reclamación", "Por teléfono, oficina, correo o área privada; se clasifica por causa.",
         "Atención al socio", "jon.arregi@demo.test", ["jon.arregi@demo.test", "member@demo.test"]),
        ("Análisis de la causa", "Se reúne la información y se consulta al proceso afectado.",
         "Responsable de reclamaciones", "lucia.fernandez@demo.test", ["lucia.fernandez@demo.test"]),
        ("Propuesta de respuesta", "Con la solución y, si procede, la compensación.",
         "Responsable de reclamaciones", "lucia.fernandez@demo.test", ["lucia.fernandez@demo.test"]),
        ("Aprobación", "Las reclamaciones con efecto económico las aprueba la dirección.",
         "Dirección", "admin@demo.test", ["admin@demo.test"]),
        ("Respuesta y cierre", "Se comunica al socio y se cierra el registro.",
         "Atención al socio", "member@demo.test", ["member@demo.test"]),
    ),
}

#: code, process, name, unit, frequency, direction, kind, alert, responsible, start value, end value, noise,
#: targets as (months before the last period, value)
INDICATORS = (
    ("IND-SAT", "FID-C04", "Satisfacción global de los socios (1–5)", "puntos", Frequency.QUARTERLY, Direction.HIGHER,
     IndicatorKind.PERCEPTION, 3.7, "coordinator@demo.test", 3.6, 4.15, 0.08, ((36, 3.9), (12, 4.1))),
    ("IND-NPS", "FID-C04", "Net Promoter Score", "NPS", Frequency.QUARTERLY, Direction.HIGHER,
     IndicatorKind.PERCEPTION, 15, "coordinator@demo.test", 12, 31, 4, ((36, 25),)),
    ("IND-RECL", "FID-C03", "Reclamaciones por cada 1.000 socios", "‰", Frequency.MONTHLY, Direction.LOWER,
     IndicatorKind.PERFORMANCE, 2.5, "member@demo.test", 3.1, 1.7, 0.25, ((36, 2.0),)),
    ("IND-TRESP", "FID-C03", "Tiempo medio de respuesta a reclamaciones", "días", Frequency.MONTHLY,
     Direction.LOWER, IndicatorKind.PERFORMANCE, 12, "jon.arregi@demo.test", 14, 6.5, 0.9, ((36, 10), (12, 7))),
    ("IND-ALTA", "FID-C01", "Días medios hasta completar el alta", "días", Frequency.MONTHLY, Direction.LOWER,
     IndicatorKind.PERFORMANCE, 7, "jon.arregi@demo.test", 8.5, 4.6, 0.6, ((36, 5),)),
    ("IND-BAJA", "FID-C07", "Tasa mensual de bajas", "%", Frequency.MONTHLY, Direction.LOWER,
     IndicatorKind.PERFORMANCE, 1.0, "member@demo.test", 1.15, 0.7, 0.08, ((36, 0.8),)),
    ("IND-APORT", "FID-C02", "Aportaciones cobradas en plazo", "%", Frequency.MONTHLY, Direction.HIGHER,
     IndicatorKind.PERFORMANCE, 96, "lucia.fernandez@demo.test", 96.5, 98.6, 0.5, ((36, 98),)),
    ("IND-CENSO", "FID-C05", "Días desde el último cierre del censo", "días", Frequency.MONTHLY, Direction.LOWER,
     IndicatorKind.PERFORMANCE, None, "iker.goikoetxea@demo.test", 9, 4, 1.2, ((36, 5),)),
    ("IND-CONT", "FID-C06", "Socios contactados en el trimestre", "%", Frequency.QUARTERLY, Direction.HIGHER,
     IndicatorKind.PERFORMANCE, 50, "maria.lopez@demo.test", 41, 63, 3, ()),
    ("IND-MEJ", "FID-E02", "Mejoras implantadas en el año", "mejoras", Frequency.YEARLY, Direction.HIGHER,
     IndicatorKind.PERFORMANCE, None, "coordinator@demo.test", 1, 3, 0, ((36, 3),)),
    ("IND-PREST", "PRE-C01", "Prestaciones pagadas en plazo", "%", Frequency.MONTHLY, Direction.HIGHER,
     IndicatorKind.PERFORMANCE, 93, "iker.goikoetxea@demo.test", 92, 95, 1.5, ((36, 95),)),
)
#: The indicators the app computes from its own data (``processes.computed``), so that they read what the survey
#: engine, the census and the register of complaints show: no measurement is generated for them here.
#: IND-NPS's survey is created later (``demo.surveys``): ``load_computed`` names it, then measures them all.
COMPUTED = {"IND-NPS": "surveys.nps", "IND-TRESP": "voice.response_time", "IND-BAJA": "census.churn"}
BENCHMARKS = (
    ("IND-SAT", "Estudio sectorial de EPSV", ((24, 3.8), (12, 3.9), (0, 3.95))),
    ("IND-NPS", "Estudio sectorial de EPSV", ((24, 18), (12, 21), (0, 22))),
    ("IND-RECL", "Memoria del supervisor", ((24, 2.6), (12, 2.4))),
)
#: from, to, what flows, problem, agreement, indicator, agreed level
INTERFACES = (
    ("COM-C01", "FID-C01", "Altas de trabajadores de nuevas empresas adheridas",
     "Las altas llegaban incompletas y semanas después de la adhesión.",
     "Comercial entrega la ficha completa de cada alta y Fidelización la tramita en 5 días hábiles.",
     "IND-ALTA", 5.0),
    ("FID-C03", "PRE-C01", "Reclamaciones sobre el pago de prestaciones",
     "Las reclamaciones sobre prestaciones quedan sin respuesta del área de Prestaciones.", None, None, None),
    ("FID-C05", "COM-C02", "Listado mensual de socios sin contacto en 12 meses",
     "La red comercial no recibía a tiempo a quién visitar.",
     "Censo envía el listado el día 5 de cada mes; Comercial informa de cada visita.", None, None),
    ("PRE-C01", "FID-C07", "Solicitudes de traspaso a otra entidad",
     "Los traspasos se conocían cuando ya eran irreversibles.",
     "Prestaciones avisa de cada solicitud de traspaso en 48 horas para intentar la retención.",
     "IND-PREST", 96.0),
    ("FID-C04", "FID-E02", "Resultados de cada oleada de satisfacción", None, None, None, None),
)


def load(users: dict, today: date | None = None) -> None:
    """Add the demo process map (owners and participants from ``users``, keyed by e-mail)."""
    rng = random.Random(20261123)
    db.session.add(ProcessStandard(required_fields=list(DEFAULT_REQUIRED), min_indicators=1, min_participants=2,
                                   targets_required=True))
    programmes = {code: Programme(code=code, name=name, description=text, is_certified=certified)
                  for code, name, text, certified in PROGRAMMES}
    db.session.add_all(programmes.values())
    processes = {}
    for code, programme, kind, name, owner, purpose, start, end, inputs, outputs, clients in PROCESSES:
        processes[code] = Process(code=code, name=name, kind=kind, programme=programmes[programme],
                                  owner=users.get(owner), purpose=purpose, scope_start=start, scope_end=end,
                                  inputs=inputs, outputs=outputs, process_clients=clients,
                                  status=ProcessStatus.DRAFT if code == "FID-S02" else ProcessStatus.IN_FORCE)
    db.session.add_all(processes.values())
    for code, people in PARTICIPANTS.items():
        processes[code].participants = [Participant(user=users[email], role=role) for email, role in people]
    db.session.flush()
    for process in processes.values():
        _revise(process, str(FIRST_REASON), author=process.owner)
    complaints = processes["FID-C03"]
    complaints.scope_end = "Respuesta cerrada, registrada y comunicada al socio"
    _revise(complaints, "El socio recibe siempre la respuesta por escrito (grupo de mejora de reclamaciones).",
            author=users["coordinator@demo.test"], months=4)
    complaints.outputs = "Respuestas, registro de quejas, informe mensual de causas"
    _revise(complaints, "Informe mensual de causas para el grupo de mejora.", author=users["member@demo.test"],
            months=8)
    _diagrams(processes, users)
    last = last_complete_month(today or date.today())
    indicators = {row[0]: _indicator(row, processes, users, last, rng) for row in INDICATORS}
    for code, source, points in BENCHMARKS:
        indicator = indicators[code]
        for months_ago, value in points:
            db.session.add(Benchmark(indicator=indicator, source=source, value=value,
                                     period=period_start(months_before(last, months_ago), indicator.frequency)))
    for origin, destination, flow, problem, agreement, indicator, level in INTERFACES:
        db.session.add(Interface(from_process=processes[origin], to_process=processes[destination], flow=flow,
                                 problem=problem, agreement=agreement, agreed_level=level,
                                 indicator=indicators.get(indicator), from_owner=processes[origin].owner,
                                 to_owner=processes[destination].owner,
                                 review_date=date(last.year + 1, 1, 31) if agreement else None))
    db.session.flush()
    _service_cycle(programmes["FID"], processes, indicators)


#: How many months before the last complete month the map's sheets were first written; later revisions came
#: months after them (``_revise``), so the history reads over time, not all in the minute the demo loads.
FIRST_SHEETS_MONTHS = 40


def _revise(process: Process, reason: str, *, author, months: int = 0, at: datetime | None = None):
    """A sheet revision made ``months`` after the first sheets (or ``at``), credited in the audit trail to its
    author (who would have saved it), not to the loader."""
    if at is None:
        day = months_before(last_complete_month(date.today()), FIRST_SHEETS_MONTHS - months)
        at = datetime.combine(day + timedelta(days=process.id % 20), time(10, process.id % 60))
    with acting_as(author) if author is not None else nullcontext():
        return record_revision(process, reason, author=author, at=at)


def _diagrams(processes: dict, users: dict) -> None:
    """Draw the two demo diagrams; the complaints one then changes after an improvement (C3)."""
    for code, stages in DIAGRAMS.items():
        process = processes[code]
        for name, description, role, responsible, holders in stages:
            diagrams.save_stage(process, None, {
                "name": name, "description": description, "responsible_role": role,
                "responsible_id": users[responsible].id, "knowledge_holder_ids": [users[e].id for e in holders]})
        _revise(process, "Diagrama del proceso aprobado por el comité de calidad.", author=process.owner, months=12)
    complaints = processes["FID-C03"]
    closing = diagrams.ordered_stages(complaints)[-1]
    closing.name = "Respuesta por escrito y cierre"
    closing.description = "Siempre por escrito, con la causa y la solución; se cierra el registro."
    diagrams.save_stage(complaints, None, {
        "name": "Informe mensual de causas", "description": "Causas más frecuentes para el grupo de mejora.",
        "responsible_role": "Responsable de reclamaciones", "responsible_id": users["lucia.fernandez@demo.test"].id,
        "knowledge_holder_ids": [users["lucia.fernandez@demo.test"].id, users["coordinator@demo.test"].id]})
    implemented = voice_demo.change_day(date.today(), voice_demo.WRITTEN_ANSWER_MONTHS)  # as demo.improvements does
    _revise(complaints, "Mejora «respuesta escrita»: la respuesta pasa a ser siempre por escrito y se añade "
                        "el informe mensual de causas.", author=users["coordinator@demo.test"],
            at=datetime.combine(implemented, time(12, 0)))


def _indicator(row, processes, users, last: date, rng: random.Random) -> Indicator:
    (code, process, name, unit, frequency, direction, kind, alert, responsible, start_value, end_value, noise,
     targets) = row
    indicator = Indicator(code=code, process=processes[process], name=name, unit=unit, frequency=frequency,
                          direction=direction, kind=kind, alert_threshold=alert, responsible=users[responsible],
                          data_source="CRM" if kind == IndicatorKind.PERFORMANCE else "Encuesta a socios",
                          definition=f"{name}, calculado en cada periodo a partir de los registros del proceso.",
                          computed_source=COMPUTED.get(code))
    db.session.add(indicator)
    for months_ago, value in targets:
        indicator.targets.append(Target(valid_from=period_start(months_before(last, months_ago - 1), frequency),
                                        value=value))
    if code in COMPUTED:
        indicator.data_source = None  # its page links to the source instead
        db.session.flush()
        return indicator
    # Only periods that have ended: a quarter or a year still running has no value yet.
    end = next_period(last, Frequency.MONTHLY)
    periods = [p for p in periods_between(months_before(last, 35), last, frequency)
               if next_period(p, frequency) <= end]
    steps = max(len(periods) - 1, 1)
    db.session.flush()
    with acting_as(users[responsible]):  # who enters the indicator's measurements
        for n, period in enumerate(periods):
            trend = start_value + (end_value - start_value) * n / steps
            value = round(trend + rng.gauss(0, noise), 2) if noise else round(trend)
            db.session.add(Measurement(indicator=indicator, period=period, value=value,
                                       entered_by=users[responsible]))
    return indicator


def load_computed(users: dict) -> None:
    """Point the NPS indicator at the client survey (loaded after the map) and measure the computed indicators
    from the demo's data, before the improvements read their baselines and results from them."""
    survey_id = db.session.scalar(select(Survey.id).where(Survey.audience == Audience.CLIENTS,
                                                          Survey.family_id.is_(None)).order_by(Survey.id).limit(1))
    nps = db.session.scalar(select(Indicator).where(Indicator.code == "IND-NPS"))
    nps.source_parameter = survey_id
    db.session.flush()
    computed.refresh_all()


#: The service cycle of the loyalty programme: (moment of contact, what the socio experiences, processes, quality
#: indicators), in the order a socio passes through them.
SERVICE_CYCLE = (
    ("Conocer el plan", "El trabajador oye hablar del plan en su empresa o en una comunicación y pide información.",
     ("FID-C06", "FID-E01"), ("IND-CONT",)),
    ("Alta en el plan", "Firma la adhesión y recibe la bienvenida y sus claves.", ("FID-C01",), ("IND-ALTA",)),
    ("Aportaciones", "Su empresa y él aportan cada mes; consulta su saldo.", ("FID-C02",), ("IND-APORT",)),
    ("Consultas y reclamaciones", "Pregunta por la fiscalidad o un traspaso, o reclama, y espera la respuesta.",
     ("FID-C03",), ("IND-RECL", "IND-TRESP")),
    ("Opinión sobre el servicio", "Contesta la encuesta de satisfacción o participa en un grupo focal.",
     ("FID-C04",), ("IND-SAT", "IND-NPS")),
    ("Traspaso o baja", "Pide el traspaso a otra entidad o el rescate; se le pregunta el motivo.", ("FID-C07",),
     ("IND-BAJA",)),
)


def _service_cycle(programme, processes: dict, indicators: dict) -> None:
    """The loyalty programme's moments of contact, each linked to its processes and quality indicators."""
    for name, description, process_codes, indicator_codes in SERVICE_CYCLE:
        save_moment(programme.id, None, {"name": name, "description": description,
                                         "process_ids": [processes[code].id for code in process_codes],
                                         "indicator_ids": [indicators[code].id for code in indicator_codes]})
