"""The demo tells one coherent story (issue 16, item 10): dates in sequence, no complaint from a client who had
not joined or had already left, no improvement approved after its deadline, sheet revisions spread over the
years they tell, verdicts by the reviewer, the staff survey sent to exactly the groups' members, listening that
pays for itself, and pages that say so."""

import re
from datetime import date, timedelta

from sqlalchemy import String, cast, func, select

import demo
from certification import cycles
from certification.models import Cycle, CycleState
from core.audit import INSERT, AuditEntry
from core.extensions import db
from core.models import Role, User
from evidence.models import Criterion, PackSnapshot
from improvements.models import Group, Improvement, Task
from loyalty.models import Client
from processes.models import Revision
from surveys import releases, totals
from surveys.invitations import group_invitees
from surveys.models import Audience, Invitation, Survey, Wave
from tests.conftest import sign_in
from voice import costs
from voice.models import Complaint


def _complaints_outside_the_clients_time():
    return db.session.execute(
        select(Complaint.reference, Client.joined_on, Client.left_on, Complaint.received_on)
        .join(Client, Client.id == Complaint.client_id)
        .where((Complaint.received_on < Client.joined_on) | (Complaint.received_on > Client.left_on))).all()


def _revisions_out_of_order():
    revisions = list(db.session.scalars(select(Revision).order_by(Revision.process_id, Revision.number)))
    return [(b.process_id, b.number) for a, b in zip(revisions, revisions[1:], strict=False)
            if a.process_id == b.process_id and b.created_at <= a.created_at]


def _improvements_out_of_order(today):
    found = []
    for i in db.session.scalars(select(Improvement)):
        steps = [day for day in (i.raised_on, i.approved_on, i.implemented_on, i.verified_on) if day is not None]
        if steps != sorted(steps) or steps[-1] > today:
            found.append((i.title, "steps", steps))
        if i.approved_on and i.deadline and i.approved_on > i.deadline:
            found.append((i.title, "approved after its deadline", i.approved_on, i.deadline))
    for task in db.session.scalars(select(Task).where(Task.done_on.is_not(None))):
        approved = task.improvement.approved_on
        if approved and task.done_on < approved:
            found.append((task.title, "done before its improvement's approval", task.done_on, approved))
    return found


def test_the_loaded_demo_keeps_its_dates_people_and_records_consistent(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    today = date.today()
    with app.app_context():
        assert _complaints_outside_the_clients_time() == []
        assert not db.session.scalar(select(func.count(Complaint.id)).where(Complaint.responded_on
                                                                            < Complaint.received_on))
        assert db.session.scalar(select(func.count(Complaint.id)).where(Complaint.client_id.is_not(None))) > 100

        assert _revisions_out_of_order() == []
        days = set(db.session.scalars(select(func.date(Revision.created_at)).distinct()))
        assert len(days) >= 10  # spread over time, not all written in the minute the demo loaded
        linked = db.session.execute(select(Revision.created_at, Improvement.implemented_on)
                                    .join(Improvement, Improvement.id == Revision.improvement_id)).all()
        assert linked and all(at.date() == implemented for at, implemented in linked)

        assert _improvements_out_of_order(today) == []

        for wave in db.session.scalars(select(Wave)):
            assert wave.opens_on <= today and (wave.closes_on is None or wave.opens_on <= wave.closes_on)

        # Verdicts are the reviewer's, in the record and in the audit trail; revisions their authors'.
        verdict_authors = set(db.session.scalars(
            select(User.role).join(AuditEntry, AuditEntry.actor_id == User.id)
            .where(AuditEntry.entity_type == "verdicts")))
        assert verdict_authors == {Role.REVIEWER}
        revision_actors = db.session.execute(
            select(AuditEntry.actor_id, Revision.author_id)
            .join(Revision, cast(Revision.id, String) == AuditEntry.entity_id)
            .where(AuditEntry.entity_type == "process_revisions", AuditEntry.action == INSERT)).all()
        assert revision_actors and all(actor == author for actor, author in revision_actors)
        assumptions_by = set(db.session.scalars(select(User.role).join(AuditEntry, AuditEntry.actor_id == User.id)
                                                .where(AuditEntry.entity_type == "listening_assumptions")))
        assert assumptions_by <= {Role.COORDINATOR, Role.ADMIN}

        # The staff participation wave invited the improvement groups' members, as "invite the groups" would.
        staff_wave = db.session.scalar(select(Wave).join(Survey).where(Survey.audience == Audience.STAFF))
        invited = set(db.session.execute(select(Invitation.user_id, Invitation.segment)
                                         .where(Invitation.wave_id == staff_wave.id)).all())
        first_group = {}  # ``invite`` gives a member of two groups one link, for the first
        for row in group_invitees(list(db.session.scalars(select(Group.id)))):
            first_group.setdefault(row["user_id"], row["segment"])
        expected = set(first_group.items())
        assert invited == expected

        # Every path the demo stores responses by kept the survey results' running totals.
        waves = list(db.session.scalars(select(Wave.id)))
        running = totals.snapshot(waves)
        totals.rebuild(releases.shown_responses(waves), waves)
        assert running["survey_answer_totals"] and totals.snapshot(waves) == running
        db.session.rollback()

        # Listening is set off by the clients it keeps (seeds/000): retention above the baseline every year.
        years, baseline = costs.is_it_worth_it(costs.current_assumptions())
        assert baseline is not None and years
        assert all(y.kept > 0 and y.benefit > y.cost for y in years)

        # The certification cycles: the first one closed, its period, visit and closing past, reviewed and closed by
        # the demo's reviewer, its pack built (the queue runs at once here); the renewal in preparation over the
        # year since, its visit ahead.
        first, renewal = db.session.scalars(select(Cycle).order_by(Cycle.period_start)).all()
        assert first.state is CycleState.CLOSED
        assert first.period_end < first.visit_held_on <= first.closed_on < today
        assert [user.email for user in first.reviewers] == ["reviewer@demo.test"]
        closers = {change.to_value: change.actor.role for change in cycles.history(first)}
        assert closers == {"under_review": Role.COORDINATOR, "closed": Role.REVIEWER}
        assert renewal.state is CycleState.PREPARING and renewal.period_start == first.period_end + timedelta(days=1)
        assert renewal.period_end < today < renewal.visit_planned_on
        first_id = first.id
        db.session.commit()
        demo.queue_work()  # what ``flask demo`` leaves to the worker (the queue runs at once here)
        packs = db.session.scalars(select(PackSnapshot).where(PackSnapshot.cycle_id == first_id)).all()
        assert len(packs) == 1 and packs[0].language == "es"


def _toc_targets(page: str) -> list[str]:
    toc = page[page.index('data-testid="page-toc"'):]
    toc = toc[:toc.index("</nav>")]
    return re.findall(r'href="#([^"]+)"', toc)


def test_the_demos_pages_say_what_its_figures_mean(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == "coordinator@demo.test"))
        db.session.expunge(coordinator)
        client_wave = db.session.scalar(select(Wave.id).join(Survey).where(Survey.audience == Audience.CLIENTS)
                                        .order_by(Wave.opens_on.desc()).limit(1))
        b1 = db.session.scalar(select(Criterion.id).where(Criterion.code == "B1"))
    browser = sign_in(app.test_client(), coordinator)
    worth_it = browser.get("/clients/listening/worth-it").get_data(as_text=True)
    meaning = worth_it[worth_it.index('data-testid="worth-it-meaning"'):][:600]
    assert "each euro spent returned" in meaning
    segments = browser.get("/clients/segments").get_data(as_text=True)
    assert "satisfaction becomes available once client surveys are recorded" not in segments
    panel = segments[segments.index('data-testid="segments-satisfaction"'):]
    assert "CSAT" in panel and "Oleada" in panel

    # The long pages open with a table of contents whose every link reaches a heading of the page.
    for url in (f"/surveys/waves/{client_wave}/results", f"/evidence/criteria/{b1}"):
        page = browser.get(url).get_data(as_text=True)
        targets = _toc_targets(page)
        assert len(targets) >= 5, url
        assert all(f'id="{target}"' in page for target in targets), url
    results = browser.get(f"/surveys/waves/{client_wave}/results").get_data(as_text=True)
    assert "distribution-chart-1" in results  # the answers as stacked bars
    comments = results[results.index('id="comments"'):]
    texts = re.findall(r'<span class="text-prewrap[^"]*">([^<]+)</span>', comments)
    assert texts and len(texts) == len(set(texts))  # each comment once, with how many wrote it
