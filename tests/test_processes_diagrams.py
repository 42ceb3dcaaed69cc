"""Process diagrams (C3): stages in swimlanes, their editing, and the revisions each change makes."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import User
from processes import diagrams, services
from processes.models import Process, ProcessStage, Revision
from processes.revisions import history, record_revision, snapshot
from tests.conftest import sign_in


def stage(name, role, holders=()):
    """A stand-in stage for the layout, which reads only these attributes."""
    return SimpleNamespace(name=name, responsible_role=role, responsible=None,
                           knowledge_holders=[SimpleNamespace(user=SimpleNamespace(name=h)) for h in holders])


def test_stages_are_laid_out_top_to_bottom_in_one_lane_per_role():
    layout = diagrams.swimlanes([stage("Receive", "Front desk"), stage("Check", "Back office", ["Ana"]),
                                 stage("Welcome", "front desk ")])
    assert [lane.role for lane in layout.lanes] == ["Front desk", "Back office"]
    assert layout.width == 2 * diagrams.LANE_WIDTH
    first, second, third = layout.boxes
    assert first.x == third.x < second.x, "the same role, however typed, keeps its lane"
    assert first.y < second.y < third.y
    assert second.holders == ["Ana"]
    # start → 1, 1 → 2, 2 → 3, 3 → end; a hand-off between lanes bends, a step within a lane does not
    assert len(layout.connectors) == 4
    assert [len(points) for points in layout.connectors[1:3]] == [4, 4]
    assert layout.start[0] == first.centre_x and layout.end[0] == third.centre_x


def test_a_long_stage_name_wraps_whole_and_its_box_grows():
    name = "Check the documents the new client brought and file them in the CRM"
    layout = diagrams.swimlanes([stage(name, "Back office", ["Ana María Etxeberria", "Iker Goikoetxea Urrutia"]),
                                 stage("File", "Back office")])
    long, short = layout.boxes
    assert len(long.lines) > 2 and " ".join(long.lines) == name and "…" not in "".join(long.lines)
    assert " ".join(long.holder_lines) == "Knows: Ana María Etxeberria, Iker Goikoetxea Urrutia"
    assert long.height > short.height == diagrams.BOX_HEIGHT
    assert short.y >= long.y + long.height + diagrams.ROW_GAP, "the next stage starts below the taller box"


def test_an_empty_diagram_has_no_boxes_nor_terminals():
    layout = diagrams.swimlanes([])
    assert (layout.boxes, layout.connectors, layout.start) == ([], [], None)


def kept(name, role="Desk", responsible="", holders=()):
    return {"name": name, "description": "", "role": role, "responsible": responsible,
            "knowledge_holders": list(holders)}


def test_inserting_a_stage_shows_only_that_stage_as_changed():
    before = [kept("Receive"), kept("Check"), kept("Close")]
    after = [kept("Receive"), kept("Analyse"), kept("Check"), kept("Close")]
    assert diagrams.stage_changes(before, after) == [(2, None, "Analyse — Desk")]


def test_changing_and_removing_stages_show_before_and_after():
    before = [kept("Receive"), kept("Check", holders=["Ana"]), kept("Close")]
    after = [kept("Receive"), kept("Check", holders=["Ana", "Jon"])]
    assert diagrams.stage_changes(before, after) == [
        (2, "Check — Desk · knowledge: Ana", "Check — Desk · knowledge: Ana, Jon"),
        (3, "Close — Desk", None),
    ]


@pytest.fixture
def process_id(make_process, make_user):
    owner = make_user("member", name="Olga Owner")
    return make_process(code="PC-01", owner_id=owner.id)


def people(*names):
    return [db.session.scalar(select(User.id).where(User.name == name)) for name in names]


def test_stages_are_added_moved_and_removed_in_order(ctx, process_id, make_user):
    make_user("member", name="Ana")
    process = db.session.get(Process, process_id)
    for name in ("Receive", "Check", "Close"):
        diagrams.save_stage(process, None, {"name": name, "responsible_role": "Desk",
                                            "knowledge_holder_ids": people("Ana")})
    receive, check, close = diagrams.ordered_stages(process)
    assert diagrams.move_stage(process, close, -1) is True
    assert [s.name for s in diagrams.ordered_stages(process)] == ["Receive", "Close", "Check"]
    assert diagrams.move_stage(process, receive, -1) is False, "the first stage cannot move earlier"
    diagrams.remove_stage(process, close)
    db.session.commit()
    assert [(s.position, s.name) for s in db.session.get(Process, process_id).stages] == [(1, "Receive"),
                                                                                           (2, "Check")]


def test_an_unknown_knowledge_holder_is_refused(ctx, process_id):
    process = db.session.get(Process, process_id)
    with pytest.raises(diagrams.StageRuleError):
        diagrams.save_stage(process, None, {"name": "Receive", "responsible_role": "Desk",
                                            "knowledge_holder_ids": [987654]})


def test_a_diagram_change_is_a_revision_and_its_history_shows_the_stage(ctx, process_id, make_user):
    make_user("member", name="Ana")
    process = db.session.get(Process, process_id)
    first = record_revision(process, "Created", author=None)
    assert "stages" not in first.snapshot, "a sheet without a diagram keeps the snapshot it had before diagrams"
    diagrams.save_stage(process, None, {"name": "Receive", "responsible_role": "Desk",
                                        "responsible_id": people("Olga Owner")[0],
                                        "knowledge_holder_ids": people("Ana")})
    second = record_revision(process, "Diagram drawn", author=None)
    assert second.number == 2
    assert second.snapshot["stages"] == [{"name": "Receive", "description": "", "role": "Desk",
                                          "responsible": "Olga Owner", "knowledge_holders": ["Ana"]}]
    assert record_revision(process, "Saved again", author=None) is None
    newest, _changes = history(process)[0]
    assert newest.number == 2
    assert _changes == [("Diagram stage 1", None, "Receive — Desk (Olga Owner) · knowledge: Ana")]
    assert snapshot(process) == second.snapshot


def reasons_of(process_id):
    return [revision.reason for revision in db.session.scalars(
        select(Revision).where(Revision.process_id == process_id).order_by(Revision.number))]


def test_each_diagram_service_makes_its_revision(ctx, process_id, make_user):
    author = db.session.get(User, make_user("member", name="Ana").id)
    process = db.session.get(Process, process_id)
    receive = services.add_stage(process, {"name": "Receive", "responsible_role": "Desk"}, actor=author)
    close = services.add_stage(process, {"name": "Close", "responsible_role": "Desk"}, actor=author,
                               reason="Closing is a stage of its own")
    changed = services.change_stage(process, close, {"name": "Close and file", "responsible_role": "Desk"},
                                    version=close.version, actor=author)
    assert changed.number == 3 and changed.author is author
    assert services.change_stage(process, close, {"name": "Close and file", "responsible_role": "Desk"},
                                 version=close.version, actor=author) is None, "no change, no revision"
    assert services.move_stage(process, receive, -1, actor=author) is False
    assert services.move_stage(process, close, -1, actor=author) is True
    services.remove_stage(process, receive, actor=author)
    assert reasons_of(process_id) == [
        "Diagram: stage “Receive” added", "Closing is a stage of its own", "Diagram: stage “Close and file” changed",
        "Diagram: stage “Close and file” moved earlier", "Diagram: stage “Receive” removed"]
    assert db.session.scalars(select(Revision).where(Revision.process_id == process_id)
                              .order_by(Revision.number.desc())).first().snapshot["stages"][0]["name"] == \
        "Close and file"


def test_a_refused_stage_makes_no_revision(ctx, process_id):
    process = db.session.get(Process, process_id)
    with pytest.raises(diagrams.StageRuleError):
        services.add_stage(process, {"name": "Receive", "responsible_role": "Desk", "knowledge_holder_ids": [987654]},
                           actor=None)
    assert reasons_of(process_id) == []


STAGE = {"name": "Receive the request", "description": "By phone or e-mail", "responsible_role": "Front desk",
         "responsible_id": "0", "reason": ""}


def revisions_of(app, process_id):
    with app.app_context():
        return [(r.number, r.reason) for r in db.session.scalars(
            select(Revision).where(Revision.process_id == process_id).order_by(Revision.number))]


def test_a_coordinator_adds_a_stage_and_the_diagram_shows_it(app, client_as, process_id, make_user):
    holder = make_user("member", name="Ana Holder")
    client = client_as("coordinator")
    response = client.post(f"/processes/{process_id}/diagram/stages/new",
                           data={**STAGE, "knowledge_holder_ids": [str(holder.id)]})
    assert response.status_code == 302
    assert revisions_of(app, process_id) == [(1, "Diagram: stage “Receive the request” added")]
    page = client.get(f"/processes/{process_id}/diagram").get_data(as_text=True)
    assert "Receive the request" in page and "Ana Holder" in page and 'class="process-diagram"' in page
    svg = client.get(f"/processes/{process_id}/diagram.svg")
    assert svg.mimetype == "image/svg+xml" and "attachment" in svg.headers["Content-Disposition"]
    assert "Receive the request" in svg.get_data(as_text=True) and "<a " not in svg.get_data(as_text=True)


def test_a_stage_without_name_or_role_comes_back_with_errors(app, client_as, process_id):
    page = client_as("coordinator").post(f"/processes/{process_id}/diagram/stages/new",
                                         data={**STAGE, "name": "", "responsible_role": ""})
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("This field is required.") == 2
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ProcessStage)) == 0


def test_an_empty_diagram_invites_the_first_stage(client_as, process_id):
    page = client_as("coordinator").get(f"/processes/{process_id}/diagram").get_data(as_text=True)
    assert "No diagram yet" in page and "Add the first stage" in page


def add_stages(app, process_id, *names):
    with app.app_context():
        process = db.session.get(Process, process_id)
        ids = [diagrams.save_stage(process, None, {"name": n, "responsible_role": "Desk"}).id for n in names]
        db.session.commit()
        return ids


def test_editing_moving_and_removing_stages_each_make_a_revision(app, client_as, process_id):
    receive, close = add_stages(app, process_id, "Receive", "Close")
    client = client_as("coordinator")
    with app.app_context():
        version = db.session.get(ProcessStage, close).version
    assert client.post(f"/processes/{process_id}/diagram/stages/{close}/edit",
                       data={**STAGE, "name": "Close and file", "responsible_role": "Desk", "version": version,
                             "reason": "Files are kept for five years"}).status_code == 302
    assert client.post(f"/processes/{process_id}/diagram/stages/{close}/move",
                       data={"direction": "earlier"}).status_code == 302
    assert client.post(f"/processes/{process_id}/diagram/stages/{receive}/remove").status_code == 302
    assert [reason for _n, reason in revisions_of(app, process_id)] == [
        "Files are kept for five years", "Diagram: stage “Close and file” moved earlier",
        "Diagram: stage “Receive” removed"]
    with app.app_context():
        assert [(s.position, s.name) for s in db.session.get(Process, process_id).stages] == [(1, "Close and file")]


def test_a_stale_stage_form_shows_the_conflict(app, client_as, process_id):
    (stage_id,) = add_stages(app, process_id, "Receive")
    client = client_as("coordinator")
    stale = {**STAGE, "responsible_role": "Desk", "version": "1"}
    assert client.post(f"/processes/{process_id}/diagram/stages/{stage_id}/edit",
                       data={**stale, "name": "First"}).status_code == 302
    page = client.post(f"/processes/{process_id}/diagram/stages/{stage_id}/edit", data={**stale, "name": "Second"})
    assert page.status_code == 200 and 'data-testid="edit-conflict"' in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ProcessStage, stage_id).name == "First"


def test_who_may_change_a_diagram(app, client_as, make_user, process_id, make_process):
    (stage_id,) = add_stages(app, process_id, "Receive")
    with app.app_context():
        owner = db.session.get(Process, process_id).owner
    owner_client = sign_in(app.test_client(), owner)
    assert owner_client.post(f"/processes/{process_id}/diagram/stages/new", data=STAGE).status_code == 302
    other_member = client_as("member")
    assert other_member.get(f"/processes/{process_id}/diagram").status_code == 200
    assert other_member.post(f"/processes/{process_id}/diagram/stages/new", data=STAGE).status_code == 403
    reviewer = client_as("reviewer")
    page = reviewer.get(f"/processes/{process_id}/diagram").get_data(as_text=True)
    assert "Receive" in page and "Add stage" not in page
    assert reviewer.post(f"/processes/{process_id}/diagram/stages/{stage_id}/remove").status_code == 403
    other_process = make_process(code="PC-02")
    coordinator = client_as("coordinator")
    assert coordinator.post(f"/processes/{other_process}/diagram/stages/{stage_id}/remove").status_code == 404


def _process(stages: int, roles=("Front desk", "Back office", "Member manager"), name="Check the member's papers"):
    items = [SimpleNamespace(id=n, position=n, name=f"{name} ({n})",
                             responsible_role=roles[n % len(roles)], responsible=None, description=None,
                             knowledge_holders=[SimpleNamespace(user=SimpleNamespace(name="Lucía Fernández"))])
             for n in range(1, stages + 1)]
    return SimpleNamespace(code="FID-C01", name="Onboarding", stages=items)


def test_a_diagram_prints_on_a_landscape_page_at_7_pt_without_cut_names(app):
    from tests.svg_print import smallest_printed_pt, texts

    with app.test_request_context("/"):
        [(title, svg)] = diagrams.pack_figures(_process(5))
    assert title == "Diagram of FID-C01 · Onboarding"
    assert smallest_printed_pt(svg) >= 7.0 and "…" not in svg
    assert "Check the member's papers (5)" in texts(svg)


def test_a_long_diagram_is_cut_into_pages_that_keep_the_stage_numbers(app):
    from tests.svg_print import smallest_printed_pt

    with app.test_request_context("/"):
        figures = diagrams.pack_figures(_process(14))
    assert len(figures) > 1
    assert figures[0][0].startswith("Diagram of FID-C01 · Onboarding — stages 1 to ")
    assert figures[-1][0].endswith(" to 14")
    for _title, svg in figures:
        assert smallest_printed_pt(svg) >= 7.0
        assert all(f"<title>{role}</title>" in svg for role in ("Front desk", "Back office", "Member manager")), \
            "every part keeps every lane"
