"""The demo's voice of the client: ~300 complaints over three years with response times, requirements from
every source, two focus groups, listening costs, and pages that show them."""

from sqlalchemy import func, select

from core.extensions import db
from core.models import User
from tests.conftest import sign_in
from voice.models import ActivityKind, Complaint, ListeningActivity, Requirement, RequirementSource, WaveCost


def test_the_demo_fills_the_voice_of_the_client(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Complaint.id))) == 300
        first, last = db.session.execute(select(func.min(Complaint.received_on), func.max(Complaint.received_on))).one()
        assert (last - first).days > 2 * 365
        assert db.session.scalar(select(func.count(Complaint.id)).where(Complaint.responded_on.is_not(None))) > 250
        sources = set(db.session.scalars(select(Requirement.source).distinct()))
        assert sources == set(RequirementSource)
        focus_groups = db.session.scalar(select(func.count()).where(ListeningActivity.kind == ActivityKind.FOCUS_GROUP))
        assert focus_groups == 2
        assert db.session.scalar(select(func.count(WaveCost.id))) >= 1
        member = db.session.scalar(select(User).where(User.email == "member@demo.test"))
    browser = sign_in(app.test_client(), member)
    for url in ("/clients/complaints", "/clients/requirements", "/clients/listening", "/clients/listening/worth-it"):
        response = browser.get(url)
        assert response.status_code == 200, url
    worth_it = browser.get("/clients/listening/worth-it").get_data(as_text=True)
    assert "listening-cost-benefit" in worth_it and "Grupo focal" not in worth_it
