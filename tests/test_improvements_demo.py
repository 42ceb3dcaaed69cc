"""The demo's improvements: two groups, eight opportunities, three qualifying for C1 and one failing SMART; the
opportunities heard in the voice of the client point at its demo records, so the welcome call's page shows the
complaints of its category before and after."""

from babel.numbers import format_decimal
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from core.models import User
from improvements import smart
from improvements.models import Group, Improvement
from improvements.queries import c1_overview
from improvements.results import computed_for
from improvements.sources import CLIENT_REQUIREMENT, COMPLAINT_CATEGORY
from processes.models import Indicator, Measurement, Revision
from tests.conftest import sign_in
from voice.models import ComplaintCategory, Requirement


def test_the_demo_holds_c1_with_three_improvements_and_explains_the_failing_one(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Group.id))) == 2
        # The groups' own improvements: not the corrective actions and the opportunity the reviewer's findings
        # gave (tests/test_certification_demo.py tells that story).
        improvements = list(db.session.scalars(
            select(Improvement).where(Improvement.source_kind != "certification_finding")))
        assert len(improvements) == 8
        assert len({i.source_kind for i in improvements}) >= 5
        status, assessments = c1_overview()
        assert status.holds and status.count == 3
        assert all(assessments[i.id].result.source == "indicator" for i in status.qualifying)
        assert all(i.trainings for i in status.qualifying)
        [(failing, reasons)] = status.others
        assert "It does not meet SMART." in reasons
        assert any(r.startswith("Achievable:") for r in smart.failures(failing))
        # The written answer changed FID-C03 and the welcome call FID-C01, each with its sheet revision (C3).
        assert db.session.scalar(select(func.count(Revision.id)).where(Revision.improvement_id.is_not(None))) == 2
        # The survey engine computes "contact"'s client evidence: personal attention, wave over wave.
        contact = next(i for i in improvements if i.source_kind == "survey_result")
        [survey] = computed_for([contact])[contact.id]
        assert "Atención personal" in survey.title and survey.favourable and survey.after_value > survey.before_value
        assert assessments[contact.id].qualifies
        ids = [i.id for i in improvements]
        [welcome] = [i for i in improvements if i.source_kind == COMPLAINT_CATEGORY]
        category = db.session.get(ComplaintCategory, welcome.source_id)
        assert category.name == "Falta de contacto con el gestor"
        [tax] = [i for i in improvements if i.source_kind == CLIENT_REQUIREMENT]
        assert db.session.get(Requirement, tax.source_id).statement.startswith("Saber cuánto tributará")
        with app.test_request_context():
            complaints, response = computed_for([welcome])[welcome.id]
        # fewer complaints a month, answered sooner, in the year since the welcome call than in the year before
        assert complaints.after_value < complaints.before_value and complaints.favourable
        assert response.after_value < response.before_value - 3 and response.favourable
        welcome_url = f"/improvements/{welcome.id}"
        group_ids = list(db.session.scalars(select(Group.id)))
        member = db.session.scalar(select(User).where(User.email == "member@demo.test"))
        db.session.expunge(member)
    client = sign_in(app.test_client(), member)
    for url in ["/improvements/", "/improvements/board", "/improvements/c1", "/",
                *[f"/improvements/{i}" for i in ids], *[f"/improvements/groups/{g}" for g in group_ids],
                *[f"/improvements/groups/{g}/priorities" for g in group_ids]]:
        assert client.get(url).status_code == 200, url
    assert "Acordar el aviso de traspasos" in client.get("/").get_data(as_text=True)
    page = client.get(welcome_url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    computed = page[page.index('data-testid="computed-evidence"'):]
    assert "Falta de contacto con el gestor" in computed and "mean response time (days)" in computed
    before, after = (format_decimal(value, locale="en") for value in (response.before_value, response.after_value))
    assert f"{before} → {after}" in computed


def test_the_demos_changes_are_credited_to_the_people_who_would_have_made_them(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        def actors(entity_type):
            return set(db.session.scalars(select(User.email).join(AuditEntry, AuditEntry.actor_id == User.id)
                                          .where(AuditEntry.entity_type == entity_type)))

        assert actors("verdicts") == {"reviewer@demo.test"}  # the reviewer's, not the administrator's
        assert actors("self_assessments") == {"coordinator@demo.test"}
        assert len(actors("improvements")) >= 4  # the group members who raised, planned and ran them
        assert "admin@demo.test" not in actors("improvements") | actors("processes") | actors("measurements")
        # Typed measurements are their indicator's responsible's; the computed ones the system's (no one typed them).
        rows = db.session.execute(select(Measurement, Indicator).join(Indicator, Measurement.indicator_id
                                                                      == Indicator.id))
        responsible = {(str(m.id), None if m.computed else i.responsible.email) for m, i in rows}
        credited = set(db.session.execute(
            select(AuditEntry.entity_id, User.email).outerjoin(User, AuditEntry.actor_id == User.id)
            .where(AuditEntry.entity_type == "measurements")))
        assert {email for _id, email in responsible} > {None} and responsible == credited
