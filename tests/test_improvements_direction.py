"""The direction every piece of client evidence is read in (C2): fewer complaints, shorter answers are
favourable; higher satisfaction, NPS and intention to keep buying are favourable — whatever the form said."""

from datetime import date

import pytest

from improvements.models import Evidence, Improvement
from improvements.models.results import moved_the_good_way
from improvements.results import ComputedEvidence, Result, client_valued


def plan(evidence) -> Improvement:
    return Improvement(title="Written answers", measure_name="Complaints answered in writing",
                       higher_is_better=True, baseline_value=40.0, target_value=90.0, evidence=evidence)


@pytest.mark.parametrize(("kind", "before", "after", "higher", "group_said", "favourable"), [
    ("complaints", 38, 17, False, False, True),       # the pack's contradiction: fewer complaints, read as good
    ("complaints", 38, 17, True, False, True),        # a form left at "higher is better" does not reverse it
    ("complaints", 17, 38, False, True, False),       # more complaints are not favourable, whatever was ticked
    ("response_time", 10.0, 4.0, True, False, True),  # shorter answers
    ("response_time", 4.0, 6.5, False, True, False),
    ("survey", 3.2, 4.1, True, False, True),          # satisfaction up
    ("survey", 4.1, 3.2, True, True, False),          # satisfaction down
    ("survey", 12.0, 31.0, True, False, True),        # NPS up
    ("survey", 80.0, 72.0, True, True, False),        # intention to keep buying down
    ("survey", 3.5, 3.5, True, True, False),          # no change is not a favourable change
    ("other", 9.0, 5.0, False, False, True),          # another measure keeps the direction it was given
])
def test_entered_evidence_reads_its_figures_in_their_direction(kind, before, after, higher, group_said, favourable):
    item = Evidence(kind=kind, title="x", before_value=before, after_value=after, higher_is_better=higher,
                    favourable=group_said)
    assert item.reads_favourable is favourable
    assert item.better_higher is (higher and kind not in ("complaints", "response_time"))


@pytest.mark.parametrize("group_said", [True, False])
def test_evidence_without_figures_keeps_the_groups_reading(group_said):
    focus_group = Evidence(kind="focus_group", title="Members' focus group", favourable=group_said)
    assert focus_group.reads_favourable is group_said
    half = Evidence(kind="complaints", title="Only after", after_value=3, favourable=group_said)
    assert half.reads_favourable is group_said


@pytest.mark.parametrize(("kind", "before", "after", "higher", "said", "favourable"), [
    ("complaints", 38, 17, True, False, True),
    ("complaints", 0.5, 0.9, False, True, False),
    ("response_time", 10.0, 2.0, False, True, True),
    ("response_time", 2.0, 10.0, True, True, False),
    ("survey", 3.2, 4.1, True, True, True),
    ("survey", 4.1, 3.2, True, True, False),
    ("survey", None, 4.1, True, True, True),
])
def test_computed_evidence_reads_its_figures_in_their_direction(kind, before, after, higher, said, favourable):
    assert ComputedEvidence(kind, "x", before, after, higher, said).reads_favourable is favourable


def test_no_change_or_a_missing_value_is_not_a_move_the_good_way():
    assert moved_the_good_way(5, 5, True) is False and moved_the_good_way(5, 5, False) is False
    assert moved_the_good_way(None, 5, True) is None and moved_the_good_way(5, None, False) is None


def test_fewer_complaints_count_as_clients_valuing_the_improvement(ctx):
    flat = Result(3.6, 3.5, 4.0)
    fewer = Evidence(kind="complaints", title="Repeated complaints", before_value=38, after_value=17,
                     higher_is_better=True, favourable=False)
    more = Evidence(kind="complaints", title="Repeated complaints", before_value=17, after_value=38,
                    higher_is_better=False, favourable=True)
    assert client_valued(plan(evidence=[fewer]), flat)
    assert not client_valued(plan(evidence=[more]), flat)


def test_the_complaints_register_computes_fewer_and_faster_as_favourable(ctx):
    from voice.evidence import _complaint_change

    better = _complaint_change("Answers", {"before": {"months": 12, "per_month": 3.0, "response_days": 10.0},
                                           "after": {"months": 6, "per_month": 1.0, "response_days": 4.0}})
    assert [(e.kind, e.better_higher, e.favourable, e.reads_favourable) for e in better] == [
        ("complaints", False, True, True), ("response_time", False, True, True)]
    worse = _complaint_change("Answers", {"before": {"months": 12, "per_month": 1.0, "response_days": 4.0},
                                          "after": {"months": 6, "per_month": 3.0, "response_days": 10.0}})
    assert [(e.favourable, e.reads_favourable) for e in worse] == [(False, False), (False, False)]


def test_the_client_survey_computes_higher_satisfaction_as_favourable(ctx):
    from surveys.evidence import _survey_change

    before, after = (date(2024, 3, 1), 1, "2024", 3.2), (date(2025, 3, 1), 2, "2025", 4.1)
    up = _survey_change("Answers", (1, 5), before, after)
    down = _survey_change("Answers", (1, 5), after, before)
    assert (up.better_higher, up.favourable, up.reads_favourable) == (True, True, True)
    assert (down.favourable, down.reads_favourable) == (False, False)
