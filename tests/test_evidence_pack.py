"""The evidence pack: a PDF with cover, contents with page numbers, summary, sections and attached files; kept
until the data changes; built by a job that a second request joins; dated immutable snapshots compared."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.audit_chain import chain_head
from core.extensions import db
from core.timeutil import utcnow
from evidence import packs
from evidence.models import JobState, PackJob, PackSnapshot, SnapshotImmutable
from tests.evidence_fixtures import checklist_ids, near_empty_pages, pdf_upload


@pytest.fixture
def ids(app):
    return checklist_ids(app)


def generate(client, language="en", scope="all"):
    response = client.post("/evidence/packs", data={"scope": scope, "language": language})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def download(client, location) -> bytes:
    if "/jobs/" in location:
        state = client.get(location + "/state").get_json()
        assert state["state"] == "done", state
        location = state["download"]
    response = client.get(location)
    assert response.content_type == "application/pdf"
    return response.data


def text_of(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def evidence_data(app, client_as, ids, make_process, make_user, make_indicator):
    owner = make_user("member", name="Olga Navarro")
    process_id = make_process(code="FID-C01", owner_id=owner.id, name="Welcome new members")
    make_indicator(process_id, code="IND-ALTA")
    coordinator = client_as("coordinator", name="Carmen Ruiz")
    coordinator.post(f"/evidence/criteria/{ids['A1']}/evidence", content_type="multipart/form-data",
                     data={"title": "Map approval minutes", "criteria": [ids["A1"]], "file": pdf_upload("acta.pdf"),
                           "note": "<img src=\"file:///etc/passwd\">", "record": ""})
    coordinator.post(f"/evidence/criteria/{ids['A1']}/self-assessment", data={"status": "met"})
    reviewer = client_as("reviewer", name="Rachel Adams")
    reviewer.post(f"/evidence/criteria/{ids['A1']}/verdict", data={"status": "partly", "comment": "Owners ok"})
    return reviewer


def test_the_pack_has_cover_contents_with_pages_summary_sections_and_attachments(app, evidence_data):
    reviewer = evidence_data
    reader, text = text_of(download(reviewer, generate(reviewer)))
    pages = len(reader.pages)
    assert "Certification evidence pack" in text and "Client-loyalty programme: checklist A1–E1" in text
    assert "Prepared by" in text and "Rachel Adams" in text
    contents = reader.pages[1].extract_text()
    for code in ("A1", "A2", "B1", "B2", "C1", "C2", "C3", "D1", "E1"):
        assert re.search(rf"{code} · .*?\.{{3,}}\s*(\d+)", contents), code
    a1_page = int(re.search(r"A1 · .*?\.{3,}\s*(\d+)", contents).group(1))
    assert "Evidence that the process map for client loyalty" in reader.pages[a1_page - 1].extract_text()
    assert f"1 / {pages}" in reader.pages[0].extract_text()  # running footer with page numbers
    summary = reader.pages[1].extract_text()  # the summary follows the contents on their page
    assert "Checklist summary" in summary and "Partly met" in summary and "Met" in summary
    assert "FID-C01" in text and "Welcome new members" in text
    assert '<img src="file:///etc/passwd">' in text  # a hostile note is printed, not obeyed
    assert list(reader.attachments) == ["A1-1-v1-acta.pdf"]
    assert reader.attachments["A1-1-v1-acta.pdf"][0].startswith(b"%PDF")
    assert "Attached files" in text and "A1-1-v1-acta.pdf" in text


def test_a_pack_in_spanish_and_a_single_criterion_alone(app, evidence_data):
    reviewer = evidence_data
    _reader, text = text_of(download(reviewer, generate(reviewer, language="es")))
    assert "Evidencia de que se ha elaborado el mapa de procesos" in text
    reader, text = text_of(download(reviewer, generate(reviewer, scope="E1")))
    assert "Evidence that an information system for managing with data" in text
    assert "Evidence that the process map for client loyalty" not in text
    assert "Criterion E1 only" in text
    assert list(reader.attachments) == []


def test_the_pack_is_kept_until_the_data_changes(app, evidence_data, ids):
    reviewer = evidence_data
    first = generate(reviewer)
    assert "/jobs/" in first
    again = generate(reviewer)
    assert again.endswith("/download")  # served at once from the kept snapshot
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PackSnapshot)) == 1
    reviewer.post(f"/evidence/criteria/{ids['A2']}/verdict", data={"status": "met"})
    assert "/jobs/" in generate(reviewer)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PackSnapshot)) == 2


def test_a_kept_pack_is_not_reused_while_another_transaction_may_still_commit_older_changes(
        app, evidence_data, monkeypatch):
    reviewer = evidence_data
    generate(reviewer)
    assert generate(reviewer).endswith("/download")
    real = packs.newest_change
    # What PostgreSQL reports while another transaction of the database holds a transaction id.
    monkeypatch.setattr(packs, "newest_change", lambda ignoring=(): (real(ignoring)[0], False))
    assert "/jobs/" in generate(reviewer)


def test_a_request_while_the_pack_is_being_built_joins_the_running_job(app, evidence_data):
    reviewer = evidence_data
    with app.app_context():
        from evidence.criteria_sets import current_set

        criteria_set = current_set()
        running = PackJob(set_id=criteria_set.id, scope="all", language="en", fingerprint=packs.data_version()[0],
                          state=JobState.RUNNING, progress=40, step="Typesetting", attempts=1,
                          active_key=f"{criteria_set.id}:all:en")
        db.session.add(running)
        db.session.commit()
        running_id = running.id
    response = reviewer.post("/evidence/packs", data={"scope": "all", "language": "en"}, follow_redirects=True)
    assert response.request.path == f"/evidence/jobs/{running_id}"
    assert "already being generated: you joined that job" in response.get_data(as_text=True)
    assert reviewer.get(f"/evidence/jobs/{running_id}/state").get_json()["progress"] == 40
    with app.app_context():
        db.session.get(PackJob, running_id).heartbeat_at = utcnow() - timedelta(hours=1)  # its worker died
        db.session.commit()
    # Not started twice by a request: the queue's watchdog decides (tests/test_evidence_pack_jobs.py).
    assert generate(reviewer) == f"/evidence/jobs/{running_id}"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PackJob)) == 1
        assert db.session.get(PackJob, running_id).state == JobState.RUNNING


def test_the_job_runs_on_the_queue_and_reports_progress(app, evidence_data):
    """Immediate mode: the task has run when the request that enqueued it answers, in its own app context."""
    reviewer = evidence_data
    location = generate(reviewer)
    job_id = int(location.rsplit("/", 1)[1])
    page = reviewer.get(location).get_data(as_text=True)
    assert 'data-testid="pack-job"' in page and "js/pack_job.js" in page
    state = reviewer.get(f"/evidence/jobs/{job_id}/state").get_json()
    assert state["state"] == "done" and state["progress"] == 100
    _reader, text = text_of(download(reviewer, state["download"]))
    assert "Checklist summary" in text
    with app.app_context():
        snapshot = db.session.scalar(select(PackSnapshot))
        assert snapshot.created_by.name == "Rachel Adams"
        assert db.session.get(PackJob, job_id).attempts == 1
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "evidence_pack_snapshots"))
        assert entry.actor.name == "Rachel Adams"  # the task acted as the user who asked for the pack


@pytest.mark.parametrize("app_overrides", [{"BABEL_DEFAULT_LOCALE": "es"}])
def test_a_job_speaks_the_language_of_its_pack_to_the_end(app, evidence_data):
    """The job runs where nobody's language is known (the installation's default, Spanish here): an English
    pack's steps are English, its last one too."""
    location = generate(evidence_data, language="en")
    job_id = int(location.rsplit("/", 1)[1])
    state = evidence_data.get(f"/evidence/jobs/{job_id}/state").get_json()
    assert state["state"] == "done" and state["step"] == "Ready"


def test_snapshots_are_immutable_have_a_manifest_and_can_be_compared(app, evidence_data, ids):
    reviewer = evidence_data
    download(reviewer, generate(reviewer))
    reviewer.post(f"/evidence/criteria/{ids['A1']}/verdict", data={"status": "met"})
    download(reviewer, generate(reviewer))
    with app.app_context():
        before, after = db.session.scalars(select(PackSnapshot).order_by(PackSnapshot.id)).all()
        assert before.statuses["A1"]["verdict"] == "partly" and after.statuses["A1"]["verdict"] == "met"
        [entry] = after.manifest
        assert entry["name"] == "A1-1-v1-acta.pdf" and len(entry["sha256"]) == 64 and entry["size"] > 100
        before.page_count = 1
        with pytest.raises(SnapshotImmutable):
            db.session.flush()
        db.session.rollback()
        before_id, after_id = before.id, after.id
    page = reviewer.get(f"/evidence/packs/compare?before={before_id}&after={after_id}").get_data(as_text=True)
    rows = dict(re.findall(r'data-criterion="(\w+)"( class="table-warning")?', page))
    assert rows["A1"] and not rows["A2"]
    assert "partly → met" in page
    listing = reviewer.get("/evidence/packs").get_data(as_text=True)
    assert listing.count("/download") == 2
    manifest = reviewer.get(f"/evidence/packs/{after_id}").get_data(as_text=True)
    assert entry["sha256"] in manifest


@pytest.mark.parametrize("role", ["member"])
def test_members_may_not_generate_or_download_packs(app, client_as, ids, role):
    client = client_as(role)
    assert client.post("/evidence/packs", data={"scope": "all"}).status_code == 403
    assert client.get("/evidence/packs").status_code == 403


def test_the_demo_pack_shows_the_census_and_the_improvement_groups(app, runner):
    """B2 exported alone as a PDF, C1 and C2 on their criterion pages, all from the demo organisation."""
    from core.models import User
    from tests.conftest import sign_in

    assert runner.invoke(args=["demo"]).exit_code == 0
    ids = checklist_ids(app)
    with app.app_context():
        reviewer = db.session.scalar(select(User).where(User.email == "reviewer@demo.test"))
        db.session.expunge(reviewer)
    client = sign_in(app.test_client(), reviewer)
    reader, text = text_of(download(client, generate(client, scope="B2")))
    text = " ".join(text.split())
    assert "Criterion B2 only" in text
    assert "Census updated on" in text and "new and" in text and "lost clients in the last 12 months" in text
    for title in ("New and lost clients per year", "Clients by contribution class", "Segmentation of current",
                  "Exit reasons the clients lost in the last 12 months gave in their exit interviews"):
        assert title in text, title
    assert re.search(r"Exit interviews: \d+ of the \d+ clients lost in the last 12 months who were invited answered",
                     text)
    assert re.search(r"The interviews confirmed \d+ exit reasons of the census, set \d+ that were missing", text)
    # The whole demo pack, in Spanish: its maps on landscape pages, no page left near empty.
    data = download(client, generate(client, language="es"))
    reader = PdfReader(BytesIO(data))
    landscape = [page for page in reader.pages if page.mediabox.width > page.mediabox.height]
    assert len(landscape) >= 3 and 15 <= len(reader.pages) <= 30
    continued, short = near_empty_pages(data)
    assert continued >= 3 and short == [], short
    for code, words in (("C1", ("3 improvements qualify (3 needed)", "Improvements and the C1 rule")),
                        ("C2", ("3 of 3 implemented improvements have a value before and after",
                                "Before and after each implemented improvement",
                                "2 of 3 implemented improvements are understood by clients",
                                "say they know about the change (Oleada", "Clients know about the change"))):
        page = client.get(f"/evidence/criteria/{ids[code]}").get_data(as_text=True)
        for word in words:
            assert word in page, (code, word)
        assert re.search(r'href="/improvements/\d+"', page), code
    page = client.get(f"/evidence/criteria/{ids['B2']}").get_data(as_text=True)
    assert "Exit interviews:" in page and "wait for review against the census" in page
    assert re.search(r'href="/surveys/waves/\d+/exit-reasons"', page)


def test_the_pack_prints_the_audit_trails_seal_at_its_data_as_at(app, evidence_data, runner):
    reviewer = evidence_data
    with app.app_context():
        head = chain_head(db.session.connection())
    _reader, text = text_of(download(reviewer, generate(reviewer)))
    flat = re.sub(r"\s+", "", text)
    assert "Audit trail seal" in text and f"entry {head.seq} of the audit trail" in text
    assert head.seal in flat and f"flaskauditverify--head{head}" in flat
    with app.app_context():
        snapshot = db.session.scalar(select(PackSnapshot))
        assert snapshot.audit_head == str(head)
    assert head.seal in reviewer.get(f"/evidence/packs/{snapshot.id}").get_data(as_text=True)
    verified = runner.invoke(args=["audit", "verify", "--head", str(head)])
    assert verified.exit_code == 0, verified.output
