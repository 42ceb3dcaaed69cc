"""A new version of a criteria file loaded into its set: shown criterion by criterion, refused without confirmation
when it changes or retires criteria that verdicts or evidence rest on, never deleting one (retired instead), and
kept in the set's history."""

import pytest
from sqlalchemy import func, select

from core.extensions import db
from evidence import reload, services
from evidence.criteria_sets import install_set, parse_criteria_file
from evidence.models import Assessment, CriteriaSet, Criterion, Verdict
from evidence.switching import switch_history

FIRST = """\
code: OWN-1
name: {en: Our own set}
criteria:
  - {code: K1, text: "Keep the census current."}
  - {code: K2, text: "Ask clients every year."}
  - {code: K3, text: "Answer complaints."}
"""
#: K1 reworded, K2 the same, K3 gone, K4 new.
SECOND = """\
code: OWN-1
name: {en: Our own set}
criteria:
  - {code: K1, text: "Keep the census current, every month."}
  - {code: K2, text: "Ask clients every year."}
  - {code: K4, text: "Measure loyalty."}
"""


@pytest.fixture
def own_set(ctx):
    criteria_set = install_set(parse_criteria_file(FIRST), source="own.yaml")
    db.session.commit()
    return criteria_set


def _judge(criteria_set: CriteriaSet, *codes: str) -> None:
    for criterion in criteria_set.criteria:
        if criterion.code in codes:
            services.record_verdict(criterion, Assessment.MET, "Seen", actor=None)
    db.session.commit()


def test_the_plan_lists_each_criterion_that_changes_with_what_rests_on_it(own_set):
    _judge(own_set, "K1", "K3")
    plan = reload.reload_plan(own_set, parse_criteria_file(SECOND))
    assert [(c.code, c.kind, c.parts, c.verdicts) for c in plan.changes] == [
        ("K1", "changed", ("text",), 1), ("K4", "added", (), 0), ("K3", "retired", (), 1)]
    assert plan.needs_confirmation
    assert plan.changes[0].text == "K1 changes: text. It has 1 verdict."


def test_a_reload_touching_judged_criteria_waits_for_confirmation_and_retires_instead_of_deleting(own_set):
    _judge(own_set, "K3")
    plan = reload.reload_plan(own_set, parse_criteria_file(SECOND))
    with pytest.raises(reload.ReloadNeedsConfirmation):
        reload.apply_reload(plan, actor=None, reason="New version")
    db.session.rollback()
    assert [c.code for c in db.session.get(CriteriaSet, own_set.id).criteria] == ["K1", "K2", "K3"]

    reload.apply_reload(reload.reload_plan(own_set, parse_criteria_file(SECOND)), actor=None,
                        reason="New version", confirmed=True)
    db.session.commit()
    criteria_set = db.session.get(CriteriaSet, own_set.id)
    assert [c.code for c in criteria_set.criteria] == ["K1", "K2", "K4"]  # the checklist's
    k3 = db.session.scalar(select(Criterion).where(Criterion.set_id == own_set.id, Criterion.code == "K3"))
    assert k3 is not None and k3.retired_on is not None  # kept, with its verdict
    assert db.session.scalar(select(func.count(Verdict.id)).where(Verdict.criterion_id == k3.id)) == 1
    assert criteria_set.criteria[0].text["en"] == "Keep the census current, every month."
    assert [c.criterion.code for c in services.checklist(criteria_set)] == ["K1", "K2", "K4"]

    [row] = reload.reload_history(criteria_set)
    assert (row.record_kind, row.field, row.from_value, row.to_value) == ("criteria_set", "criteria", "3", "3")
    assert row.reason.startswith("New version — K1 changes: text.") and "K3 is no longer in the file" in row.reason
    assert switch_history() == []  # a reload is no switch of the set in use

    # The first version again brings K3 back (and K4 retires).
    plan = reload.reload_plan(criteria_set, parse_criteria_file(FIRST))
    assert {(c.code, c.kind) for c in plan.changes} == {("K1", "changed"), ("K3", "restored"), ("K4", "retired")}
    reload.apply_reload(plan, actor=None, reason="Back", confirmed=True)
    db.session.commit()
    assert [c.code for c in db.session.get(CriteriaSet, own_set.id).criteria] == ["K1", "K2", "K3"]


def test_a_reload_that_touches_no_judged_criterion_needs_no_confirmation_and_the_same_file_changes_nothing(own_set):
    _judge(own_set, "K2")  # unchanged by SECOND
    plan = reload.reload_plan(own_set, parse_criteria_file(SECOND))
    assert not plan.needs_confirmation
    reload.apply_reload(plan, actor=None, reason=None)
    db.session.commit()
    again = reload.reload_plan(db.session.get(CriteriaSet, own_set.id), parse_criteria_file(SECOND))
    assert again.changes == [] and again.changes_nothing
    reload.apply_reload(again, actor=None, reason=None)
    assert len(reload.reload_history()) == 1


def test_the_cli_refuses_without_yes_printing_each_change_and_loads_with_it(app, runner, tmp_path):
    first, second = tmp_path / "own.yaml", tmp_path / "own-v2.yaml"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    assert runner.invoke(args=["evidence", "load-criteria", str(first)]).exit_code == 0
    with app.app_context():
        _judge(db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == "OWN-1")), "K1")

    refused = runner.invoke(args=["evidence", "load-criteria", str(second)])
    assert refused.exit_code == 1
    assert "! K1 changes: text. It has 1 verdict." in refused.output
    assert "- K4 is added." in refused.output and "- K3 is no longer in the file" in refused.output
    assert "Nothing was loaded" in refused.output and "--yes" in refused.output
    with app.app_context():
        criteria_set = db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == "OWN-1"))
        assert [c.code for c in criteria_set.criteria] == ["K1", "K2", "K3"]
        assert reload.reload_history() == []

    done = runner.invoke(args=["evidence", "load-criteria", str(second), "--yes", "--reason", "Version 2"])
    assert done.exit_code == 0, done.output
    assert "1 updated: OWN-1" in done.output
    with app.app_context():
        criteria_set = db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == "OWN-1"))
        assert [c.code for c in criteria_set.criteria] == ["K1", "K2", "K4"]
        assert sorted(c.code for c in criteria_set.all_criteria) == ["K1", "K2", "K3", "K4"]
        [row] = reload.reload_history(criteria_set)
        assert row.reason.startswith("Version 2 — ")


def _upload(coordinator, content: str, name="own-v2.yaml"):
    from io import BytesIO

    return coordinator.post("/evidence/sets", data={"file": (BytesIO(content.encode()), name)},
                            content_type="multipart/form-data")


def _hidden(page: str, name: str) -> str:
    import re

    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)


def test_the_sets_page_shows_a_new_version_criterion_by_criterion_and_loads_it_once_confirmed(app, client_as):
    coordinator = client_as("coordinator")
    with app.app_context():
        criteria_set = install_set(parse_criteria_file(FIRST), source="own.yaml")
        db.session.commit()
        _judge(criteria_set, "K3")
        set_id = criteria_set.id

    page = _upload(coordinator, SECOND)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="reload-changes"' in text
    assert 'data-criterion="K3" data-kind="retired" data-judged="yes"' in text
    assert 'data-criterion="K4" data-kind="added" data-judged="no"' in text
    assert f'action="/evidence/sets/{set_id}/reload"' in text
    with app.app_context():  # nothing changed yet
        assert [c.code for c in db.session.get(CriteriaSet, set_id).criteria] == ["K1", "K2", "K3"]

    form = {"content": _hidden(text, "content"), "source": "own-v2.yaml"}
    refused = coordinator.post(f"/evidence/sets/{set_id}/reload", data=form)
    assert refused.status_code == 400
    assert "Tick the box to confirm." in refused.get_data(as_text=True)
    assert "Say why the set&#39;s criteria change." in refused.get_data(as_text=True)
    with app.app_context():
        assert [c.code for c in db.session.get(CriteriaSet, set_id).criteria] == ["K1", "K2", "K3"]

    done = coordinator.post(f"/evidence/sets/{set_id}/reload", data={**form, "confirm": "y",
                                                                      "reason": "Version 2 of our set"})
    assert done.status_code == 302
    with app.app_context():
        criteria_set = db.session.get(CriteriaSet, set_id)
        assert [c.code for c in criteria_set.criteria] == ["K1", "K2", "K4"] and criteria_set.source == "own-v2.yaml"
        [row] = reload.reload_history(criteria_set)
        assert row.actor is not None and row.actor.role.value == "coordinator"
    sets_page = coordinator.get("/evidence/sets").get_data(as_text=True)
    assert 'data-testid="reloads"' in sets_page and "Version 2 of our set" in sets_page

    # A file of another set sent back to this one is refused.
    import base64

    other = base64.b64encode(FIRST.replace("OWN-1", "OTHER").encode()).decode()
    assert coordinator.post(f"/evidence/sets/{set_id}/reload", data={"content": other, "confirm": "y",
                                                                     "reason": "x"}).status_code == 400


def test_only_coordinators_reload_a_set(app, client_as):
    import base64

    with app.app_context():
        criteria_set = install_set(parse_criteria_file(FIRST), source="own.yaml")
        db.session.commit()
        set_id = criteria_set.id
    content = base64.b64encode(SECOND.encode()).decode()
    for role in ("member", "reviewer"):
        response = client_as(role).post(f"/evidence/sets/{set_id}/reload", data={"content": content})
        assert response.status_code == 403
    with app.app_context():
        assert [c.code for c in db.session.get(CriteriaSet, set_id).criteria] == ["K1", "K2", "K3"]


def test_a_reload_that_changes_a_rules_thresholds_says_so_and_stores_them(ctx):
    first = "code: OWN-2\nname: {en: Rules}\ncriteria:\n  - {code: R1, text: \"Improve.\", evidence: C3}\n"
    stricter = ("code: OWN-2\nname: {en: Rules}\ncriteria:\n"
                "  - {code: R1, text: \"Improve.\", evidence: C3, thresholds: {min_sessions: 2}}\n")
    criteria_set = install_set(parse_criteria_file(first), source="rules.yaml")
    db.session.commit()
    plan = reload.reload_plan(criteria_set, parse_criteria_file(stricter))
    assert [(c.code, c.kind, c.parts) for c in plan.changes] == [("R1", "changed", ("thresholds",))]
    assert "thresholds of the rule" in plan.changes[0].text
    reload.apply_reload(plan, actor=None, reason="Two sessions per change")
    db.session.commit()
    assert db.session.scalar(select(Criterion.thresholds).where(Criterion.code == "R1")) == {"min_sessions": 2}
