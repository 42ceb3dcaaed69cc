"""Exit interviews (B2): the standard questionnaire with the census's exit reasons, the clients who left in a period
as its audience, the review of each answer against the census (nothing typed is overwritten silently), and B2's
exit analysis with the interviews."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from core.findings import Status
from loyalty import evidence as loyalty_evidence
from loyalty.models import Client, Typology
from loyalty.reasons import ensure_default_reasons
from surveys import engine, exits
from surveys.engine import SurveyRuleError
from surveys.models import Audience, ExitReview, Invitation, ItemRole, ReviewOutcome, Survey, Wave
from tests.exit_fixtures import exit_interview, reason


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def _reasons(codes) -> dict:
    return {code: (c.exit_reason.key if c.exit_reason else None)
            for code, c in ((c.code, c) for c in db.session.scalars(select(Client).where(Client.code.in_(codes))))}


def test_the_standard_exit_interview_asks_the_census_reasons_in_its_language_and_is_named(app, request_ctx):
    ensure_default_reasons()
    survey = engine.create_survey(title=None, audience=Audience.CLIENTS, language="es", template="exit_interview",
                                  anonymous=False)
    item = next(i for i in survey.items if i.role == ItemRole.EXIT_REASON)
    assert survey.title == "Entrevista de salida de clientes" and not survey.anonymous
    assert item.text == "¿Cuál fue el motivo principal por el que dejó de ser cliente?"
    assert item.choices[:3] == ["Mal servicio", "Falta de contacto", "Insatisfacción"]
    assert len(item.choices) == 8 and engine.asks_exit_reason(survey)


def test_an_exit_interview_needs_exit_reasons_to_offer(app, request_ctx):
    with pytest.raises(SurveyRuleError, match="offers no exit reason"):
        engine.create_survey(title=None, audience=Audience.CLIENTS, language="en", template="exit_interview",
                             anonymous=False)


def test_the_clients_who_left_in_a_period_are_the_audience(app, request_ctx):
    today = date.today()
    for code, left in (("IN", today - timedelta(days=40)), ("BEFORE", today - timedelta(days=400)), ("NOW", None)):
        db.session.add(Client(code=code, name=code, typology=Typology.INTERMEDIATE, joined_on=date(2019, 1, 1),
                              left_on=left, segment="Pymes"))
    db.session.flush()
    people = exits.lost_invitees(today - timedelta(days=90), today, language="en")
    assert [(p["name"], p["typology"], p["segment"]) for p in people] == [("IN", "Intermediate client", "Pymes")]


def test_answers_agree_set_or_differ_from_the_census(app, request_ctx):
    found = exit_interview([("A", "no_use", "no_use"), ("S", None, "competitor"), ("D", "personal_reasons",
                                                                                    "poor_service"), ("N", None, None)])
    states = {a.client.code: a.state for a in exits.exit_answers(wave_id=found["wave_id"])}
    assert states == {"A": exits.AGREES, "S": exits.SETS, "D": exits.DIFFERS}  # N did not answer


def test_answers_that_overwrite_nothing_are_recorded_at_once_and_a_differing_one_waits(app, request_ctx, make_user):
    coordinator = make_user("coordinator")
    found = exit_interview([("A", "no_use", "no_use"), ("S", None, "competitor"), ("D", "personal_reasons",
                                                                                    "poor_service")])
    wave = db.session.get(Wave, found["wave_id"])
    before = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.entity_type == "clients"))
    assert exits.review_agreed(wave, actor=coordinator) == 2
    assert _reasons(["A", "S", "D"]) == {"A": "no_use", "S": "competitor", "D": "personal_reasons"}
    outcomes = dict(db.session.execute(select(ExitReview.client_id, ExitReview.outcome)).all())
    assert outcomes == {found["clients"]["A"]: ReviewOutcome.CONFIRMED, found["clients"]["S"]: ReviewOutcome.SET}
    # Only the client whose reason was set changed; the trail keeps who reviewed it.
    changed = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "clients")
                                 .order_by(AuditEntry.id)).all()[before:]
    assert [entry.entity_id for entry in changed] == [str(found["clients"]["S"])]
    assert db.session.scalar(select(ExitReview.reviewed_by_id).where(
        ExitReview.client_id == found["clients"]["S"])) == coordinator.id
    assert exits.review_agreed(wave, actor=coordinator) == 0  # reviewed once
    assert [a.state for a in exits.exit_answers(wave_id=wave.id) if a.client.code == "D"] == [exits.DIFFERS]


def test_a_differing_answer_replaces_or_keeps_the_census_reason_only_saying_why(app, request_ctx, make_user):
    coordinator = make_user("coordinator")
    found = exit_interview([("D", "personal_reasons", "poor_service"), ("K", "non_payment", "dissatisfaction")])
    wave = db.session.get(Wave, found["wave_id"])
    with pytest.raises(SurveyRuleError, match="Say why the census's reason “Personal reasons” is replaced"):
        exits.review_answer(wave, found["responses"]["D"], apply=True, note=" ", actor=coordinator)
    assert exits.review_answer(wave, found["responses"]["D"], apply=True, note="She told us at the desk too.",
                               actor=coordinator) == ReviewOutcome.REPLACED
    assert exits.review_answer(wave, found["responses"]["K"], apply=False, note="The unpaid fees are on record.",
                               actor=coordinator) == ReviewOutcome.KEPT
    assert _reasons(["D", "K"]) == {"D": "poor_service", "K": "non_payment"}
    review = db.session.scalar(select(ExitReview).where(ExitReview.client_id == found["clients"]["D"]))
    assert (review.census_reason.key, review.given_reason.key, review.note) == (
        "personal_reasons", "poor_service", "She told us at the desk too.")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "clients",
                                                        AuditEntry.entity_id == str(found["clients"]["D"]))).all()[-1]
    assert "exit_reason_id" in str(entry.changes)
    with pytest.raises(SurveyRuleError, match="reviewed already"):
        exits.review_answer(wave, found["responses"]["D"], apply=False, note="Again", actor=coordinator)


def test_a_client_back_in_the_census_gets_no_exit_reason(app, request_ctx, make_user):
    coordinator = make_user("coordinator")
    found = exit_interview([("B", None, "competitor")])
    db.session.get(Client, found["clients"]["B"]).left_on = None
    wave = db.session.get(Wave, found["wave_id"])
    with pytest.raises(SurveyRuleError, match="current client again"):
        exits.review_answer(wave, found["responses"]["B"], apply=True, note=None, actor=coordinator)


def test_the_review_page_and_its_decisions(app, client_as):
    with app.app_context():
        found = exit_interview([("A", "no_use", "no_use"), ("D", "personal_reasons", "poor_service")])
        db.session.commit()
    coordinator = client_as("coordinator")
    wave_page = coordinator.get(f"/surveys/waves/{found['wave_id']}").get_data(as_text=True)
    assert "Exit reasons to review" in wave_page and "Invite the clients who left in a period" in wave_page
    assert "Invite clients of the census" not in wave_page  # current clients are not an exit interview's audience
    page = coordinator.get(f"/surveys/waves/{found['wave_id']}/exit-reasons").get_data(as_text=True)
    assert 'data-state="agrees"' in page and 'data-state="differs"' in page
    assert "Record 1 answer that overwrites nothing" in page
    response_id = found["responses"]["D"]
    url = f"/surveys/waves/{found['wave_id']}/exit-reasons/{response_id}"
    refused = coordinator.post(url, data={f"r{response_id}-decision": "apply", f"r{response_id}-note": ""},
                               follow_redirects=True).get_data(as_text=True)
    assert "Say why the census" in refused
    coordinator.post(url, data={f"r{response_id}-decision": "apply", f"r{response_id}-note": "Confirmed by phone"})
    with app.app_context():
        assert _reasons(["D"]) == {"D": "poor_service"}
    assert client_as("reviewer").post(url, data={}).status_code == 403
    assert coordinator.get(f"/surveys/waves/{found['wave_id']}/exit-reasons").status_code == 200


def test_inviting_the_clients_who_left_from_the_wave_page(app, client_as):
    with app.app_context():
        found = exit_interview([])
        today = date.today()
        db.session.add(Client(code="GONE", name="Gone", typology=Typology.END_USER, joined_on=date(2019, 1, 1),
                              left_on=today - timedelta(days=20)))
        db.session.commit()
    coordinator = client_as("coordinator")
    coordinator.post(f"/surveys/waves/{found['wave_id']}/invitations/lost",
                     data={"left_from": (date.today() - timedelta(days=60)).isoformat(),
                           "left_to": date.today().isoformat()})
    with app.app_context():
        assert db.session.scalars(select(Invitation.name).where(Invitation.wave_id == found["wave_id"])).all() == [
            "Gone"]


def test_a_satisfaction_wave_has_no_exit_review_page(app, client_as, make_survey, make_wave):
    wave = make_wave(make_survey(anonymous=False))
    assert client_as("coordinator").get(f"/surveys/waves/{wave}/exit-reasons").status_code == 404


def test_b2_shows_the_exit_interviews_of_the_clients_lost_in_the_last_12_months(app, request_ctx, make_user):
    coordinator = make_user("coordinator")
    found = exit_interview([("A", "no_use", "no_use"), ("S", None, "competitor"), ("D", "personal_reasons",
                                                                                    "poor_service"), ("N", None, None)])
    exits.review_agreed(db.session.get(Wave, found["wave_id"]), actor=coordinator)
    finding = loyalty_evidence.census_evidence(detail=True)
    texts = [line.text for line in finding.reasons]
    assert ("Exit interviews: 3 of the 4 clients lost in the last 12 months who were invited answered (most given "
            "reasons: Moved to a competitor 1; No use 1; Poor service 1)") in texts
    assert ("The interviews confirmed 1 exit reasons of the census, set 1 that were missing and replaced 0 after "
            "review (0 kept)") in texts
    assert "1 interview answer waits for review against the census (1 differs from its reason)" in texts
    pending = next(line for line in finding.reasons if line.text.startswith("1 interview answer waits"))
    assert pending.url == f"/surveys/waves/{found['wave_id']}/exit-reasons"
    table = next(block for block in finding.blocks if "exit interviews" in getattr(block, "title", ""))
    assert table.rows == [["Moved to a competitor", "1", "33.3 %"], ["No use", "1", "33.3 %"],
                          ["Poor service", "1", "33.3 %"]]
    assert finding.status == Status.PARTLY  # N left without a reason


def test_b2_says_nothing_of_interviews_when_nobody_was_invited(app, request_ctx):
    db.session.add(Client(code="X", name="X", typology=Typology.END_USER, joined_on=date(2019, 1, 1)))
    db.session.flush()
    assert loyalty_evidence.b2_facts().interviews is None


def test_b2_counts_only_the_clients_lost_in_its_window(app, request_ctx):
    exit_interview([("OLD", None, "competitor")], left_on=date.today() - timedelta(days=500))
    assert loyalty_evidence.b2_facts().interviews is None


def test_the_satisfaction_of_current_clients_never_reads_an_exit_interview(app, request_ctx, make_survey, make_wave):
    from surveys.evidence import satisfaction_facts

    found = exit_interview([("A", "no_use", "no_use")], left_on=date.today() - timedelta(days=5))
    wave = db.session.get(Wave, found["wave_id"])
    wave.opens_on = date.today()
    db.session.flush()
    assert satisfaction_facts() is None  # the only client wave with answers is the exit interview


def test_removing_census_clients_takes_their_exit_reviews(app, request_ctx, make_user):
    from surveys.invitations import client_dependants

    coordinator = make_user("coordinator")
    found = exit_interview([("A", "no_use", "no_use")])
    exits.review_agreed(db.session.get(Wave, found["wave_id"]), actor=coordinator)
    gone = select(Client.id).where(Client.code == "A")
    dependants = client_dependants(gone)
    assert [(d.key, d.count) for d in dependants] == [("exit_reviews", 1), ("survey_responses", 1),
                                                      ("survey_invitations", 1)]
    for dependant in dependants:
        dependant.remove()
    assert db.session.scalar(select(func.count(ExitReview.id))) == 0
    assert db.session.scalar(select(func.count(Survey.id))) == 1
    assert reason("no_use") is not None


def test_a_missing_reason_may_be_left_unrecorded_saying_why(app, request_ctx, make_user):
    coordinator = make_user("coordinator")
    found = exit_interview([("S", None, "competitor")])
    wave = db.session.get(Wave, found["wave_id"])
    with pytest.raises(SurveyRuleError, match="“none” is replaced or kept"):
        exits.review_answer(wave, found["responses"]["S"], apply=False, note="", actor=coordinator)
    assert exits.review_answer(wave, found["responses"]["S"], apply=False, note="He was not sure.",
                               actor=coordinator) == ReviewOutcome.KEPT
    assert _reasons(["S"]) == {"S": None}


def test_reviewing_many_answers_at_once_reads_them_once(app, request_ctx, make_user):
    from sqlalchemy import event

    coordinator = make_user("coordinator")
    found = exit_interview([(f"C{n}", None, "competitor") for n in range(6)])
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert exits.review_agreed(db.session.get(Wave, found["wave_id"]), actor=coordinator) == 6
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert sum("FROM survey_responses" in s for s in statements) == 1


def test_a_client_answers_through_their_link_and_the_answer_waits_for_review(app, client):
    from tests.surveys_fixtures import form_for

    with app.app_context():
        found = exit_interview([("L", "personal_reasons", None)])
        token = db.session.scalar(select(Invitation.token).where(Invitation.wave_id == found["wave_id"]))
        item = db.session.get(Wave, found["wave_id"]).survey.items[0]
        option = item.choices.index(reason("lack_of_contact").label)
        db.session.commit()
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "What was the main reason you stopped being a client?" in page and "Lack of contact" in page
    sent = client.post(f"/s/{token}", data=form_for(app, found["wave_id"], {
        "exit-reason": option, "overall": 2, "come-back": 4, "recommend": 3, "comment": "Call me sometimes"}))
    assert sent.status_code == 302
    with app.app_context(), app.test_request_context("/"):
        [answer] = exits.exit_answers(wave_id=found["wave_id"])
        assert (answer.client.code, answer.given.key, answer.census.key, answer.state) == (
            "L", "lack_of_contact", "personal_reasons", exits.DIFFERS)
        assert answer.submitted_on == date.today()
