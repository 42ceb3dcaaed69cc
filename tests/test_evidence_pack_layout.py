"""The evidence pack as a certifier reads it: a cover with scope, "data as at" once, identifier, content SHA-256
and sign-off; a summary with full criterion texts linked to their sections; maps on landscape pages; no
near-empty page; reviewer findings with their follow-ups; a tagged, archivable PDF with bookmarks."""

import re
from datetime import datetime
from io import BytesIO

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.extensions import db
from core.files import Owner, store_upload
from core.models import Organisation
from core.pdf import html_to_pdf, pdf_static
from evidence import pack_facts
from evidence.models import PackSnapshot
from tests.evidence_fixtures import checklist_ids, criterion, near_empty_pages, page_texts, pdf_upload
from tests.test_core_file_access import PNG
from tests.test_evidence_pack import download, generate

CODES = ("A1", "A2", "B1", "B2", "C1", "C2", "C3", "D1", "E1")


@pytest.fixture
def pack(app, client_as, make_process, make_user, make_indicator):
    """A pack in English of a small organisation: a process map, a file, a self-assessment, a "partly" verdict
    followed by new evidence, a "met" verdict by a second reviewer, and a D1 section longer than a page."""
    ids = checklist_ids(app)
    owner = make_user("member", name="Olga Navarro")
    process_id = make_process(code="FID-C01", owner_id=owner.id, name="Welcome new members")
    make_indicator(process_id, code="IND-ALTA", values={datetime(2025, 1, 1).date(): 10})
    coordinator = client_as("coordinator", name="Carmen Ruiz")
    coordinator.post(f"/evidence/criteria/{ids['A1']}/evidence", content_type="multipart/form-data",
                     data={"title": "Map approval minutes", "criteria": [ids["A1"]], "file": pdf_upload("acta.pdf"),
                           "note": "", "record": ""})
    coordinator.post(f"/evidence/criteria/{ids['A1']}/self-assessment", data={"status": "met"})
    reviewer = client_as("reviewer", name="Rachel Adams")
    reviewer.post(f"/evidence/criteria/{ids['A1']}/verdict", data={"status": "partly", "comment": "Owners missing"})
    client_as("reviewer", name="Bruno Díaz").post(f"/evidence/criteria/{ids['B2']}/verdict", data={"status": "met"})
    coordinator.post(f"/evidence/criteria/{ids['A1']}/evidence", data={
        "title": "Owners named in the sheets", "criteria": [ids["A1"]], "note": "Done", "record": ""})
    for number in range(1, 13):  # enough manual evidence for D1's section to run over its first page
        coordinator.post(f"/evidence/criteria/{ids['D1']}/evidence", data={
            "title": f"Training record {number}", "criteria": [ids["D1"]], "record": "",
            "note": "Course attended by the team.\nHours: 6.\nTrainer: external.\nCertificate kept by HR."})
    data = download(reviewer, generate(reviewer))
    with app.app_context():
        snapshot = db.session.scalar(select(PackSnapshot).order_by(PackSnapshot.id.desc()))
        with app.test_request_context("/"), force_locale("en"):
            facts = {"digest": pack_facts.snapshot_digest(snapshot), "filename": snapshot.file.filename,
                     "pages": snapshot.page_count, "snapshot_id": snapshot.id, "client": reviewer,
                     "identifier": pack_facts.identifier("FID-A1E1", "all", "en", snapshot.data_as_at),
                     "as_at": pack_facts.moment_text(snapshot.data_as_at, "en", with_zone=False)}
    return data, facts


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_cover_states_scope_data_as_at_once_identifier_digest_and_sign_off(pack):
    data, facts = pack
    pages = page_texts(data)
    cover, everything = flat(pages[0]), flat(" ".join(pages))
    for words in ("Client-loyalty programme: checklist A1–E1", "Standard and version", "FID-A1E1 · version loaded on",
                  "Scope", "Programme 1 · all 9 criteria", "Period covered by the data", "from 01/01/2025",
                  "Pack identifier", facts["identifier"], "SHA-256 of the content", facts["digest"],
                  "Audit trail seal", "Prepared by Rachel Adams", "Reviewed by Bruno Díaz",
                  "Reviewed by Rachel Adams"):
        assert words in cover, words
    # "Data as at" once in the whole pack, day-month-year with a 24-hour time and the zone named.
    assert everything.count("Data as at") == 1 and everything.count(facts["as_at"]) == 1
    assert re.fullmatch(r"\d\d/\d\d/20\d\d, \d\d:\d\d", facts["as_at"])
    assert f"Data as at {facts['as_at']} — " in cover and "(Europe/Madrid)" in cover
    assert cover.count(facts["digest"]) == 1 and cover.count("Reviewed by") == 2
    # The snapshot's page recomputes the same SHA-256 from what the snapshot keeps.
    page = facts["client"].get(f"/evidence/packs/{facts['snapshot_id']}").get_data(as_text=True)
    assert f'SHA-256 of the content: <code class="hash">{facts["digest"]}</code>' in page
    # The download is named by the identifier, whose time is the cover's.
    assert facts["filename"] == f"evidence-pack-{facts['identifier']}.pdf"
    assert facts["identifier"].endswith(datetime.strptime(facts["as_at"], "%d/%m/%Y, %H:%M").strftime("%Y%m%d-%H%M"))


def test_the_summary_has_full_texts_statuses_counts_and_links_to_each_section(app, pack):
    data, _facts = pack
    reader = PdfReader(BytesIO(data))
    pages = page_texts(data)
    portrait = [text for text, page in zip(pages, reader.pages, strict=True)
                if page.mediabox.width < page.mediabox.height]
    everything = flat(" ".join(portrait))
    summary = flat(page_texts(data, layout=False)[1].split("Checklist summary")[-1]).replace("/ ", "/")  # a break
    with app.app_context():
        texts = {code: flat(criterion(code).text_in("en")) for code in CODES}
        areas = [area for code in CODES for area in criterion(code).areas_in("en")]
    for code, text in texts.items():
        assert f"{code} {text}" in summary and text in everything, code  # in the summary and its section
    # The only ellipses are the checklist's own ("…" in a few suggested areas) and the survey item C2 quotes ("I know
    # about the change to …"): no text is cut short. The maps are checked with the maps.
    quoted = everything.count("the change to …")
    assert everything.count("…") - quoted == sum(area.count("…") for area in areas) > 0
    headers = summary.replace("\u2010 ", "")  # headers are hyphenated inside their narrow columns
    for header in ("Automatic evidence", "Self-assessment", "Reviewer verdict", "Evidence items", "Page"):
        assert header in headers, header
    assert re.search(r"A1 Evidence that the process map .*? Partly Met Partly met 2 \d+", summary)
    destinations = {name: reader.get_destination_page_number(dest)
                    for name, dest in reader.named_destinations.items()}
    linked = {annotation.get_object()["/Dest"] for annotation in reader.pages[1]["/Annots"]}
    for code in CODES:
        assert f"criterion-{code}" in linked, code
        heading = [line for line in pages[destinations[f"criterion-{code}"]].splitlines() if line.strip()][1]
        assert heading.strip().startswith(f"{code} · "), (code, heading)  # the line under the running header


def test_maps_are_on_landscape_pages_and_no_page_is_near_empty(pack):
    data, facts = pack
    reader = PdfReader(BytesIO(data))
    pages = page_texts(data)
    assert len(reader.pages) == facts["pages"] and 12 <= facts["pages"] <= 20
    landscape = [i for i, page in enumerate(reader.pages) if page.mediabox.width > page.mediabox.height]
    maps = [i for i, text in enumerate(pages) if "Figure A1.1 · Process map of Programme 1" in text
            and "landscape page" not in text]
    assert maps and set(maps) <= set(landscape)
    continued, short = near_empty_pages(data)
    assert continued >= 1 and short == []  # some section runs over a page, and its next page is no lone line


def test_reviewer_findings_show_comments_dates_and_the_follow_up(pack):
    data, _facts = pack
    a1 = flat(next(text for text in page_texts(data) if "Reviewer findings" in text and "Owners missing" in text))
    assert re.search(r"\d\d/\d\d/20\d\d Rachel Adams Partly met Owners missing "
                     r"\d\d/\d\d/20\d\d: Evidence added: Owners named in the sheets", a1), a1
    assert a1.count("in force") == 1
    b2 = flat(next(text for text in page_texts(data) if "B2 ·" in text and "Reviewer findings" in text))
    assert re.search(r"Bruno Díaz Met — —", b2), b2  # a "met" verdict asks for no follow-up


def test_the_pack_is_a_tagged_archivable_pdf_with_title_language_bookmarks_and_attachments(pack):
    data, _facts = pack
    reader = PdfReader(BytesIO(data))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root and "/OutputIntents" in root
    assert root["/Lang"] == "en"
    assert reader.metadata.title.startswith("Evidence pack · ")
    assert reader.metadata.author == "Fideliza"  # no organisation set up in this test
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part="?3', xmp) and re.search(r'pdfaid:conformance="?A', xmp)
    assert 'pdfuaid:part="1"' in xmp
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    for code in CODES:
        assert any(title.startswith(f"{code} · ") for title in bookmarks), code
    figures = [item.title for group in reader.outline if isinstance(group, list) for item in group]
    assert "Figure A1.1 · Process map of Programme 1" in figures
    assert list(reader.attachments) == ["A1-1-v1-acta.pdf"]


def test_the_content_digest_is_canonical_and_the_cover_time_european(app):
    record = pack_facts.content_record("FID", "all", "en", datetime(2026, 12, 3, 7, 27), "5:ab", {"A1": {}}, [])
    assert pack_facts.digest(record) == pack_facts.digest(dict(reversed(list(record.items()))))
    assert pack_facts.digest(record) != pack_facts.digest({**record, "audit_head": "6:cd"})
    with app.test_request_context("/"):
        # UTC moments; Madrid is UTC+2 in summer, so 22:27 UTC is already the next day there.
        assert pack_facts.moment_text(datetime(2026, 7, 3, 21, 27), "en", with_zone=False) == "03/07/2026, 23:27"
        late = datetime(2026, 7, 3, 22, 27)
        assert pack_facts.moment_text(late, "es", with_zone=False) == "4/7/2026, 00:27"
        assert pack_facts.identifier("FID", "B2", "es", datetime(2026, 7, 3, 22, 27)) == "FID-B2-es-20260704-0027"


def test_a_section_closing_block_moves_whole_to_the_next_page_rather_than_leaving_a_lone_line(app):
    """The old pack left "Reviewer verdict: No verdict yet." alone on a page; the closing block never splits."""
    closing = "".join(f"<h3>Heading {n}</h3><p>Line {n}</p>" for n in range(1, 4))
    html = (f'<html lang="en"><head><link rel="stylesheet" href="{pdf_static("css/pdf.css")}"></head><body>'
            f'<section class="criterion"><h2>X1 · Test</h2><div style="height: 228mm"></div>'
            f'<div class="judgements">{closing}</div></section></body></html>')
    with app.test_request_context("/"):
        rendered = html_to_pdf(html)
    first, second = page_texts(rendered.data)
    assert "Heading 1" not in first and all(f"Line {n}" in second for n in range(1, 4))


def test_the_cover_shows_the_organisations_logo_and_names_it_as_the_author(app, client_as):
    checklist_ids(app)
    with app.app_context():
        organisation = Organisation(name="Aurrera EPSV", description="Voluntary social welfare entity")
        organisation.logo = store_upload(FileStorage(stream=BytesIO(PNG), filename="logo.png"),
                                         owner=Owner.ORGANISATION_LOGO, accept=frozenset({"png"}), actor=None)
        db.session.add(organisation)
        db.session.commit()
    reviewer = client_as("reviewer", name="Rachel Adams")
    reader = PdfReader(BytesIO(download(reviewer, generate(reviewer, scope="E1"))))
    cover = reader.pages[0]
    assert [image.name for image in cover.images]  # the logo, drawn on the cover
    assert "Aurrera EPSV" in cover.extract_text() and reader.metadata.author == "Aurrera EPSV"
    assert "Criterion E1 only" in cover.extract_text()
