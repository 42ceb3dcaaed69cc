"""The demo's findings (issue 19): what the reviewer found in the two certification cycles and what became of it.

The first cycle (the earlier period, closed) had three findings, all dealt with: a minor nonconformity on B1
whose corrective action the complaints group carried out and the reviewer verified; an observation on A1,
answered and closed; an opportunity for improvement on D1 that the welcome group took up as an improvement
opportunity; the reviewer closed all three. The second cycle (in preparation) has one minor nonconformity on C3
from the reviewer's preliminary visit, answered with a corrective action whose deadline has passed while its
task, Miguel's, is still being done: the home page and the reminders show it overdue.

Run after the cycles' demo has created the cycles (``load(users)``: the first by ``period_start`` closed, the
second preparing). The first cycle's days follow its visit (as the cycle states it), the second's count back
from today, so that the story holds whatever the day the demo is loaded, as ``demo.dates`` makes the other
loaders' hold: every step after the one before it, none in the future.
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from certification import findings as services
from certification.models import FINDING_HISTORY_KIND, Cycle, CycleState, Finding, FindingKind, FindingState
from core import transitions
from core.audit import acting_as
from core.extensions import db
from core.transitions import StateChange
from evidence.models import Criterion
from improvements import work
from improvements.models import HISTORY_KIND, Group, Status, TaskStatus

CARE_GROUP = "Grupo de mejora de atención y reclamaciones"
WELCOME_GROUP = "Grupo de mejora de acogida y comunicación"


def _today() -> date:
    return date.today()


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0))


def _dated(kind: str, record_id: int, day: date) -> None:
    """The state change the service just kept happened on ``day`` (the demo loads a past told in order)."""
    change = db.session.scalar(select(StateChange).where(StateChange.record_kind == kind,
                                                         StateChange.record_id == record_id)
                               .order_by(StateChange.id.desc()).limit(1))
    change.at = _at(day)


def _criterion(cycle: Cycle, code: str) -> Criterion:
    return db.session.scalar(select(Criterion).where(Criterion.set_id == cycle.set_id, Criterion.code == code))


def _group(name: str) -> Group:
    return db.session.scalar(select(Group).where(Group.name == name))


def _reviewer(cycle: Cycle, users: dict):
    return cycle.reviewers[0] if cycle.reviewers else users["reviewer@demo.test"]


def _found_at_the_visit(cycle: Cycle, code: str, kind: FindingKind, text: str, evidence: str, *, reviewer,
                        day: date) -> Finding:
    """A finding of the closed cycle's visit, as it was recorded then (the cycle takes no new ones now)."""
    number = len(cycle.findings) + 1
    finding = Finding(cycle=cycle, number=number, criterion=_criterion(cycle, code), kind=kind, text=text,
                      evidence=evidence, state=FindingState.OPEN, raised_by=reviewer, raised_on=day)
    db.session.add(finding)
    db.session.flush()
    transitions.record_transition(FINDING_HISTORY_KIND, finding.id, from_value=None, to_value=FindingState.OPEN,
                                  actor=reviewer, at=_at(day))
    return finding


def _answered(finding: Finding, data: dict, *, coordinator, day: date) -> None:
    services.answer_finding(finding, data, actor=coordinator, today=day)
    _dated(FINDING_HISTORY_KIND, finding.id, day)
    if finding.improvement is not None and finding.improvement.is_corrective:
        _dated(HISTORY_KIND, finding.improvement.id, day)


def _closed(finding: Finding, comment: str, *, reviewer, day: date) -> None:
    action = finding.improvement if finding.kind.is_nonconformity else None
    services.close_finding(finding, comment, actor=reviewer, today=day)
    _dated(FINDING_HISTORY_KIND, finding.id, day)
    if action is not None:
        _dated(HISTORY_KIND, action.id, day)


def _first_cycle(cycle: Cycle, users: dict, today: date) -> None:
    coordinator, reviewer = users["coordinator@demo.test"], _reviewer(cycle, users)
    lucia, member = users["lucia.fernandez@demo.test"], users["member@demo.test"]
    # The visit's day: as the cycle states it, else a month after its period; never so late that the story
    # (answer, action, verification) would not fit before today.
    visit = cycle.visit_held_on or cycle.visit_planned_on or (cycle.period_end + timedelta(days=30))
    visit = min(visit, today - timedelta(days=120))
    with acting_as(reviewer):
        late = _found_at_the_visit(
            cycle, "B1", FindingKind.MINOR,
            "De 40 reclamaciones de la muestra, 6 se respondieron después del plazo de 7 días y sin constancia "
            "escrita de la respuesta.",
            "Registro de reclamaciones del segundo semestre; entrevista con la responsable de reclamaciones.",
            reviewer=reviewer, day=visit)
        paper = _found_at_the_visit(
            cycle, "A1", FindingKind.OBSERVATION,
            "Dos fichas de proceso impresas en la oficina no coinciden con la versión vigente del mapa.",
            "Visita a la oficina central.", reviewer=reviewer, day=visit)
        survey = _found_at_the_visit(
            cycle, "D1", FindingKind.OPPORTUNITY,
            "Los grupos focales de personal podrían incluir a la red comercial, que trata a los socios de empresa.",
            "Actas de los grupos focales del periodo.", reviewer=reviewer, day=visit)
    answered_on = visit + timedelta(days=9)
    with acting_as(coordinator):
        _answered(late, {
            "root_cause": "El procedimiento de reclamaciones no fijaba plazo para las respuestas por teléfono y "
                          "nadie revisaba los vencimientos.",
            "response": "Se han respondido por escrito las 6 reclamaciones de la muestra.",
            "action": "Fijar el plazo de 7 días para toda respuesta, siempre por escrito, y revisar cada semana "
                      "las reclamaciones abiertas.",
            "group_id": _group(CARE_GROUP).id, "owner_id": lucia.id, "deadline": answered_on + timedelta(days=60),
            "task_title": "Revisión semanal de reclamaciones abiertas", "task_owner_id": member.id,
            "task_due_on": answered_on + timedelta(days=30)}, coordinator=coordinator, day=answered_on)
        _answered(paper, {"response": "Se retiran las copias impresas; la oficina consulta las fichas en la "
                                      "aplicación."}, coordinator=coordinator, day=answered_on)
        _answered(survey, {"response": "Lo estudia el grupo de acogida.", "make_opportunity": True,
                           "group_id": _group(WELCOME_GROUP).id}, coordinator=coordinator, day=answered_on)
    action = late.improvement
    done_on = answered_on + timedelta(days=28)
    with acting_as(member):
        (task,) = action.tasks
        work.set_task_status(task, TaskStatus.DOING, today=answered_on + timedelta(days=3), actor=member)
        _dated(HISTORY_KIND, action.id, answered_on + timedelta(days=3))
        work.set_task_status(task, TaskStatus.DONE, today=done_on, actor=member)
    with acting_as(lucia):
        work.change_status(action, Status.IMPLEMENTED, actor=lucia, today=done_on, on=done_on, confirmed=True)
        _dated(HISTORY_KIND, action.id, done_on)
    with acting_as(reviewer):
        verified = done_on + timedelta(days=21)
        _closed(late, "Muestra de 20 reclamaciones posteriores: todas respondidas por escrito en plazo; el "
                      "procedimiento revisado fija el plazo.", reviewer=reviewer, day=verified)
        _closed(paper, "La oficina ya no guarda copias impresas.", reviewer=reviewer,
                day=answered_on + timedelta(days=5))
        _closed(survey, "Respuesta aceptada: el grupo de acogida lo tiene como oportunidad.", reviewer=reviewer,
                day=answered_on + timedelta(days=5))


def _second_cycle(cycle: Cycle, users: dict, today: date) -> None:
    coordinator, reviewer = users["coordinator@demo.test"], _reviewer(cycle, users)
    member = users["member@demo.test"]
    found_on = today - timedelta(days=50)
    with acting_as(reviewer):
        finding = services.record_finding(cycle, {
            "kind": FindingKind.MINOR.value, "criterion_id": _criterion(cycle, "C3").id,
            "text": "La ficha del proceso de reclamaciones no recoge todavía el informe mensual de causas que "
                    "introdujo la mejora de respuesta escrita.",
            "evidence": "Ficha FID-C03 vigente e informe mensual de causas de los últimos tres meses."},
            actor=reviewer, today=found_on)
        _dated(FINDING_HISTORY_KIND, finding.id, found_on)
    answered_on = found_on + timedelta(days=6)
    with acting_as(coordinator):
        _answered(finding, {
            "root_cause": "La revisión de la ficha quedó pendiente al cerrar la mejora.",
            "action": "Revisar la ficha FID-C03 con el informe mensual de causas y publicarla aprobada.",
            "group_id": _group(CARE_GROUP).id, "owner_id": member.id, "deadline": today - timedelta(days=8),
            "task_title": "Redactar la revisión de la ficha FID-C03", "task_owner_id": member.id,
            "task_due_on": today - timedelta(days=15)}, coordinator=coordinator, day=answered_on)
    action = finding.improvement
    with acting_as(member):
        (task,) = action.tasks
        started = answered_on + timedelta(days=4)
        work.set_task_status(task, TaskStatus.DOING, today=started, actor=member)
        _dated(HISTORY_KIND, action.id, started)


def load(users: dict, today: date | None = None) -> None:
    """Add the findings of the first two cycles (closed, then preparing); nothing without them."""
    today = today or _today()
    cycles = list(db.session.scalars(select(Cycle).order_by(Cycle.period_start, Cycle.id)))
    if len(cycles) < 2:
        return
    first, second = cycles[0], cycles[1]
    if first.state != CycleState.CLOSED or second.state != CycleState.PREPARING:
        raise RuntimeError("The demo's findings need the first cycle closed and the second preparing.")
    _first_cycle(first, users, today)
    _second_cycle(second, users, today)
    db.session.flush()
