"""The global search (core.search): one service over every package's providers, full-text on PostgreSQL and
LIKE on SQLite, without case or accents, grouped by kind, paginated, and only what the person may open — never a
survey's links or answers."""

from datetime import date

import pytest
from sqlalchemy import event

from core import search, signals
from core.extensions import db
from core.models import Role, User
from evidence import services as evidence_services
from improvements.models import Improvement
from surveys.models import Invitation
from tests.evidence_fixtures import checklist_ids, criterion
from tests.surveys_fixtures import CLIENT_ANSWER
from voice.models import Channel, Complaint, ComplaintCategory, ContactKind, Requirement, RequirementSource

TODAY = date.today()


@pytest.fixture
def records(app, make_user, make_process, make_indicator, make_client, make_group, make_improvement, make_survey,
            make_wave, add_answers):
    """One record of every kind the search finds, all about "Ferretería Núñez", owned by another person."""
    owner = make_user("coordinator", name="Someone Else")
    owner_id = owner.id
    process = make_process(code="P-GEST", name="Gestión de pedidos", owner_id=owner.id,
                           purpose="Atender los pedidos de Ferretería Núñez")
    make_indicator(process, code="IND-PLAZO", name="Plazo de entrega a Ferretería Núñez")
    client = make_client(code="C-0042", name="Ferretería Núñez")
    group = make_group(members={owner.id: "Member"})
    make_improvement(group, title="Respuestas escritas a Ferretería Núñez")
    survey = make_survey(title="Satisfacción Ferretería Núñez", anonymous=True)
    wave = make_wave(survey, invitees=[{"name": "Ferretería Núñez contact", "email": "nunez@example.org"}])
    add_answers(wave, [dict(CLIENT_ANSWER, comment="Ferretería Núñez secret remark")] * 6)
    checklist_ids(app)
    with app.app_context():
        category = ComplaintCategory(name="Plazos")
        db.session.add_all([
            Complaint(kind=ContactKind.COMPLAINT, received_on=TODAY, channel=Channel.PHONE, category=category,
                      description="Ferretería Núñez: las quejas por retrasos", client_id=client, reference="Q-77"),
            Requirement(statement="Ferretería Núñez pide respuestas por escrito", source=RequirementSource.COMPLAINT,
                        identified_on=TODAY)])
        evidence_services.add_evidence("Acta con Ferretería Núñez", criteria=[criterion("B1")],
                                       actor=db.session.get(User, owner_id))
        db.session.commit()
        token = db.session.scalar(db.select(Invitation.token))
    return {"owner": owner_id, "token": token}


KINDS = {"process", "indicator", "client", "complaint", "requirement", "improvement", "survey", "evidence"}


def found(client, query: str, **args) -> str:
    response = client.get("/search", query_string={"q": query, **args})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def kinds_in(html: str) -> set[str]:
    return {kind for kind in KINDS if f'data-testid="hits-{kind}"' in html}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR, Role.MEMBER, Role.REVIEWER])
def test_every_role_finds_what_it_may_open_and_never_a_link_or_an_answer(client_as, records, role):
    html = found(client_as(role), "ferreteria nunez")
    assert kinds_in(html) == KINDS  # every kind is open to every signed-in role for reading
    assert records["token"] not in html and "nunez@example.org" not in html and "secret remark" not in html
    assert "Ferretería Núñez contact" not in html  # invitees are never searched
    assert "secret" not in kinds_in(found(client_as(role), "secret remark")) and \
        'data-testid="hits-' not in found(client_as(role), "secret remark")


def test_signed_out_visitors_are_sent_to_sign_in(client, records):
    response = client.get("/search?q=ferreteria")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_case_accents_and_codes_do_not_matter(client_as, records):
    reader = client_as("member")
    for query in ("FERRETERÍA", "ferreteria", "núñez", "NUNEZ"):
        assert "client" in kinds_in(found(reader, query)), query
    assert 'href="/clients/' in found(reader, "c-0042")
    assert "Q-77" in found(reader, "q-77")
    assert "Gestión de pedidos" in found(reader, "gestion pedidos")
    assert kinds_in(found(reader, "gestion nowhere-to-be-found")) == set()


def test_postgresql_matches_words_by_their_stem_in_the_readers_language(app, client_as, records):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("full-text search is PostgreSQL's; SQLite matches parts of words")
    # The page searches in the reader's language.
    assert 'data-testid="hits-complaint"' in found(client_as("member", language="es"), "retrasado")
    assert 'data-testid="hits-complaint"' not in found(client_as("member", language="en"), "retrasado")
    with app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(User, records["owner"]))
        # The text says "quejas" and "retrasos"; "quejarse" and "retrasado" are in it only by their Spanish stems.
        assert search.search("quejarse", language="es").counts.get("complaint") == 1
        assert search.search("retrasado", language="es").counts.get("complaint") == 1
        assert "complaint" not in search.search("retrasado", language="en").counts


def test_results_are_grouped_by_kind_counted_and_paginated(app, client_as, records, make_client):
    for number in range(25):
        make_client(code=f"NZ-{number:02d}", name=f"Núñez e hijos {number:02d}")
    reader = client_as("member")
    html = found(reader, "nunez")
    assert html.index('data-testid="hits-process"') < html.index('data-testid="hits-client"')
    assert "Clients <span class=\"small text-body-secondary\">(26)" in html
    assert "1–20 of 33" in html and 'aria-label="Pages"' in html
    second = found(reader, "nunez", kind="client", page=2)
    assert kinds_in(second) == {"client"} and "21–26 of 26" in second and "NZ-24" in second


def test_the_statement_count_does_not_grow_with_the_data(app, client_as, records, make_client):
    reader = client_as("reviewer")
    counted = []

    def count(*_args):
        counted.append(1)

    with app.app_context():
        engine = db.engine

    def statements() -> int:
        counted.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            found(reader, "nunez")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(counted)

    found(reader, "nunez")
    small = statements()
    for number in range(40):
        make_client(code=f"NZ-{number:02d}", name=f"Núñez {number}")
    assert statements() == small


def test_a_package_left_out_is_not_searched(app, records):
    with app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(User, records["owner"]))
        app.extensions[signals.HOOKS_KEY] = [h for h in app.extensions[signals.HOOKS_KEY] if h != "voice.hooks"]
        counts = search.search("ferreteria nunez").counts
    assert "complaint" not in counts and "requirement" not in counts and counts["client"] == 1


def test_empty_and_unmatched_queries_say_what_to_do(client_as, records):
    reader = client_as("member")
    assert "What are you looking for?" in found(reader, "")
    assert "Nothing found" in found(reader, "zzzz")
    assert "Nothing found" in found(reader, "%_%")  # LIKE's wildcards are not words


def test_improvements_of_another_group_are_found(app, client_as, records):
    with app.app_context():
        improvement = db.session.scalar(db.select(Improvement))
    html = found(client_as("member"), "respuestas escritas")
    assert f'href="/improvements/{improvement.id}"' in html


def test_words_are_folded_and_limited():
    assert search.words("  Gestión   P-03 ÑANDÚ ") == ["gestion", "p", "03", "nandu"]
    assert len(search.words(" ".join(["a"] * 20))) == search.MAX_WORDS
    assert search.fold("Ferretería NÚÑEZ") == "ferreteria nunez"
