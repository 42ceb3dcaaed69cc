"""A clean census: the demo organisation's clients are marked as the demo's, are removed (with what exists only
because of them) in one audited step before a real census is imported, and a real census imports into the demo
database, warned of what it would mix."""

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from core import transitions
from core.audit import AuditEntry
from core.extensions import db
from core.models import User
from core.timeutil import utcnow
from loyalty import demo_census
from loyalty.evidence import b2_facts
from loyalty.models import CensusImport, Client, ClientYear, Typology
from loyalty.services import CensusRuleError
from surveys import engine, invitations
from surveys.models import Answer, Audience, Invitation, Response, ResponseSource
from tests.conftest import sign_in
from tests.test_loyalty_import import confirm
from voice.models import Channel, Complaint, ComplaintCategory, ContactKind, Requirement, RequirementSource

TODAY = date.today()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _client(code: str, record: CensusImport | None) -> Client:
    client = Client(code=code, name=f"Client {code}", typology=Typology.END_USER, joined_on=date(2020, 1, 1),
                    last_import_id=record.id if record else None)
    client.years.append(ClientYear(year=2023, purchases=100))
    client.years.append(ClientYear(year=2024, purchases=120))
    db.session.add(client)
    return client


def _named_response(wave, client: Client) -> Response:
    """A named survey's invitation of ``client``, answered through its link."""
    invitations.invite(wave, [{"name": client.name, "client_id": client.id}])
    db.session.flush()
    invitation = db.session.scalar(select(Invitation).where(Invitation.client_id == client.id))
    response = Response(wave_id=wave.id, source=ResponseSource.LINK, invitation_id=invitation.id,
                        submitted_on=TODAY)
    db.session.add(response)
    db.session.flush()
    item = wave.survey.items[0]
    db.session.add(Answer(response_id=response.id, item_id=item.id, wave_id=wave.id, number=4))
    return response


@pytest.fixture
def mixed_census(app, exit_reasons):
    """Three demo clients and two of the organisation's own, each with figures, a complaint, and a named
    survey's invitation answered; a requirement first heard in a demo client's complaint. Returns their ids."""
    with app.app_context():
        record = CensusImport(filename="censo-socios.csv", year=2024, full_census=True, imported_at=utcnow(),
                              mapping={}, demo=True, rows=3, added=3)
        real_import = CensusImport(filename="ours.csv", year=2024, imported_at=utcnow(), mapping={})
        db.session.add_all([record, real_import])
        db.session.flush()
        demo = [_client(f"S-{n:05d}", record) for n in (1, 2, 3)]
        real = [_client("OURS-1", real_import), _client("OURS-2", None)]
        category = ComplaintCategory(name="Delays")
        db.session.add(category)
        db.session.flush()
        complaints = {c.code: Complaint(kind=ContactKind.COMPLAINT, received_on=TODAY, channel=Channel.PHONE,
                                        category=category, description="Late", client_id=c.id)
                      for c in demo + real}
        anonymous = Complaint(kind=ContactKind.ENQUIRY, received_on=TODAY, channel=Channel.WEB, category=category,
                              description="No client")
        db.session.add_all([*complaints.values(), anonymous])
        db.session.flush()
        heard = Requirement(statement="Answer in writing", source=RequirementSource.COMPLAINT, identified_on=TODAY,
                            complaint_id=complaints["S-00001"].id)
        own = Requirement(statement="Call back", source=RequirementSource.COMPLAINT, identified_on=TODAY,
                          complaint_id=complaints["OURS-1"].id)
        db.session.add_all([heard, own])
        survey = engine.create_survey(title="Named", audience=Audience.CLIENTS, language="en",
                                      template="client_satisfaction", anonymous=False)
        wave = engine.create_wave(survey, name="2025", opens_on=TODAY, closes_on=None, public_link=False)
        for client in (demo[0], real[0]):
            _named_response(wave, client)
        # History of their exit and response dates (core.transitions): one client and one complaint of each side,
        # and a record of another kind whose id is a demo client's (it must stay).
        for client in (demo[0], real[0]):
            transitions.record_transition("client", client.id, field="exit_date", from_value=None,
                                          to_value=date(2024, 6, 30), actor=None)
            transitions.record_transition("complaint", complaints[client.code].id, field="responded_on",
                                          from_value=None, to_value=TODAY, actor=None)
        transitions.record_transition("improvement", demo[1].id, from_value="open", to_value="in_progress",
                                      actor=None)
        db.session.commit()
        return {"import": record.id, "demo": [c.id for c in demo], "real": [c.id for c in real],
                "heard": heard.id, "own": own.id, "real_complaints": [complaints[c.code].id for c in real],
                "anonymous": anonymous.id}


def test_the_demo_clients_and_only_what_exists_because_of_them_are_removed(app, mixed_census, make_user):
    ids = mixed_census
    coordinator = make_user("coordinator")
    with app.app_context():
        record = db.session.get(CensusImport, ids["import"])
        plan = {dependant.key: dependant.count for dependant in demo_census.removal_plan(record)}
        assert plan == {"requirements_detached": 1, "complaint_history": 1, "complaints": 3, "exit_reviews": 0,
                        "survey_responses": 1, "survey_invitations": 1, "client_years": 6, "client_history": 1,
                        "clients": 3}
        audit_before = _count(AuditEntry)
        removal = demo_census.remove_demo_census(record, actor=db.session.get(User, coordinator.id))
        db.session.commit()
        assert removal.counts == plan
        assert "Clients: 3" in removal.message and "Yearly figures: 6" in removal.message
        assert "Recorded changes of the removed clients' exit dates: 1" in removal.message

        # The history of the removed clients and complaints went with them; the rest stays.
        assert [(row.record_kind, row.record_id) for row in db.session.scalars(
            select(transitions.StateChange).order_by(transitions.StateChange.id))] == [
            ("client", ids["real"][0]), ("complaint", ids["real_complaints"][0]), ("improvement", ids["demo"][1])]

        assert _count(Client, Client.id.in_(ids["demo"])) == 0
        assert sorted(db.session.scalars(select(Client.id))) == sorted(ids["real"])
        assert _count(ClientYear) == 4  # the real clients' two years each
        assert sorted(db.session.scalars(select(Complaint.id))) == sorted([*ids["real_complaints"], ids["anonymous"]])
        assert db.session.get(Requirement, ids["heard"]).complaint_id is None  # kept, unlinked
        assert db.session.get(Requirement, ids["own"]).complaint_id == ids["real_complaints"][0]
        assert _count(Invitation) == 1 and db.session.scalar(select(Invitation.client_id)) == ids["real"][0]
        assert _count(Response) == 1 and _count(Answer) == 1

        # One audit row: the demo's import, updated with when and how many; none per client.
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.id > 0).order_by(AuditEntry.id)
                                          .offset(audit_before)))
        assert [(e.entity_type, e.action, e.actor_id) for e in entries] == [("census_imports", "update",
                                                                           coordinator.id)]
        assert entries[0].changes["removed"][1] == plan  # the counts, kept as the JSON value they are
        record = db.session.get(CensusImport, ids["import"])
        assert record.removed_at is not None and record.removed == plan
        assert demo_census.demo_census() is None

        with pytest.raises(CensusRuleError, match="removed already"):
            demo_census.remove_demo_census(record, actor=None)
        real_import = db.session.scalar(select(CensusImport).where(CensusImport.filename == "ours.csv"))
        with pytest.raises(CensusRuleError, match="Only the demo"):
            demo_census.remove_demo_census(real_import, actor=None)


def test_records_no_package_removes_keep_the_clients_and_the_removal_is_refused(app, mixed_census, monkeypatch):
    """A package whose hooks do not answer (here: none does) leaves records pointing at the clients: refused."""
    monkeypatch.setattr(demo_census.signals, "send", lambda signal, **kwargs: [])
    with app.app_context():
        record = db.session.get(CensusImport, mixed_census["import"])
        with pytest.raises(CensusRuleError, match=r"\(complaints, survey_invitations\)|\(survey_invitations, "
                                                  r"complaints\)"):
            demo_census.remove_demo_census(record, actor=None)
        db.session.rollback()
        assert _count(Client) == 5 and _count(ClientYear) == 10
        assert db.session.get(CensusImport, mixed_census["import"]).removed_at is None


def test_a_demo_client_a_real_file_listed_is_the_organisations_and_stays(app, mixed_census):
    """The marker is the last import that listed the client: a real file's listing claims it."""
    with app.app_context():
        real_import = db.session.scalar(select(CensusImport).where(CensusImport.filename == "ours.csv"))
        claimed = db.session.get(Client, mixed_census["demo"][2])
        claimed.last_import_id = real_import.id
        db.session.commit()
        record = db.session.get(CensusImport, mixed_census["import"])
        assert demo_census.demo_census().clients == 2
        removal = demo_census.remove_demo_census(record, actor=None)
        db.session.commit()
        assert removal.counts["clients"] == 2
        assert db.session.get(Client, claimed.id) is not None


def test_what_a_file_would_mix_with_the_demo_clients(app, mixed_census):
    with app.app_context():
        assert demo_census.demo_mix(["OURS-9"], full_census=False) == demo_census.DemoMix(
            demo_census.demo_census(), matched=0, proposed_lost=0)
        mix = demo_census.demo_mix(["S-00001", "OURS-9"], full_census=True)
        assert (mix.demo.clients, mix.matched, mix.proposed_lost) == (3, 1, 2)
        db.session.get(Client, mixed_census["demo"][1]).left_on = date(2024, 6, 30)  # a lost one is not proposed
        db.session.flush()
        assert demo_census.demo_mix(["S-00001"], full_census=True).proposed_lost == 1


def test_the_census_pages_tell_of_the_demo_clients_and_the_confirmation_lists_what_goes(app, mixed_census,
                                                                                       client_as):
    coordinator = client_as("coordinator")
    remove_url = f"/clients/imports/{mixed_census['import']}/remove-demo"
    for url in ("/clients/", "/clients/import"):
        page = coordinator.get(url).get_data(as_text=True)
        assert 'data-testid="demo-census"' in page and "demo organisation’s 3 clients" in page, url
        assert remove_url in page
    member_page = client_as("member").get("/clients/import").get_data(as_text=True)
    assert 'data-testid="demo-census"' in member_page and remove_url not in member_page
    assert "A coordinator or an administrator can remove them." in member_page

    page = coordinator.get(remove_url).get_data(as_text=True)
    counts = dict(re.findall(r'<tr data-kind="(\w+)">.*?<td class="text-end fw-semibold">([\d,.\s]+)</td>', page,
                             re.S))
    assert counts == {"requirements_detached": "1", "complaint_history": "1", "complaints": "3", "exit_reviews": "0",
                      "survey_responses": "1", "survey_invitations": "1", "client_years": "6", "client_history": "1",
                      "clients": "3"}

    refused = coordinator.post(remove_url, data={})
    assert refused.status_code == 200 and "Tick the box to confirm." in refused.get_data(as_text=True)
    with app.app_context():
        assert _count(Client) == 5

    done = coordinator.post(remove_url, data={"confirm": "y"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "The demo organisation’s clients were removed" in text and "Clients: 3" in text
    assert 'data-testid="demo-census"' not in text
    with app.app_context():
        assert _count(Client) == 2
    assert coordinator.get(remove_url).status_code == 404  # removed already
    history = coordinator.get("/clients/imports").get_data(as_text=True)
    assert 'data-testid="demo-removed"' in history


@pytest.mark.parametrize("role", ["member", "reviewer"])
def test_only_coordinators_and_administrators_reach_the_removal(app, mixed_census, client_as, role):
    url = f"/clients/imports/{mixed_census['import']}/remove-demo"
    browser = client_as(role)
    assert browser.get(url).status_code == 403
    assert browser.post(url, data={"confirm": "y"}).status_code == 403
    assert client_as("admin").get(url).status_code == 200
    with app.app_context():
        assert _count(Client) == 5


def test_a_real_import_is_not_offered_for_removal(app, mixed_census, client_as):
    with app.app_context():
        real = db.session.scalar(select(CensusImport.id).where(CensusImport.filename == "ours.csv"))
    assert client_as("admin").get(f"/clients/imports/{real}/remove-demo").status_code == 404


# --- with the whole demo -------------------------------------------------------------------------------------

def _real_file(codes: list[str]) -> bytes:
    lines = ["Código;Nombre;Tipología;Fecha alta;Compras"]
    lines += [f"{code};Cliente {code};Usuario final;01/01/2015;{1000 + n}" for n, code in enumerate(codes)]
    return ("\n".join(lines) + "\n").encode()


def _upload(browser, data: bytes, *, full: bool) -> str:
    form = {"file": (io.BytesIO(data), "censo-real.csv"), "year": str(TODAY.year - 1)}
    if full:
        form["full_census"] = "y"
    response = browser.post("/clients/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _coordinator(app):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))


def test_the_demo_census_is_removed_from_the_command_line_and_a_real_census_then_stands_alone(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        demo_clients = demo_census.demo_census().clients
        complaints_of_clients = _count(Complaint, Complaint.client_id.is_not(None))
        assert demo_clients == 2000 and complaints_of_clients > 0
    declined = runner.invoke(args=["demo", "remove-census"], input="n\n")
    assert declined.exit_code == 1 and "Clients: 2000" in declined.output
    with app.app_context():
        assert _count(Client) == 2000
    result = runner.invoke(args=["demo", "remove-census", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Demo clients removed" in result.output and "Clients: 2000" in result.output
    with app.app_context():
        assert _count(Client) == 0 and _count(ClientYear) == 0
        assert _count(Complaint, Complaint.client_id.is_not(None)) == 0
        assert _count(Complaint) > 0  # the demo's complaints from no census client stay
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "census_imports")
                                  .order_by(AuditEntry.id.desc()).limit(1))
        admin = User.by_email("admin@demo.test")
        assert entry.actor_id == admin.id and entry.changes["removed"][1]["clients"] == 2000
    again = runner.invoke(args=["demo", "remove-census", "--yes"])
    assert "nothing to remove" in again.output

    browser = sign_in(app.test_client(), _coordinator(app))
    url = _upload(browser, _real_file(["OURS-1", "OURS-2", "OURS-3"]), full=True)
    page = browser.get(url).get_data(as_text=True)
    assert 'data-testid="demo-mix"' not in page
    assert confirm(browser, url, page).status_code == 302
    with app.app_context():
        facts = b2_facts()
        assert (facts.clients, facts.current) == (3, 3)
        assert facts.last_import.filename == "censo-real.csv"


def test_a_real_census_imports_into_the_demo_database_with_a_warning_of_what_it_mixes(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        shared = db.session.scalar(select(Client.code).where(Client.left_on.is_(None)).order_by(Client.code)
                                   .limit(1))
        current_demo = _count(Client, Client.left_on.is_(None))
    browser = sign_in(app.test_client(), _coordinator(app))
    url = _upload(browser, _real_file([shared, "OURS-1", "OURS-2"]), full=True)
    page = browser.get(url).get_data(as_text=True)
    assert 'data-testid="demo-mix"' in page and "demo organisation’s 2,000 clients" in page
    assert re.search(r'data-testid="demo-matched">1 row of the file has the code of a demo client', page)
    lost = re.search(r'data-testid="demo-lost">([\d,]+) current clients that the file does not list are demo', page)
    assert lost and int(lost.group(1).replace(",", "")) == current_demo - 1
    assert "remove-demo" in page

    response = confirm(browser, url, page, existing="replace")
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert _count(Client) == 2002  # mixed, as the page said
        claimed = db.session.scalar(select(Client).where(Client.code == shared))
        assert claimed.name == f"Cliente {shared}"
        assert demo_census.demo_census().clients == 1999  # the claimed client is the organisation's now
    done = browser.get(response.headers["Location"]).get_data(as_text=True)
    absent = re.search(r'data-testid="absent-demo">\s*<p class="mb-0">([\d,]+) of them are clients of the demo', done)
    assert absent and int(absent.group(1).replace(",", "")) == current_demo - 1
    assert 'data-testid="demo-badge"' in done


def test_a_client_given_a_removed_demo_clients_id_does_not_inherit_its_exit_history(app, mixed_census):
    """SQLite gives the highest id again once its row is gone: the history must have gone with the row."""
    from loyalty import services

    with app.app_context():
        record = db.session.get(CensusImport, mixed_census["import"])
        last = _client("S-00009", record)  # the census's highest id, a demo client's
        db.session.flush()
        transitions.record_transition("client", last.id, field="exit_date", from_value=None,
                                      to_value=date(2023, 3, 31), actor=None)
        db.session.commit()
        removed_id = last.id
        demo_census.remove_demo_census(record, actor=None)
        db.session.commit()

        newcomer = _client("NEW-1", None)
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            assert newcomer.id == removed_id  # the case this guards against
        assert transitions.history("client", newcomer.id) == []
        assert services.kept_exit_date(newcomer) is None
