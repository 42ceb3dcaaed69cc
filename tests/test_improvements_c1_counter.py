"""The C1 counter pages (the module's overview and ``/improvements/c1``) ask for the number of qualifying
improvements the criteria set in use states for C1, as the checklist does, not the default."""

import re

from sqlalchemy import select

from core.extensions import db
from evidence.criteria_sets import current_set, ensure_builtin_sets
from evidence.models import Criterion


def _count(page: str) -> str:
    return re.search(r'data-testid="c1-count">([^<]+)<', page).group(1)


def _state_c1(app, value) -> None:
    with app.app_context():
        ensure_builtin_sets()
        criterion = next(c for c in current_set().criteria if c.code == "C1")
        criterion.thresholds = {"improvements_needed": value} if value is not None else None
        db.session.commit()


def test_the_counter_reads_the_stored_threshold(app, client_as):
    _state_c1(app, 2)
    member = client_as("member")
    assert _count(member.get("/improvements/c1").get_data(as_text=True)) == "0/2"
    assert _count(member.get("/improvements/").get_data(as_text=True)) == "0/2"
    assert "0 of the 2 improvements needed qualify" in member.get("/improvements/c1").get_data(as_text=True)
    _state_c1(app, 5)
    assert _count(member.get("/improvements/c1").get_data(as_text=True)) == "0/5"


def test_without_a_stated_threshold_the_default_applies(app, client_as):
    _state_c1(app, None)
    assert _count(client_as("member").get("/improvements/c1").get_data(as_text=True)) == "0/3"


def test_without_any_criteria_set_the_default_applies_and_nothing_is_written(app, client_as):
    member = client_as("member")
    assert _count(member.get("/improvements/c1").get_data(as_text=True)) == "0/3"
    with app.app_context():
        assert db.session.scalars(select(Criterion)).all() == []  # reading the counter creates no set


def test_the_counter_and_c1s_evidence_agree(app, client_as):
    _state_c1(app, 2)
    from evidence.automatic import finding_for

    with app.test_request_context("/"):
        criterion = next(c for c in current_set().criteria if c.code == "C1")
        assert finding_for(criterion).reasons[0].text.startswith("C1 is met when at least 2 improvements")
