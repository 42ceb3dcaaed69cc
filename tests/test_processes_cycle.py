"""The service cycle (seed 001, Dimensión 3): a programme's moments of contact in order, each with its processes
and quality indicators — kept, refused, reordered and removed, shown on the pages and in A1's and B1's evidence."""

from datetime import date

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from core.rules import RuleError
from processes import cycle, evidence
from processes.models import ServiceMoment, ServiceMomentProcess


@pytest.fixture
def loyalty(make_programme, make_process, make_indicator):
    programme = make_programme(code="FID", name="Loyalty")
    onboarding = make_process(code="FID-C01", programme_id=programme, name="Onboarding")
    complaints = make_process(code="FID-C03", programme_id=programme, name="Complaints")
    return {"programme": programme, "onboarding": onboarding, "complaints": complaints,
            "days": make_indicator(onboarding, code="IND-ALTA"), "answer": make_indicator(complaints, code="IND-T")}


def _moment(ids, name, processes=(), indicators=()):
    return cycle.save_moment(ids["programme"], None, {"name": name, "process_ids": [ids[p] for p in processes],
                                                      "indicator_ids": [ids[i] for i in indicators]})


def test_moments_are_kept_in_order_with_their_processes_and_indicators(ctx, loyalty):
    joining = _moment(loyalty, "Joining", ["onboarding"], ["days"])
    claim = _moment(loyalty, "A claim", ["complaints"], ["answer"])
    db.session.commit()
    assert [(m.position, m.name) for m in cycle.cycle_of(loyalty["programme"])] == [(1, "Joining"), (2, "A claim")]
    assert [p.code for p in joining.processes] == ["FID-C01"] and [i.code for i in claim.indicators] == ["IND-T"]
    assert cycle.moments_serving(loyalty["complaints"]) == [claim]
    # each link is a row of the audit trail, under its moment
    tables = set(db.session.scalars(select(AuditEntry.entity_type)))
    assert {"service_moments", "service_moment_processes", "service_moment_indicators"} <= tables


def test_an_indicator_of_another_process_or_a_retired_process_is_refused(ctx, loyalty, make_process):
    with pytest.raises(RuleError, match="indicator of one of its processes"):
        _moment(loyalty, "Joining", ["onboarding"], ["answer"])
    retired = make_process(code="OLD", programme_id=loyalty["programme"], status="retired")
    with pytest.raises(RuleError, match="current processes only"):
        cycle.save_moment(loyalty["programme"], None, {"name": "Old", "process_ids": [retired], "indicator_ids": []})


def test_moving_and_removing_renumber_the_cycle_and_links_change_one_by_one(ctx, loyalty):
    first, second, third = (_moment(loyalty, name, ["onboarding"]) for name in ("One", "Two", "Three"))
    assert cycle.move_moment(third, -1) and not cycle.move_moment(first, -1)
    assert [m.name for m in cycle.cycle_of(loyalty["programme"])] == ["One", "Three", "Two"]
    cycle.remove_moment(first)
    assert [(m.position, m.name) for m in cycle.cycle_of(loyalty["programme"])] == [(1, "Three"), (2, "Two")]
    link_id = second.process_links[0].id
    cycle.save_moment(loyalty["programme"], second, {"name": "Two", "process_ids": [loyalty["onboarding"],
                                                                                   loyalty["complaints"]]},
                      version=second.version)
    assert second.process_links[0].id == link_id, "the link kept is not removed and added again"
    assert db.session.scalar(select(db.func.count(ServiceMomentProcess.id))
                             .where(ServiceMomentProcess.moment_id == second.id)) == 2


def test_the_pages_add_edit_move_and_remove_a_moment(app, client_as, loyalty):
    client = client_as("coordinator")
    base = f"/processes/programmes/{loyalty['programme']}/cycle"
    response = client.post(f"{base}/new", data={"name": "Joining", "description": "Signs up",
                                                "process_ids": [loyalty["onboarding"]],
                                                "indicator_ids": [loyalty["days"]]})
    assert response.status_code == 302
    refused = client.post(f"{base}/new", data={"name": "Claim", "process_ids": [loyalty["onboarding"]],
                                               "indicator_ids": [loyalty["answer"]]})
    assert refused.status_code == 200 and "indicator of one of its processes" in refused.get_data(as_text=True)
    client.post(f"{base}/new", data={"name": "A claim", "process_ids": [loyalty["complaints"]]})
    page = client.get(base).get_data(as_text=True).split('data-testid="service-cycle"')[1]
    assert page.index("Joining") < page.index("A claim") and "IND-ALTA" in page
    with app.app_context():
        joining, claim = db.session.scalars(select(ServiceMoment).order_by(ServiceMoment.position)).all()
        joining_id, claim_id, version = joining.id, claim.id, claim.version
    assert client.post(f"/processes/cycle/{claim_id}/move", data={"direction": "earlier"}).status_code == 302
    assert client.post(f"/processes/cycle/{claim_id}", data={"name": "A complaint", "version": version + 1,
                                                             "process_ids": [loyalty["complaints"]],
                                                             "indicator_ids": [loyalty["answer"]]}).status_code == 302
    page = client.get(base).get_data(as_text=True).split('data-testid="service-cycle"')[1]
    assert page.index("A complaint") < page.index("Joining") and "IND-T" in page
    assert "A complaint" in client.get("/processes/", query_string={"programme": loyalty["programme"]}).get_data(
        as_text=True), "the programme's map page shows its cycle"
    assert "Joining" in client.get(f"/processes/{loyalty['onboarding']}").get_data(as_text=True)
    assert client.post(f"/processes/cycle/{joining_id}/remove").status_code == 302
    assert "Joining" not in client.get(base).get_data(as_text=True).split('data-testid="service-cycle"')[1]
    member = client_as("member")
    assert member.get(base).status_code == 200
    assert member.post(f"{base}/new", data={"name": "Mine"}).status_code == 403


def test_a1_and_b1_show_the_cycle_and_the_pack_its_table(app, loyalty):
    with app.test_request_context("/"):
        finding = evidence.process_map_evidence()
        assert finding.reasons[-1].text.startswith("No service cycle has been described for Loyalty yet")
        _moment(loyalty, "Joining", ["onboarding"], ["days"])
        _moment(loyalty, "A claim", ["complaints"])
        db.session.commit()
        finding = evidence.process_map_evidence(detail=True)
        assert finding.reasons[-1].text == ("Service cycle of Loyalty: 2 moments of contact (Joining → A claim); "
                                            "2 of 2 served by a process, 1 of 2 with a quality indicator")
        table = finding.blocks[-1]
        assert table.title == "Service cycle of Loyalty"
        assert [row[2:] for row in table.rows] == [["FID-C01", "IND-ALTA"], ["FID-C03", "—"]]
        from voice.evidence import voice_of_the_client_evidence
        from voice.models import Requirement, RequirementSource

        db.session.add(Requirement(statement="Answer in writing", source=RequirementSource.COMPLAINT,
                                   identified_on=date.today()))
        db.session.commit()
        b1 = voice_of_the_client_evidence(detail=True)
        assert finding.reasons[-1] in b1.reasons
        assert any(block.title == "Service cycle of Loyalty" for block in b1.blocks)
