"""Anonymity end to end (issue 11, item 4): a known person answers an anonymous staff wave through their own
link, and nothing a coordinator, an admin or a reviewer can reach ties them to their answers.

Every GET endpoint of ``app.url_map`` is crawled for the three roles, with its ids filled with the records
built here (the wave, its survey, an item, the improvement group, the person, the D1 criterion, the evidence
pack), before the answer, after it, and after the batch that releases it. Then another known person answers
after that release: no page or export moves by their one response (the results page with its breakdowns, the
exports, the D1 evidence, the group page), until a whole batch more is released. Endpoints that need
another kind of record are listed in ``OTHER_RECORDS``; an endpoint with an id this test cannot fill and that
is not listed fails the test. Besides pages and exports: the audit trail (its rows), the stored files, the
evidence pack's PDF text and everything the app logged.
"""

import io
import json
import logging
import re

import openpyxl
from flask import url_for
from pypdf import PdfReader
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter

from core.audit import AuditEntry
from core.extensions import db
from core.files import StoredFile
from surveys import invitations as invitation_service
from surveys.models import Audience, Invitation, Survey, Wave
from tests.conftest import sign_in
from tests.evidence_fixtures import checklist_ids
from tests.surveys_fixtures import STAFF_ANSWER, form_for

#: GET endpoints whose ids name records of other kinds (or a token, tested directly), left out of the crawl.
OTHER_RECORDS = {
    "certification.cycle": "certification cycles", "certification.edit_cycle": "certification cycles",
    "certification.move_cycle": "certification cycles", "certification.compare_cycles": "certification cycles",
    "certification.cycle_findings": "certification cycles",
    "certification.export_cycle_findings": "certification cycles",
    "certification.new_finding": "certification cycles", "certification.finding": "findings",
    "certification.answer": "findings",
    "api_census_writes.absent_clients": "census imports", "api_complaint_writes.complaint_by_reference": "complaints",
    "answer.invitation": "a personal link: compared used/unused directly below",
    "answer.public": "staff waves have no public link",
    "answer.invitation_logo": "the logo under a personal link", "answer.public_logo": "the logo under a public link",
    "evidence.evidence_revision_file": "stored files are read from the database below",
    "improvements.evidence_file": "stored files", "improvements.training_material": "stored files",
    "processes.process_document": "stored files",
    "loyalty.import_file": "uploads", "voice.import_complaints_file": "uploads",
    "processes.import_measurements_file": "uploads", "surveys.import_responses_file": "uploads",
    "evidence.pack_job": "pack jobs", "evidence.pack_job_state": "pack jobs",
    "improvements.edit_criterion": "prioritisation criteria",
    "improvements.edit_plan": "improvements", "improvements.improvement_detail": "improvements",
    "improvements.confirm_status": "improvements",
    "improvements.new_process_change": "improvements", "improvements.smart_check": "improvements",
    "improvements.remove_member": "group memberships",
    "voice.activity_detail": "listening activities", "voice.edit_activity": "listening activities",
    "loyalty.client_detail": "clients", "loyalty.edit_client": "clients",
    "voice.complaint_detail": "complaints", "voice.edit_complaint": "complaints",
    "voice.edit_requirement": "requirements", "voice.requirement_detail": "requirements",
    "loyalty.import_check": "census imports", "loyalty.import_done": "census imports",
    "loyalty.remove_demo_census": "census imports",
    "core.forget_import_match": "remembered import matches",
    "voice.import_complaints_check": "uploads", "processes.import_measurements_check": "uploads",
    "surveys.import_responses_check": "uploads",
    "processes.diagram": "processes", "processes.diagram_svg": "processes", "processes.edit_process": "processes",
    "processes.new_indicator": "processes", "processes.new_stage": "processes",
    "processes.process_detail": "processes", "processes.revisions": "processes", "processes.edit_stage": "processes",
    "processes.published_sheet": "processes",
    "processes.edit_indicator": "indicators", "processes.export_indicator": "indicators",
    "processes.indicator_detail": "indicators", "processes.measurement_grid": "indicators",
    "processes.edit_interface": "interfaces", "processes.edit_programme": "programmes",
    "processes.service_cycle": "programmes", "processes.new_moment": "programmes",
    "processes.edit_moment": "moments of the service cycle",
    "processes.change_process_status": "processes", "evidence.use_set": "criteria sets",
    "evidence.reload_set": "criteria sets",
    "static": "static files",
    # The REST API (crawled with each role's bearer token): the endpoints of records of other kinds.
    "api_processes.process": "processes", "api_processes.indicator": "indicators",
    "api_processes.indicator_measurements": "indicators", "api_processes.indicator_benchmarks": "indicators",
    "api_processes.measurement": "measurements", "api_loyalty.client": "clients",
    "api_voice.complaint": "complaints", "api_voice.requirement": "requirements",
    "api_voice.activity": "listening activities", "api_improvements.improvement": "improvements",
}
EXPORTS = ("surveys.export_responses", "surveys.export_results", "surveys.export_invitations")
COMMENT = "Zebra quartz lantern 7731"
NAME, EMAIL = "Iñaki Zubiri Etxeberria", "izubiri@example.test"
#: The known person's answers: 1 on every question, where everyone else answers 4 or 5.
DISTINCT = {key: 1 for key in STAFF_ANSWER if key != "comment"}
#: Another known person's answers, after the first batch: 2 on every question (nobody else answers 2).
LAST, LAST_COMMENT = {key: 2 for key in STAFF_ANSWER if key != "comment"}, "Umbrella walrus 4410"
#: What one more answer may change: the notices of responses waiting for their batch, and the wave page's
#: count of links used (docs/anonymity.md, "Counts").
WAITING = re.compile(r'<(p|span)[^>]*data-testid="(?:waiting|waiting-count|participation-waiting|invitation-counts)"'
                     r'[^>]*>.*?</\1>|"waiting(?:_for)?": ?\d+', re.S)
BLOCK = re.compile(r"(?=<(?:tr|li|p|div|h[1-6]|section|option|table|dt|dd)\b)")
VOLATILE = re.compile(r'(name="csrf_token"[^>]*value="|content="|nonce=")[^"]*"')


def _text(response) -> str:
    """A page or export as text: XLSX cells one row a line, PDF text, HTML and CSV as they are."""
    data = response.data
    if data[:2] == b"PK":
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(";".join("" if v is None else str(v) for v in row)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    if data[:4] == b"%PDF":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", "replace")


def _blocks(text: str) -> set[str]:
    """A page cut where rows, paragraphs and list items start, so a per-person row is one block."""
    # The crawl's own API tokens are listed with their time of last use: the crawl's trace, not the answer's.
    return {block.strip() for block in BLOCK.split(VOLATILE.sub("", re.sub(r"\s+", " ", text)))
            if block.strip() and "<td>Crawl</td>" not in block}


def _rows(text: str) -> list[str]:
    """The data rows of a CSV or XLSX export (header left out), sorted; none while the export is not
    available yet (the request is sent back to the results page, which says when it will be)."""
    if text.lstrip().startswith("<"):
        return []
    return sorted(line for line in text.splitlines()[1:] if line.strip())


def _urls(app, ids: dict) -> tuple[list[tuple[str, str]], set[str]]:
    """(endpoint, url) for every GET endpoint whose ids are filled; and the endpoints that could not be."""
    urls, unfilled = [], set()
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in OTHER_RECORDS:
                continue
            values = [{}]
            for name in rule.arguments:
                converter = rule._converters[name]
                if isinstance(converter, AnyConverter):
                    values = [{**v, name: item} for v in values for item in sorted(converter.items)]
                elif (rule.endpoint, name) in ids or name in ids:
                    value = ids.get((rule.endpoint, name), ids.get(name))
                    values = [{**v, name: value} for v in values]
                else:
                    unfilled.add(rule.endpoint)
            if rule.endpoint not in unfilled:
                urls += [(rule.endpoint, url_for(rule.endpoint, **v)) for v in values]
    return urls, unfilled


def _crawl(clients: dict, urls) -> dict:
    """``{(role, url): text}`` of every page and export for every role."""
    found = {}
    for role, client in clients.items():
        for _endpoint, url in urls:
            response = client.get(url)
            assert response.status_code < 500, f"{url} as {role}: {response.status_code}"
            found[(role, url)] = _text(response)
    return found


def _build(app, make_user, make_group, make_survey, make_wave):
    """Ten staff members of one improvement group invited to an anonymous participation wave; the known
    person (named, with an e-mail) among them."""
    person = make_user("member", name=NAME, email=EMAIL)
    others = [make_user("member", name=f"Colleague {n}", email=f"colleague{n}@example.test") for n in range(9)]
    group = make_group(name="Group Delta", members={u.id: "member" for u in [person, *others]})
    survey = make_survey("staff_participation", anonymous=True, audience=Audience.STAFF)
    wave = make_wave(survey, name="Participation 2026")
    with app.app_context():
        invitation_service.invite(db.session.get(Wave, wave), invitation_service.group_invitees([group]))
        db.session.commit()
        tokens = dict(db.session.execute(select(Invitation.user_id, Invitation.token)
                                         .where(Invitation.wave_id == wave)).all())
        item = db.session.get(Survey, survey).items[0].id
    return person, others, group, survey, wave, item, tokens


def _token_of(app, user) -> str:
    """A read token of ``user``, for the API's share of the crawl."""
    from accounts import tokens as api_tokens
    from core.models import User

    with app.app_context():
        _token, secret = api_tokens.create_token(db.session.get(User, user.id), name="Crawl", scope="read", days=30)
        db.session.commit()
    return secret


def _answer(app, wave, user, token, values):
    client = sign_in(app.test_client(), user)  # signed in while answering: the worst case for a side channel
    assert client.post(f"/s/{token}", data=form_for(app, wave, values)).status_code == 302


def test_nothing_reachable_ties_a_known_person_to_their_answers(app, make_user, make_group, make_survey,
                                                                   make_wave, caplog):
    caplog.set_level(logging.DEBUG)
    criteria = checklist_ids(app)
    person, others, group, survey, wave, item, tokens = _build(app, make_user, make_group, make_survey, make_wave)
    users = {role: make_user(role) for role in ("coordinator", "admin", "reviewer")}
    clients = {role: sign_in(app.test_client(), user) for role, user in users.items()}
    for role, client in clients.items():  # the API reads no session: the same person's token (pages ignore it)
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {_token_of(app, users[role])}"
    assert clients["coordinator"].post("/evidence/packs", data={"scope": "all", "language": "en"}).status_code == 302
    with app.app_context():
        from evidence.models import PackSnapshot

        snapshot = db.session.scalar(select(func.max(PackSnapshot.id)))
    ids = {"wave_id": wave, "survey_id": survey, "item_id": item, "group_id": group, "user_id": person.id,
           "snapshot_id": snapshot, ("evidence.criterion", "criterion_id"): criteria["D1"]}
    urls, unfilled = _urls(app, ids)
    assert unfilled == set(), f"endpoints with ids this test cannot fill: list them in OTHER_RECORDS: {unfilled}"
    assert {e for e, _u in urls} >= {"surveys.wave", "surveys.wave_results", "core.audit_trail", "loyalty.imports",
                                     "improvements.group_detail", "evidence.criterion", *EXPORTS,
                                     "api_surveys.wave_results", "api_surveys.wave", "api_improvements.group"}
    with app.app_context():
        audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))

    before = _crawl(clients, urls)
    unused_page = app.test_client().get(f"/s/{tokens[person.id]}").get_data(as_text=True)
    _answer(app, wave, person, tokens[person.id], {**DISTINCT, "comment": COMMENT})
    after = _crawl(clients, urls)

    # The link looks the same used or not: opening it does not tell whether its owner answered.
    used_page = app.test_client().get(f"/s/{tokens[person.id]}").get_data(as_text=True)
    other_page = app.test_client().get(f"/s/{tokens[others[0].id]}").get_data(as_text=True)
    assert _blocks(used_page) == _blocks(unused_page) == _blocks(other_page)

    identities = [NAME, EMAIL, *(o.name for o in others), *(o.email for o in others)]
    for key, text in after.items():
        # No page or export shows whose link is whose, before or after.
        assert not any(token in text or token in before[key] for token in tokens.values()), key
        # What changed because of the answer is never shown beside a person (no "answered" mark, no date).
        changed = _blocks(text) - _blocks(before[key])
        assert not [block for block in changed if any(who in block for who in identities)], key
        # The answer's content did not reach any page yet: the wave has fewer responses than it shows.
        assert COMMENT not in text, key
    # The exports did not change: the response waits for a batch.
    export_urls = [(e, u) for e, u in urls if e in EXPORTS]
    for key in ((role, u) for role in clients for _e, u in export_urls):
        assert after[key] == before[key], key

    for colleague in others[:4]:  # four more answers complete a batch of five
        _answer(app, wave, colleague, tokens[colleague.id], {**STAFF_ANSWER, "comment": "Fine, thanks"})
    released = _crawl(clients, export_urls)
    pages = _crawl(clients, urls)
    assert COMMENT in released[("reviewer", url_of(app, "surveys.export_responses", wave_id=wave, fmt="csv"))]
    for role in clients:  # the two exports differ by the whole batch, never by one response
        url = url_of(app, "surveys.export_responses", wave_id=wave, fmt="csv")
        new_rows = set(_rows(released[(role, url)])) - set(_rows(after[(role, url)]))
        assert len(_rows(released[(role, url)])) - len(_rows(after[(role, url)])) == 5 and new_rows, role
    api_results = ("reviewer", url_of(app, "api_surveys.wave_results", wave_id=wave))  # read with the token
    assert json.loads(after[api_results])["hidden"] is True and json.loads(after[api_results])["responses"] == 0
    assert json.loads(pages[api_results])["responses"] == 5 and json.loads(pages[api_results])["items"]
    for key, text in [*released.items(), *pages.items()]:
        assert not (COMMENT in text and any(who in text for who in (NAME, EMAIL))), key

    # Another known person answers after the release: nothing shown moves, not even by one response.
    _answer(app, wave, others[4], tokens[others[4].id], {**LAST, "comment": LAST_COMMENT})
    one_more = _crawl(clients, urls)
    results_page = ("reviewer", url_of(app, "surveys.wave_results", wave_id=wave))
    assert "1 response is not shown yet." in one_more[results_page]
    for key, text in one_more.items():
        assert LAST_COMMENT not in text, key
        assert _blocks(WAITING.sub("", text)) == _blocks(WAITING.sub("", pages[key])), key
    for key in ((role, u) for role in clients for _e, u in export_urls):
        assert one_more[key] == pages[key], key
    for colleague in others[5:]:  # four more: the next batch, and the page moves by five responses at once
        _answer(app, wave, colleague, tokens[colleague.id], {**STAFF_ANSWER, "comment": "Fine, thanks"})
    second = _crawl(clients, [(e, u) for e, u in urls if e in (*EXPORTS, "surveys.wave_results")])
    assert LAST_COMMENT in second[results_page] and "not shown yet" not in second[results_page]
    assert 'data-testid="response-count">10<' in second[results_page]
    csv = url_of(app, "surveys.export_responses", wave_id=wave, fmt="csv")
    assert len(_rows(second[("reviewer", csv)])) - len(_rows(one_more[("reviewer", csv)])) == 5

    with app.app_context():
        # Answering wrote nothing to the audit trail (no response, no answer, no link marked used).
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(audit_before)).all()
        assert [e.entity_type for e in entries if e.entity_type.startswith("survey_") and
                e.entity_type != "survey_export_releases"] == []
        assert not [e for e in entries if COMMENT in str(e.changes) or tokens[person.id] in str(e.changes)]
        for stored in db.session.scalars(select(StoredFile)):
            content = _text(type("R", (), {"data": stored.data})())
            assert not (COMMENT in content and NAME in content), stored.filename
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert COMMENT not in logged and tokens[person.id] not in logged and EMAIL not in logged


def url_of(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)
