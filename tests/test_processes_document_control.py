"""Document control of process sheets: a draft is submitted, approved by the owner or a coordinator and published
from its effective date; the published version stays readable while the next draft is edited; A1 counts approved,
current sheets; a sheet's periodic review flags it once past its date."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from core import reviews, schedule
from core.extensions import db
from core.findings import Status
from core.models import Organisation
from core.rules import TransitionRefused
from processes import document_control as dc
from processes.evidence import a1_facts, process_map_evidence
from processes.models import Participant, Process, Revision
from processes.revisions import record_revision
from processes.services import save_process


def _sheet(app, make_process, make_user, **fields) -> tuple[int, object]:
    """A process of the certified programme with an owner and a first revision (a draft)."""
    owner = make_user("member", name="Olga Owner")
    process_id = make_process(owner_id=owner.id, purpose="Welcome clients", **fields)
    with app.app_context():
        record_revision(db.session.get(Process, process_id), "Sheet created", author=None)
        db.session.commit()
    return process_id, owner


def test_a_draft_is_submitted_approved_and_published_from_its_effective_date(app, make_process, make_user):
    process_id, owner = _sheet(app, make_process, make_user)
    with app.app_context():
        today = schedule.today()
        process = db.session.get(Process, process_id)
        assert dc.control(process, today).draft.number == 1 and not dc.control(process, today).is_published
        with pytest.raises(TransitionRefused, match="no draft awaiting approval"):
            dc.approve(process, actor=owner, effective_on=today)
        dc.submit(process, actor=owner)
        with pytest.raises(TransitionRefused, match="no draft to submit"):
            dc.submit(process, actor=owner)
        dc.approve(process, actor=owner, effective_on=today + timedelta(days=10), number=1)
        # Approved for later: not yet published, scheduled instead.
        assert dc.control(process, today).scheduled.number == 1 and dc.control(process, today).published is None
        assert dc.control(process, today + timedelta(days=10)).published.number == 1
        states = [(m.from_value, m.to_value) for m in dc.revision_histories([dc.control(process, today).scheduled])[
            dc.control(process, today).scheduled.id]]
        assert states == [("draft", "submitted"), ("submitted", "approved")]


def test_the_published_version_survives_an_edited_draft_and_a_stale_approval_is_refused(app, make_process, make_user):
    process_id, owner = _sheet(app, make_process, make_user)
    with app.app_context():
        today = schedule.today()
        process = db.session.get(Process, process_id)
        dc.submit(process, actor=owner)
        dc.approve(process, actor=owner, effective_on=today)
        save_process(process, {"purpose": "Welcome and enrol clients"}, reason="Wider", actor=owner,
                     version=process.version)
        control = dc.control(process, today)
        assert control.published.snapshot["purpose"] == "Welcome clients"
        assert control.draft.number == 2 and control.draft.snapshot["purpose"] == "Welcome and enrol clients"
        dc.submit(process, actor=owner)
        save_process(process, {"purpose": "Welcome, enrol and call clients"}, reason="More", actor=owner,
                     version=process.version)
        # Edited after submitting: the newer draft must be submitted again before anyone approves it.
        with pytest.raises(TransitionRefused, match="no draft awaiting approval"):
            dc.approve(process, actor=owner, effective_on=today)
        dc.submit(process, actor=owner)
        with pytest.raises(TransitionRefused, match="changed while you were reading"):
            dc.approve(process, actor=owner, effective_on=today, number=2)
        with pytest.raises(TransitionRefused, match="Say what the draft"):
            dc.send_back(process, actor=owner, reason=" ")
        dc.send_back(process, actor=owner, reason="Say who calls")
        assert dc.state_of(dc.control(process, today).draft) == dc.SheetState.DRAFT


@pytest.mark.parametrize(("zone", "effective_on", "refused"), [
    ("Europe/Madrid", date(2026, 12, 3), True),      # 23:30 UTC on the 3rd is already the 4th in Madrid
    ("America/Los_Angeles", date(2026, 12, 3), False),  # and still the 3rd in Los Angeles
])
def test_a_revision_is_written_on_the_organisations_day(app, make_process, make_user, zone, effective_on, refused):
    process_id, owner = _sheet(app, make_process, make_user)
    with app.app_context():
        db.session.add(Organisation(name="Mutua", time_zone=zone))
        process = db.session.get(Process, process_id)
        dc.submit(process, actor=owner)
        revision = db.session.scalars(select(Revision).where(Revision.process_id == process_id)).one()
        revision.created_at = datetime(2026, 12, 3, 23, 30)
        if refused:
            with pytest.raises(TransitionRefused, match="was written on"):
                dc.approve(process, actor=owner, effective_on=effective_on)
        else:
            assert dc.approve(process, actor=owner, effective_on=effective_on).effective_on == effective_on


def test_a1_counts_approved_current_sheets(app, make_process, make_user, make_indicator, monkeypatch):
    process_id, owner = _sheet(app, make_process, make_user)
    make_indicator(process_id)
    with app.app_context():
        process = db.session.get(Process, process_id)
        process.participants.append(Participant(user_id=owner.id, role="Does"))
        db.session.commit()
        facts = a1_facts()
        assert facts.lacks(process) == ("approved",)
        with app.test_request_context():
            finding = process_map_evidence()
        assert any("no approved sheet in effect" in gap.text for gap in finding.gaps)
        assert any("approved sheet in effect and not past its review date" in line.text for line in finding.reasons)
        dc.submit(process, actor=owner)
        with pytest.raises(TransitionRefused, match="cannot come into effect before"):
            dc.approve(process, actor=owner, effective_on=reviews.today() - timedelta(days=400))
        revision = dc.approve(process, actor=owner, effective_on=reviews.today())
        revision.effective_on = reviews.today() - timedelta(days=400)  # as if approved over a year ago
        process.review_interval_months = 12
        db.session.commit()
        assert a1_facts().lacks(process) == ("review",)
        with app.test_request_context():
            finding = process_map_evidence()
        assert finding.status == Status.PARTLY
        assert any("past its review date" in gap.text for gap in finding.gaps)
        dc.record_review(process, interval_months=12, reviewed_on=reviews.today(), actor=owner)
        db.session.commit()
        assert a1_facts().lacks(process) == ()


def test_a_sheet_without_revisions_counts_as_published(app, make_process):
    process_id = make_process()
    with app.app_context():
        control = dc.control(db.session.get(Process, process_id), date(2026, 12, 3))
        assert control.uncontrolled and control.is_published and control.draft is None


def test_the_owner_submits_and_approves_from_the_sheet_and_reviewers_only_read(app, make_process, make_user,
                                                                               client_as, login, client):
    process_id, owner = _sheet(app, make_process, make_user)
    login(owner)
    page = client.get(f"/processes/{process_id}").get_data(as_text=True)
    assert "No version of this sheet has been approved yet." in page and 'data-testid="submit-sheet"' in page
    client.post(f"/processes/{process_id}/sheet/submit")
    page = client.get(f"/processes/{process_id}").get_data(as_text=True)
    assert "a draft awaiting approval (submitted by Olga Owner" in page
    assert 'data-testid="awaiting-approval"' in client.get("/processes/list").get_data(as_text=True)
    assert 'data-testid="draft-note"' in client.get(f"/processes/{process_id}/edit").get_data(as_text=True)
    refused = client.post(f"/processes/{process_id}/sheet/approve", data={"number": "1", "effective_on": ""},
                          follow_redirects=True).get_data(as_text=True)
    assert "Give the date the approved sheet comes into effect." in refused
    with app.app_context():
        effective = reviews.today() + timedelta(days=1)  # the organisation's day, not the machine's
    refused = client.post(f"/processes/{process_id}/sheet/approve", follow_redirects=True,
                          data={"number": "1", "effective_on": "2020-01-05"}).get_data(as_text=True)
    assert "it cannot come into effect before" in refused
    client.post(f"/processes/{process_id}/sheet/approve", data={"number": "1", "effective_on": effective.isoformat()})
    with app.app_context():
        revision = db.session.scalar(select(Revision).where(Revision.process_id == process_id))
        assert revision.approved_by_id == owner.id and revision.effective_on == effective
    history = client.get(f"/processes/{process_id}/revisions").get_data(as_text=True)
    assert "Approved by Olga Owner on" in history and "Awaiting approval" in history
    # Approved from tomorrow: scheduled, the page says so; the published page has nothing in effect yet.
    page = client.get(f"/processes/{process_id}").get_data(as_text=True)
    assert "Revision 1 is approved and comes into effect on" in page
    with app.app_context():
        db.session.get(Revision, revision.id).effective_on = reviews.today()
        db.session.commit()
    published = client.get(f"/processes/{process_id}/published").get_data(as_text=True)
    assert "Welcome clients" in published and "Revision 1, approved by Olga Owner" in published

    reviewer = client_as("reviewer")
    assert reviewer.get(f"/processes/{process_id}/published").status_code == 200
    assert reviewer.post(f"/processes/{process_id}/sheet/submit").status_code == 403
    other = client_as("member")
    assert other.post(f"/processes/{process_id}/sheet/review", data={"reviewed": "y"}).status_code == 403


def test_a_review_of_the_sheet_is_saved_and_an_invalid_interval_refused(app, make_process, client_as):
    process_id = make_process()
    coordinator = client_as("coordinator")
    bad = coordinator.post(f"/processes/{process_id}/sheet/review", data={"review_interval_months": "0"},
                           follow_redirects=True).get_data(as_text=True)
    assert "Review every (months)" in bad
    coordinator.post(f"/processes/{process_id}/sheet/review", data={"review_interval_months": "12", "reviewed": "y"})
    with app.app_context():
        process = db.session.get(Process, process_id)
        assert (process.review_interval_months, process.reviewed_on) == (12, reviews.today())
    page = coordinator.get(f"/processes/{process_id}").get_data(as_text=True)
    assert "Next review due on" in page


def test_the_demo_has_one_draft_pending_one_sheet_past_review_and_one_expired_item(app, runner):
    from core.reviews import overdue
    from evidence.models import EvidenceItem

    assert runner.invoke(args=["demo"]).exit_code == 0
    today = reviews.today()
    with app.test_request_context():
        processes = list(db.session.scalars(select(Process)))
        controls = dc.controls(processes, today)
        pending = [p for p in processes if controls[p.id].draft is not None]
        assert [p.code for p in pending] == ["FID-C06"]
        assert controls[pending[0].id].draft.submitted_at is not None  # awaiting approval, not just edited
        assert all(c.is_published for c in controls.values())
        late = overdue(today)
        assert [(d.kind, d.label.split(" ")[0]) for d in late if d.kind == "sheet"] == [("sheet", "FID-S01")]
        assert not [d for d in late if d.kind in ("agreement", "self_assessment")]
        expired = [i.title for i in db.session.scalars(select(EvidenceItem)) if i.valid_until and i.valid_until < today]
        assert expired == ["Certificado de formación en atención al socio"]
        # Every approval is dated after its revision was written and no later than today.
        revisions = db.session.scalars(select(Revision).where(Revision.approved_at.is_not(None)))
        assert all(r.created_at <= r.approved_at and r.effective_on <= today for r in revisions)


def test_an_agreement_review_moves_its_date_on_and_needs_an_interval(app, make_process, client_as):
    from core.reviews import add_months
    from processes.models import Interface

    first, second = make_process(), make_process()
    with app.app_context():
        interface = Interface(from_process_id=first, to_process_id=second, flow="Refunds", agreement="5 days",
                              review_date=date(2026, 1, 31))
        db.session.add(interface)
        db.session.commit()
        interface_id = interface.id
    coordinator = client_as("coordinator")
    page = coordinator.get(f"/processes/interfaces/{interface_id}").get_data(as_text=True)
    assert 'data-testid="review-overdue"' in page
    refused = coordinator.post(f"/processes/interfaces/{interface_id}/review", data={"reviewed": "y"},
                               follow_redirects=True).get_data(as_text=True)
    assert "Give the review interval: the next review date is counted from it." in refused
    coordinator.post(f"/processes/interfaces/{interface_id}/review", data={"reviewed": "y",
                                                                           "review_interval_months": "12"})
    with app.app_context():
        interface = db.session.get(Interface, interface_id)
        assert interface.review_date == add_months(reviews.today(), 12) and interface.review_interval_months == 12
    assert client_as("member").post(f"/processes/interfaces/{interface_id}/review", data={}).status_code == 403
