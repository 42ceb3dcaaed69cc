"""The pack of a certification cycle (its scope and period on the cover, the evidence judged on the period's end,
its findings listed with their state) and the comparison of two cycles."""

import hashlib
from datetime import date, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certification import comparison, cycles
from certification.models import Cycle, CycleState, Finding, FindingKind, FindingState
from core.extensions import db
from core.files import Owner, StoredFile
from core.findings import Status, judged_on
from core.pack_cycle import for_pack
from evidence import automatic
from evidence.models import Criterion, PackJob, PackSnapshot
from tests.evidence_fixtures import checklist_ids
from voice.models import ActivityKind, ListeningActivity

TODAY = date.today()
#: A period that ended three years ago: a staff focus group held then is in its window, not in today's.
PERIOD_START, PERIOD_END = date(TODAY.year - 4, 1, 1), date(TODAY.year - 3, 12, 31)


@pytest.fixture
def ids(app):
    return checklist_ids(app)


def make_cycle(ids, **changes) -> Cycle:
    set_id = db.session.get(Criterion, ids["A1"]).set_id
    values = dict(name="Certification 2023", set_id=set_id, period_start=PERIOD_START, period_end=PERIOD_END,
                  scope_programmes="Member loyalty programme", scope_sites="Bilbao and Donostia offices",
                  scope_exclusions="Collective employment plans", visit_held_on=PERIOD_END + timedelta(days=20))
    cycle = cycles.save_cycle(None, cycles.CycleData(**(values | changes)), actor=None, today=TODAY)
    db.session.commit()
    return cycle


def old_focus_group() -> None:
    db.session.add(ListeningActivity(kind=ActivityKind.STAFF_FOCUS_GROUP, title="Front-office focus group",
                                     held_on=PERIOD_END - timedelta(days=60), participants=8))
    db.session.commit()


def test_a_criterion_reading_a_window_is_judged_on_the_cycles_period_end(app, ids):
    with app.test_request_context("/"):
        old_focus_group()
        d1 = db.session.get(Criterion, ids["D1"])
        assert automatic.finding_for(d1).status is Status.MISSING  # today: nothing in the last months
        with judged_on(PERIOD_END):
            assert automatic.finding_for(d1).status is Status.PARTLY  # the focus group was in that window
        assert automatic.finding_for(d1).status is Status.MISSING  # and the day judged is today again


def test_the_register_and_the_latest_survey_are_read_as_they_stood_at_the_periods_end(app, make_survey, make_wave,
                                                                                      add_answers):
    """B1 judged on a cycle's period end counts the requirements identified by then (one heard later is not in its
    register nor in its window) and reads the latest client wave opened by then, not a later one."""
    from surveys.evidence import satisfaction_facts
    from voice.evidence import b1_facts
    from voice.models import Requirement, RequirementSource

    with app.app_context():
        db.session.add_all([
            Requirement(statement="Answers in writing", source=RequirementSource.FOCUS_GROUP,
                        identified_on=PERIOD_END - timedelta(days=30)),
            Requirement(statement="An app for the statements", source=RequirementSource.COMPLAINT,
                        identified_on=TODAY - timedelta(days=10))])
        db.session.commit()
    survey = make_survey(title="Satisfaction")
    first = make_wave(survey, name="Then", opens_on=PERIOD_END - timedelta(days=90))
    second = make_wave(survey, name="Later", opens_on=TODAY - timedelta(days=30))
    add_answers(first, [{"overall": 4, "recommend": 9}] * 6)
    add_answers(second, [{"overall": 2, "recommend": 3}] * 6)
    with app.test_request_context("/"):
        with judged_on(PERIOD_END):
            at_the_end = b1_facts()
            wave_then = satisfaction_facts().wave
        now = b1_facts()
        wave_now = satisfaction_facts().wave
    assert at_the_end.requirements.total == 1 and sum(at_the_end.requirements.in_window.values()) == 1
    assert now.requirements.total == 2 and sum(now.requirements.in_window.values()) == 1  # the old one is out
    assert (wave_then, wave_now) == ("Then", "Later")


def text_of(data: bytes) -> str:
    """The PDF's text with its lines joined (a table's cells wrap)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).split())


def test_the_cycles_pack_states_its_scope_period_findings_and_belongs_to_the_cycle(app, ids, client_as):
    with app.app_context():
        old_focus_group()
        cycle = make_cycle(ids)
        db.session.add(Finding(cycle_id=cycle.id, number=1, criterion_id=ids["B1"], kind=FindingKind.MINOR,
                               text="Complaints answered after the 15 days the charter promises",
                               raised_on=PERIOD_END + timedelta(days=20), state=FindingState.ANSWERED,
                               root_cause="No one covered the complaints desk in August",
                               response="A back-up person is named for every holiday"))
        db.session.commit()
        cycle_id = cycle.id
    coordinator = client_as("coordinator", language="en")
    response = coordinator.post(f"/certification/cycles/{cycle_id}/pack", data={"language": "en"})
    assert response.status_code == 302 and "/evidence/jobs/" in response.headers["Location"]
    state = coordinator.get(response.headers["Location"] + "/state").get_json()
    assert state["state"] == "done", state
    text = text_of(coordinator.get(state["download"]).data)
    assert "Certification 2023" in text
    assert "Member loyalty programme" in text and "Bilbao and Donostia offices" in text
    assert "Collective employment plans" in text
    assert f"from {PERIOD_START:%d/%m/%Y} to {PERIOD_END:%d/%m/%Y}" in text
    assert "Findings of the certification cycle" in text
    assert "NC-1" in text and "Minor nonconformity" in text and "Answered" in text
    assert "No one covered the complaints desk in August" in text
    with app.app_context():
        snapshot = db.session.scalar(select(PackSnapshot))
        assert snapshot.cycle_id == cycle_id and db.session.scalar(select(PackJob.cycle_id)) == cycle_id
        assert snapshot.statuses["D1"]["automatic"] == "partly"  # judged on the period's end, not today
        snapshot_id = snapshot.id
    page = coordinator.get(f"/certification/cycles/{cycle_id}").get_data(as_text=True)
    assert f"/evidence/packs/{snapshot_id}/download" in page
    # The same data asked again: the kept pack of this cycle, not the checklist's.
    again = coordinator.post(f"/certification/cycles/{cycle_id}/pack", data={"language": "en"})
    assert again.headers["Location"].endswith(f"/evidence/packs/{snapshot_id}/download")
    plain = coordinator.post("/evidence/packs", data={"scope": "all", "language": "en"})
    assert "/evidence/jobs/" in plain.headers["Location"]
    with app.app_context():
        today_pack = db.session.scalar(select(PackSnapshot).where(PackSnapshot.cycle_id.is_(None)))
        assert today_pack.statuses["D1"]["automatic"] == "missing"


def test_the_pack_hears_of_no_cycle_that_does_not_exist(app):
    with app.app_context():
        assert for_pack(987654) is None and for_pack(None) is None


# --- Comparing cycles ----------------------------------------------------------------------------------


def snapshot(cycle: Cycle, statuses: dict) -> PackSnapshot:
    data = b"%PDF-1.7 hand-made"
    pdf = StoredFile(filename="pack.pdf", kind="pdf", content_type="application/pdf", size=len(data),
                     sha256=hashlib.sha256(data).hexdigest(), owner=Owner.EVIDENCE_PACK, data=data)
    item = PackSnapshot(set_id=cycle.set_id, scope="all", language="en", fingerprint=1, file=pdf, page_count=1,
                        manifest=[], statuses=statuses, cycle_id=cycle.id)
    db.session.add(item)
    db.session.flush()
    return item


def status(automatic_, verdict=None):
    return {"automatic": automatic_, "self_assessment": None, "verdict": verdict}


def test_two_cycles_compare_their_criteria_and_the_earlier_findings(app, ids):
    with app.app_context():
        first = make_cycle(ids, name="Certification 2023")
        second = make_cycle(ids, name="Renewal 2026", period_start=date(TODAY.year - 1, 1, 1),
                            period_end=date(TODAY.year - 1, 12, 31), visit_held_on=None)
        first.state = CycleState.CLOSED
        for number, state in ((1, FindingState.CLOSED), (2, FindingState.ANSWERED)):
            db.session.add(Finding(cycle_id=first.id, number=number, criterion_id=ids["B1"], kind=FindingKind.MINOR,
                                   text="Late answers", raised_on=PERIOD_END, state=state,
                                   closed_on=PERIOD_END + timedelta(days=90) if state is FindingState.CLOSED
                                   else None))
        snapshot(first, {"B1": status("partly", "partly"), "D1": status("missing")})
        old = snapshot(first, {"B1": status("partly", "not_met"), "D1": status("missing")})
        snapshot(second, {"B1": status("met", "met"), "D1": status("missing")})
        db.session.commit()
        assert comparison.previous_cycle(second).id == first.id and comparison.previous_cycle(first) is None
        found = comparison.compare(second, first)  # whichever order: the earlier period first
        assert (found.earlier.id, found.later.id, found.earlier_pack.id) == (first.id, second.id, old.id)
        assert [(c.code, c.changed) for c in found.changes] == [("B1", True), ("D1", False)]
        assert [f.reference for f in found.closed] == ["NC-1"] and [f.reference for f in found.still_open] == ["NC-2"]


def test_the_comparison_page_shows_what_changed_and_which_findings_were_closed(app, ids, client_as):
    with app.app_context():
        first = make_cycle(ids, name="Certification 2023")
        second = make_cycle(ids, name="Renewal 2026", period_start=date(TODAY.year - 1, 1, 1),
                            period_end=date(TODAY.year - 1, 12, 31), visit_held_on=None)
        db.session.add(Finding(cycle_id=first.id, number=1, criterion_id=ids["B1"], kind=FindingKind.OBSERVATION,
                               text="Seen", raised_on=PERIOD_END, state=FindingState.CLOSED, closed_on=PERIOD_END))
        snapshot(first, {"B1": status("partly")})
        db.session.commit()
        second_id = second.id
    reviewer = client_as("reviewer", language="en")
    page = reviewer.get(f"/certification/cycles/{second_id}/compare").get_data(as_text=True)
    assert "“Renewal 2026” has no pack yet" in page
    assert 'data-finding="OBS-1" data-state="closed"' in page and "1 of 1 closed." in page
    with app.app_context():
        snapshot(db.session.get(Cycle, second_id), {"B1": status("met")})
        db.session.commit()
    page = reviewer.get(f"/certification/cycles/{second_id}/compare").get_data(as_text=True)
    assert 'data-criterion="B1" data-changed="yes"' in page and "Partly → Met" in page
    assert client_as("member").get(f"/certification/cycles/{second_id}/compare").status_code == 403
