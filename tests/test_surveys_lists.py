"""The survey lists: the surveys searched and exported, and a wave's invitations a page at a time, searched,
exported, with their used links shown for named waves only and their personal links for those who invite."""

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select, update

from core.extensions import db
from surveys.models import Audience, Invitation
from tests.test_evidence_dashboard import count_statements

ROLES = ("admin", "coordinator", "member", "reviewer")


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "private, no-store"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


def _xlsx(response) -> list[tuple]:
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    return list(sheet.iter_rows(values_only=True))


def _wave_with(app, make_survey, make_wave, count, *, anonymous, used=()):
    survey = make_survey("client_satisfaction", anonymous=anonymous, title="Named" if not anonymous else None)
    people = [{"name": f"Person {n:03d}", "email": f"person{n:03d}@example.test",
               "segment": "North" if n % 2 else "South"} for n in range(count)]
    wave = make_wave(survey, name="Spring", invitees=people)
    with app.app_context():
        if used:
            db.session.execute(update(Invitation).where(Invitation.name.in_(list(used))).values(used=True))
            db.session.commit()
        tokens = dict(db.session.execute(select(Invitation.name, Invitation.token)).all())
    return wave, tokens


def test_a_wave_lists_its_invitations_a_page_at_a_time(app, make_survey, make_wave, client_as):
    wave, tokens = _wave_with(app, make_survey, make_wave, 60, anonymous=False)
    coordinator = client_as("coordinator")
    first = coordinator.get(f"/surveys/waves/{wave}").get_data(as_text=True)
    # By segment (North: the odd numbers), then name.
    assert "Person 001" in first and "Person 049" in first and "Person 051" not in first and "Person 000" not in first
    assert first.count('data-testid="link-used"') == 25 and "60 invitations" in first
    assert f'href="/surveys/waves/{wave}?page=2"' in first
    third = coordinator.get(f"/surveys/waves/{wave}?page=3").get_data(as_text=True)
    assert "Person 040" in third and "Person 058" in third and "Person 038" not in third
    # The invite forms come before the list, and choose with checkboxes (no Ctrl-click multi-select).
    assert first.index('data-testid="invite-forms"') < first.index('data-testid="invitations"')
    assert "<select multiple" not in first and "select multiple" not in first


def test_invitations_are_searched_and_a_named_wave_shows_which_links_were_used(app, make_survey, make_wave,
                                                                               client_as):
    wave, tokens = _wave_with(app, make_survey, make_wave, 30, anonymous=False, used=("Person 007", "Person 012"))
    coordinator = client_as("coordinator")
    found = coordinator.get(f"/surveys/waves/{wave}?q=person00").get_data(as_text=True)
    assert "10 of 30 invitations match." in found and "Person 009" in found and "Person 010" not in found
    assert tokens["Person 007"] in found and 'data-copy-target="link-' in found  # the link, with a copy button
    used = coordinator.get(f"/surveys/waves/{wave}?use=used").get_data(as_text=True)
    assert "2 of 30 invitations match." in used and "Person 007" in used and "Person 012" in used
    assert used.count("Used: answered</span>") == 2
    unused = coordinator.get(f"/surveys/waves/{wave}?use=unused&q=person01").get_data(as_text=True)
    assert "9 of 30 invitations match." in unused and "Person 012" not in unused
    literal = coordinator.get(f"/surveys/waves/{wave}?q=%25").get_data(as_text=True)
    assert "No invitation matches the search." in literal  # "%" is searched for, not a wildcard


@pytest.mark.parametrize("role", ROLES)
def test_the_invitations_export_gives_links_only_to_those_who_invite(app, make_survey, make_wave, client_as, role):
    wave, tokens = _wave_with(app, make_survey, make_wave, 30, anonymous=False, used=("Person 003",))
    rows = _rows(client_as(role).get(f"/surveys/waves/{wave}/invitations.csv?use=unused&q=north"))
    links = role != "reviewer"
    assert rows[0] == ["Name", "E-mail", "Typology", "Segment or group", "Answered", "E-mailed on",
                       *(["Link"] if links else [])]
    assert [row[0] for row in rows[1:]] == [f"Person {n:03d}" for n in range(1, 30, 2) if n != 3]
    assert {row[4] for row in rows[1:]} == {"no"} and {row[3] for row in rows[1:]} == {"North"}
    text = "\n".join(",".join(row) for row in rows)
    assert any(token in text for token in tokens.values()) is links
    if links:
        assert rows[1][6].endswith(f"/s/{tokens['Person 001']}")
    sheet = _xlsx(client_as(role).get(f"/surveys/waves/{wave}/invitations.xlsx?q=Person 003"))
    assert sheet[1][:5] == ("Person 003", "person003@example.test", None, "North", "yes")


@pytest.mark.parametrize("role", ROLES)
def test_an_anonymous_wave_never_says_whose_link_was_used(app, make_survey, make_wave, client_as, role):
    used = ("Person 001", "Person 004")
    wave, tokens = _wave_with(app, make_survey, make_wave, 8, anonymous=True, used=used)
    client = client_as(role)
    page = client.get(f"/surveys/waves/{wave}").get_data(as_text=True)
    assert "2 of 8 invited have answered." in page
    assert "Link used" not in page and "Used: answered" not in page and 'name="use"' not in page
    assert not any(token in page for token in tokens.values())
    # A use filter sent by hand is ignored: the same list, used or not.
    assert client.get(f"/surveys/waves/{wave}?use=used").get_data(as_text=True).count("Person 00") == 8
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/surveys/waves/{wave}/invitations.{fmt}?use=used")
        rows = _rows(response) if fmt == "csv" else [[str(v) for v in r] for r in _xlsx(response)]
        assert rows[0] == ["Name", "E-mail", "Typology", "Segment or group"]
        assert len(rows) == 9
        assert not any(token in cell for row in rows for cell in row for token in tokens.values())
    # Whose link was used never changes an export of an anonymous wave.
    with app.app_context():
        db.session.execute(update(Invitation).values(used=False))
        db.session.commit()
    again = _rows(client.get(f"/surveys/waves/{wave}/invitations.csv"))
    assert again == _rows(client.get(f"/surveys/waves/{wave}/invitations.csv?use=unused"))
    assert len(again) == 9


def test_the_invite_forms_choose_with_checkboxes_and_a_filter(app, make_survey, make_wave, make_user, client_as):
    people = [make_user("member", name=f"Staff {n}") for n in range(8)]
    survey = make_survey("staff_participation", anonymous=True, audience=Audience.STAFF)
    wave = make_wave(survey)
    coordinator = client_as("coordinator")
    page = coordinator.get(f"/surveys/waves/{wave}").get_data(as_text=True)
    assert 'data-testid="invite-users-filter"' in page and 'type="checkbox" name="users"' in page
    assert "js/lists.js" in page and "<script>" not in page
    chosen = [people[0].id, people[3].id]
    assert coordinator.post(f"/surveys/waves/{wave}/invitations/staff",
                            data={"users": chosen, "group": "Team A"}).status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(select(Invitation.name))) == ["Staff 0", "Staff 3"]


@pytest.mark.parametrize("role", ROLES)
def test_the_surveys_are_searched_filtered_and_exported(app, make_survey, make_wave, client_as, role):
    client_survey = make_survey("client_satisfaction", anonymous=False, title="Clients 2026")
    staff_survey = make_survey("staff_participation", anonymous=True, audience=Audience.STAFF, title="Staff 2026")
    make_wave(client_survey, name="Autumn wave")
    make_wave(staff_survey, name="Participation")
    client = client_as(role)
    page = client.get("/surveys/?q=autumn").get_data(as_text=True)
    assert "Clients 2026" in page and "Staff 2026" not in page
    assert "Clients 2026" not in client.get("/surveys/?anonymity=anonymous").get_data(as_text=True)
    rows = _rows(client.get("/surveys/export.csv?audience=staff"))
    assert rows[0] == ["Survey", "Audience", "Anonymous", "Language", "Wave", "Opens on", "Closes on", "Status",
                       "Responses"]
    assert rows[1:] == [["Staff 2026", "Staff", "yes", "en", "Participation", "2020-01-01", "", "Open", "0"]]
    sheet = _xlsx(client.get("/surveys/export.xlsx?q=2026"))
    assert [row[0] for row in sheet[1:]] == ["Clients 2026", "Staff 2026"]


def test_the_public_link_has_a_copy_button_for_those_who_invite(app, make_survey, make_wave, client_as):
    wave = make_wave(make_survey("client_satisfaction"), public_link=True)
    assert 'data-copy-target="public-link"' in client_as("coordinator").get(f"/surveys/waves/{wave}").get_data(
        as_text=True)
    assert 'data-copy-target="public-link"' not in client_as("reviewer").get(f"/surveys/waves/{wave}").get_data(
        as_text=True)


def test_the_wave_page_reads_as_many_statements_for_600_invitations_as_for_30(app, make_survey, make_wave,
                                                                              client_as):
    small, _tokens = _wave_with(app, make_survey, make_wave, 30, anonymous=False)
    large = make_wave(make_survey("client_satisfaction", anonymous=False), name="Large",
                      invitees=[{"name": f"Big {n:04d}"} for n in range(600)])
    coordinator = client_as("coordinator")
    coordinator.get(f"/surveys/waves/{small}")
    assert count_statements(app, coordinator, f"/surveys/waves/{large}") == count_statements(
        app, coordinator, f"/surveys/waves/{small}")
    page = coordinator.get(f"/surveys/waves/{large}").get_data(as_text=True)
    assert page.count('data-testid="link-used"') == 25 and "600 invitations" in page
