"""Criteria sets are data files: the shipped checklist loads in both languages, and a bad file is refused
with its line and reason and changes nothing."""

import time

import pytest
from sqlalchemy import func, select

from core.extensions import db
from evidence import criteria_sets
from evidence.automatic import finding_for
from evidence.criteria_sets import (
    MAX_BYTES,
    CriteriaFileError,
    ensure_builtin_sets,
    install_set,
    parse_criteria_file,
)
from evidence.models import CriteriaSet, Criterion

CUSTOM = """\
code: ISO-9001-912
name:
  en: ISO 9001 clause 9.1.2
criteria:
  - code: "9.1.2"
    text: The organisation monitors customers' perceptions of the degree to which their needs are fulfilled.
    areas:
      en: [Customer surveys, Customer feedback]
"""


def test_the_shipped_checklist_has_a1_to_e1_in_spanish_and_english(ctx):
    added = ensure_builtin_sets()
    assert [s.code for s in added] == ["FID-A1E1"]
    criteria = added[0].criteria
    assert [c.code for c in criteria] == ["A1", "A2", "B1", "B2", "C1", "C2", "C3", "D1", "E1"]
    a1 = criteria[0]
    assert a1.text_in("es").startswith("Evidencia de que se ha elaborado el mapa de procesos")
    assert a1.text_in("en").startswith("Evidence that the process map for client loyalty")
    assert "Definir un estándar para la gestión de los procesos" in a1.areas_in("es")
    assert len(a1.areas_in("en")) == len(a1.areas_in("es")) == 4
    assert criteria[-1].group_in("es") == "Gestión con datos"
    by_code = {c.code: c for c in criteria}
    assert by_code["A2"].thresholds == {"review_periods": 12, "share_met": 80}
    assert by_code["C3"].thresholds == {"min_process_changes": 1, "min_affected_people": 1, "min_sessions": 1}
    assert by_code["A1"].thresholds is None  # A1's numbers are the organisation's standard
    assert ensure_builtin_sets() == []  # loading again adds nothing


THRESHOLDS = """\
code: STRICT
name: A stricter reading
criteria:
  - code: C3
    text: Changes in the way of operating
    thresholds:
      min_affected_people: 3
"""


def test_a_set_states_a_rules_thresholds_and_the_source_uses_them(ctx, app):
    criterion = install_set(parse_criteria_file(THRESHOLDS)).criteria[0]
    assert criterion.thresholds == {"min_affected_people": 3}
    with app.test_request_context("/"):
        rule = finding_for(criterion).reasons[0].text
    assert "(people: at least 3)" in rule and "(processes: at least 1)" in rule


@pytest.mark.parametrize(("content", "line", "words"), [
    (THRESHOLDS.replace("min_affected_people: 3", "min_people: 3"), 7, "unknown key “min_people” in the thresholds "
                                                                      "of C3"),
    (THRESHOLDS.replace("min_affected_people: 3", "min_affected_people: three"), 7, "“min_affected_people” must be a "
                                                                                  "whole number"),
    (THRESHOLDS.replace("min_affected_people: 3", "min_affected_people: 2.5"), 7, "must be a whole number"),
    (THRESHOLDS.replace("min_affected_people: 3", "min_affected_people: 0"), 7, "must be between 1 and 500"),
    (THRESHOLDS.replace("code: C3", "code: B2"), 7, "the rule of B2 takes no thresholds"),
    (THRESHOLDS.replace("min_affected_people: 3", "- 3"), 7, "must be a mapping"),
])
def test_a_wrong_threshold_is_refused_naming_the_criterion_and_key(ctx, content, line, words):
    with pytest.raises(CriteriaFileError) as refused:
        parse_criteria_file(content)
    assert any(found_line == line and words in reason for found_line, reason in refused.value.errors), \
        refused.value.errors


def test_a_shipped_file_with_an_error_is_named(ctx, tmp_path, monkeypatch):
    (tmp_path / "broken.yaml").write_text(THRESHOLDS.replace("min_affected_people: 3", "min_people: 3"))
    monkeypatch.setattr(criteria_sets, "BUILTIN_DIRECTORY", tmp_path)
    with pytest.raises(CriteriaFileError) as refused:
        ensure_builtin_sets()
    assert refused.value.errors[0][1].startswith("broken.yaml: unknown key “min_people”")


def test_a_custom_set_in_one_language_serves_both(ctx):
    criteria_set = install_set(parse_criteria_file(CUSTOM), source="iso.yaml")
    criterion = criteria_set.criteria[0]
    assert criterion.code == "9.1.2"
    assert criterion.text_in("es") == criterion.text_in("en")
    assert criterion.areas_in("es") == ["Customer surveys", "Customer feedback"]
    assert criterion.evidence_source == "9.1.2"


@pytest.mark.parametrize(("content", "line", "words"), [
    (CUSTOM.replace("  - code: \"9.1.2\"\n", "  - code: \"9.1.2\"\n    colour: red\n"), 6, "unknown key “colour”"),
    (CUSTOM.replace("    text: The", "    txt: The"), 6, "unknown key “txt”"),
    (CUSTOM.replace("name:\n  en: ISO 9001 clause 9.1.2\n", ""), 1, "needs “name”"),
    (CUSTOM.replace("code: ISO-9001-912", "code: ISO 9001/912"), 1, "must be a code"),
    (CUSTOM + "  - code: \"9.1.2\"\n    text: again\n", 9, "appears twice"),
    (CUSTOM.replace("[Customer surveys, Customer feedback]", "Customer surveys"), 8, "must be a list"),
    ("code: X\nname: [unclosed\n", 3, "not valid YAML"),
    (CUSTOM.replace("criteria:", "criteria: []\nold:"), 4, "non-empty list"),
])
def test_a_file_with_errors_is_refused_with_line_and_reason(ctx, content, line, words):
    with pytest.raises(CriteriaFileError) as refused:
        parse_criteria_file(content)
    assert any(found_line == line and words in reason for found_line, reason in refused.value.errors), \
        refused.value.errors


def test_every_error_is_reported_not_only_the_first(ctx):
    content = CUSTOM.replace("code: ISO-9001-912", "code: ''").replace("    text: The", "    txt: The")
    with pytest.raises(CriteriaFileError) as refused:
        parse_criteria_file(content)
    assert [line for line, _reason in refused.value.errors] == [1, 5, 6]


def test_a_refused_upload_changes_nothing(client_as, app):
    coordinator = client_as("coordinator", language="en")
    bad = CUSTOM.replace("    text: The", "    txt: The").encode()
    from io import BytesIO

    response = coordinator.post("/evidence/sets", data={"file": (BytesIO(bad), "iso.yaml")},
                                content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Line 6" in page and "unknown key “txt”" in page
    with app.app_context():
        custom_sets = select(func.count()).select_from(CriteriaSet).where(CriteriaSet.builtin.is_(False))
        assert db.session.scalar(custom_sets) == 0
        assert db.session.scalar(select(func.count()).select_from(Criterion).join(CriteriaSet)
                                 .where(CriteriaSet.code == "ISO-9001-912")) == 0

    response = coordinator.post("/evidence/sets", data={"file": (BytesIO(CUSTOM.encode()), "iso.yaml")},
                                content_type="multipart/form-data", follow_redirects=True)
    assert "ISO 9001 clause 9.1.2" in response.get_data(as_text=True)
    with app.app_context():
        custom = db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == "ISO-9001-912"))
        assert [c.code for c in custom.criteria] == ["9.1.2"]


def test_only_coordinators_add_criteria_sets(client_as):
    from io import BytesIO

    for role in ("member", "reviewer"):
        response = client_as(role).post("/evidence/sets", data={"file": (BytesIO(CUSTOM.encode()), "iso.yaml")},
                                        content_type="multipart/form-data")
        assert response.status_code == 403


def test_the_setup_command_stores_the_shipped_sets_once(runner, app):
    first = runner.invoke(args=["evidence", "load-criteria"])
    assert first.exit_code == 0 and "1 criteria set(s) added: FID-A1E1" in first.output
    assert "0 criteria set(s) added." in runner.invoke(args=["evidence", "load-criteria"]).output


def amplified(texts: int = 2000, references: int = 4000) -> str:
    """A criteria file (180 KB) whose first criterion anchors a list of texts every other one names by alias:
    8 million texts to check and store (21 s and over a gigabyte before aliases were refused)."""
    areas = ", ".join(["t"] * texts)
    lines = ["code: BOMB", "name: bomb", "criteria:", f"  - {{code: C0, text: x, areas: {{en: &a [{areas}]}}}}"]
    lines += [f"  - {{code: C{n}, text: x, areas: {{en: *a}}}}" for n in range(1, references)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("content", "line"), [
    (amplified(), 4),
    (CUSTOM.replace("    areas:\n", "    areas: &shared\n"), 7),  # an anchor alone is refused too
    (CUSTOM + "  - code: X2\n    <<: *merged\n", 10),
])
def test_anchors_and_aliases_are_refused_before_anything_is_expanded(ctx, content, line):
    started = time.perf_counter()
    with pytest.raises(CriteriaFileError) as refused:
        parse_criteria_file(content.encode())
    assert time.perf_counter() - started < 1
    [(found_line, reason)] = refused.value.errors
    assert found_line == line and "anchors and aliases" in reason and "are not allowed" in reason


def test_an_aliased_upload_is_refused_and_stores_nothing(client_as, app):
    from io import BytesIO

    response = client_as("coordinator", language="en").post(
        "/evidence/sets", data={"file": (BytesIO(amplified().encode()), "bomb.yaml")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Line 4" in response.get_data(as_text=True) and "are not allowed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CriteriaSet).where(CriteriaSet.code == "BOMB")) == 0


def test_a_file_over_the_size_bound_is_refused_unread(ctx):
    too_big = CUSTOM + "#" * MAX_BYTES
    for content in (too_big, too_big.encode()):
        with pytest.raises(CriteriaFileError) as refused:
            parse_criteria_file(content)
        assert refused.value.errors == [(1, "the file is larger than 512 KB")]
    assert parse_criteria_file(CUSTOM.encode()).code == "ISO-9001-912"  # a normal set still loads
