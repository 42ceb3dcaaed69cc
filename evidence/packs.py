"""The evidence pack: gathering the evidence, typesetting it, keeping each pack as a dated snapshot (the task
queue's job that builds it while the browser polls is ``evidence.pack_jobs``).

A pack is kept until the data changes: ``data_version()`` is the newest audit entry of the organisation's data
(every insert, update and delete of an audited record writes one), so an unchanged version means an unchanged
pack and the kept PDF is served at once."""

import hashlib
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from core.audit_chain import ChainHead, chain_head
from core.cache import newest_change
from core.extensions import db
from core.files import Owner, StoredFile
from core.findings import judged_on
from core.models import Organisation, User
from core.pack_cycle import PackCycle, for_pack
from core.pdf import ARCHIVAL, PdfFile, html_to_pdf, pdf_image, render_html
from core.timeutil import utcnow
from evidence import pack_facts, services
from evidence.models import CriteriaSet, PackSnapshot

SCOPE_ALL = "all"
#: Changes to these tables do not change a pack (the pack's own PDF and snapshot rows).
NOT_DATA = ("stored_files", "evidence_pack_snapshots")


def data_version() -> tuple[int, bool]:
    """(the newest audit entry of the organisation's data, whether a kept pack may be trusted to match it).

    The entry changes exactly when the data does. On PostgreSQL, while another transaction may still commit
    an older entry, a kept pack is not reused (``core.cache.newest_change``)."""
    newest, settled = newest_change(ignoring=NOT_DATA)
    return (newest[0] if newest else 0), settled


@dataclass
class PackContent:
    criteria_set: CriteriaSet
    scope: str
    language: str
    rows: list
    organisation: Organisation | None
    generated_by: User | None
    generated_at: object
    attachments: list[PdfFile] = field(default_factory=list)
    manifest: list[dict] = field(default_factory=list)
    images: dict = field(default_factory=dict)
    #: The audit trail's chain head when the data was read: what "data as at" covers, provably.
    audit_head: ChainHead | None = None
    #: ``criterion id -> [pack_facts.Finding]``: every verdict, newest first, with its follow-up.
    findings: dict = field(default_factory=dict)
    scope_facts: pack_facts.Scope | None = None
    #: The certification cycle the pack is generated for (``core.pack_cycle``); None: the data as it stands.
    cycle: PackCycle | None = None

    @property
    def judged_on(self):
        """The day the criteria that read a window were judged on (the cycle's period end, else today)."""
        return self.cycle.judged_on(pack_facts.local_moment(self.generated_at).date()) if self.cycle else None

    @property
    def identifier(self) -> str:
        """Printed on the cover and in every footer; the download's file name is built from it."""
        return pack_facts.identifier(self.criteria_set.code, self.scope, self.language, self.generated_at)

    @property
    def filename(self) -> str:
        return f"evidence-pack-{self.identifier}.pdf"

    @property
    def content_record(self) -> dict:
        """What the cover's SHA-256 is computed from (``evidence.pack_facts``); the snapshot keeps all of it."""
        return pack_facts.content_record(self.criteria_set.code, self.scope, self.language, self.generated_at,
                                         str(self.audit_head) if self.audit_head else None, statuses(self.rows),
                                         self.manifest, cycle_id=self.cycle.id if self.cycle else None)

    @property
    def digest(self) -> str:
        return pack_facts.digest(self.content_record)


def gather(criteria_set: CriteriaSet, scope: str, language: str, *, actor=None, progress=None,
           cycle_id: int | None = None) -> PackContent:
    """Everything the pack shows, read from the live data: the checklist rows in detail and the files. For a
    certification cycle, its scope, period and findings too, and the criteria that read a window judged on the
    period's end."""
    only = next((c for c in criteria_set.criteria if c.code == scope), None) if scope != SCOPE_ALL else None
    cycle = for_pack(cycle_id)
    if cycle_id is not None and cycle is None:
        raise LookupError(f"No registered package knows certification cycle {cycle_id}: the pack is not generated.")
    content = PackContent(criteria_set, scope, language, [], Organisation.current(), actor, utcnow(),
                          audit_head=chain_head(db.session.connection()), cycle=cycle)
    with judged_on(content.judged_on):
        content.rows = services.checklist(criteria_set, detail=True, only=only)
    if content.organisation and content.organisation.logo:
        logo = content.organisation.logo
        content.images["logo"] = (logo.data, logo.content_type)
    _attach_files(content)
    content.findings = pack_facts.findings(content.rows)
    content.scope_facts = pack_facts.scope()
    return content


def _attach_files(content: PackContent) -> None:
    """The current version of every evidence file of the criteria in the pack, once each, with its manifest."""
    seen = {}
    for row in content.rows:
        for item in row.evidence:
            revision = item.current_revision
            if revision is None:
                continue
            if revision.id in seen:
                seen[revision.id]["criteria"].append(row.criterion.code)
                continue
            name = f"{row.criterion.code}-{item.id}-v{revision.number}-{revision.file.filename}"
            content.attachments.append(PdfFile(name, revision.file.data, item.title))
            seen[revision.id] = {"name": name, "title": item.title, "size": revision.file.size,
                                 "sha256": revision.sha256, "revision": revision.number,
                                 "criteria": [row.criterion.code]}
    content.manifest = list(seen.values())


def pack_html(content: PackContent) -> str:
    """The pack's final HTML (what WeasyPrint typesets)."""

    def figure_url(svg: str) -> str:
        """Each figure is its own SVG image (generated, served by the PDF fetcher), so the ids inside two
        maps cannot clash as they would inline."""
        name = hashlib.sha256(svg.encode()).hexdigest()[:20] + ".svg"
        content.images[name] = (svg.encode(), "image/svg+xml")
        return pdf_image(name)

    return render_html("pdf/evidence_pack.html", pack=content, rows=content.rows, lang=content.language,
                       repeats=repeated_figures(content.rows),
                       readiness=services.readiness(content.rows), figure_url=figure_url,
                       sign_off=pack_facts.sign_off(content.rows, content.generated_by, content.generated_at),
                       moment=lambda value: pack_facts.moment_text(value, content.language),
                       day=lambda value: pack_facts.day_text(value, content.language))


def repeated_figures(rows) -> dict[tuple[str, int], tuple[str, int]]:
    """``(criterion code, figure number) -> (code, number)`` of the landscape figure printed earlier in the pack
    with the same drawing. The certified programme's map is A1's figure and, when the joint map is split per
    programme, A2's first: typeset once (each map is the costliest thing WeasyPrint lays out), cited twice."""
    first, repeats = {}, {}
    for row in rows:
        plans = [block for block in row.finding.blocks if getattr(block, "landscape", False)]
        for number, block in enumerate(plans, start=1):
            key = (row.criterion.code, number)
            if block.svg in first:
                repeats[key] = first[block.svg]
            else:
                first[block.svg] = key
    return repeats


def statuses(rows) -> dict:
    return {row.criterion.code: {
        "automatic": row.finding.status.value,
        "self_assessment": row.self_assessment.status.value if row.self_assessment else None,
        "verdict": row.verdict.status.value if row.verdict else None,
    } for row in rows}


def build_snapshot(criteria_set: CriteriaSet, scope: str, language: str, *, fingerprint: int, actor=None,
                   progress=None, cycle_id: int | None = None) -> PackSnapshot:
    """Gather, typeset and keep one pack as an immutable snapshot (the caller commits)."""
    progress = progress or (lambda percent, step: None)
    with force_locale(pack_facts.DATE_LOCALES.get(language, language)):  # en: British dates, English words
        progress(5, _("Gathering the evidence"))
        content = gather(criteria_set, scope, language, actor=actor, cycle_id=cycle_id)
        progress(35, _("Composing the document"))
        html = pack_html(content)
        progress(45, _("Typesetting the pages"))
        rendered = html_to_pdf(html, attachments=content.attachments, images=content.images, variant=ARCHIVAL,
                               on_laid_out=lambda pages: progress(85, _("Writing %(pages)d pages", pages=pages)))
    pdf = StoredFile(filename=content.filename, kind="pdf",
                     content_type="application/pdf", size=len(rendered.data),
                     sha256=hashlib.sha256(rendered.data).hexdigest(), owner=Owner.EVIDENCE_PACK,
                     data=rendered.data, uploaded_by=actor)
    snapshot = PackSnapshot(criteria_set=criteria_set, scope=scope, language=language, fingerprint=fingerprint,
                            data_as_at=content.generated_at, created_by=actor, file=pdf, page_count=rendered.pages,
                            manifest=content.manifest, statuses=statuses(content.rows),
                            audit_head=str(content.audit_head) if content.audit_head else None,
                            cycle_id=content.cycle.id if content.cycle else None)
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def kept_snapshot(criteria_set: CriteriaSet, scope: str, language: str, fingerprint: int, *,
                  cycle_id: int | None = None) -> PackSnapshot | None:
    """The pack already built from exactly this data (for the same certification cycle, or for none), if any."""
    return db.session.scalar(select(PackSnapshot).where(
        PackSnapshot.set_id == criteria_set.id, PackSnapshot.scope == scope, PackSnapshot.language == language,
        PackSnapshot.fingerprint == fingerprint, PackSnapshot.cycle_id.is_(None) if cycle_id is None
        else PackSnapshot.cycle_id == cycle_id).order_by(PackSnapshot.id.desc()).limit(1))


@dataclass
class StatusChange:
    code: str
    before: dict | None
    after: dict | None

    @property
    def changed(self) -> bool:
        return (self.before or {}).get("automatic") != (self.after or {}).get("automatic") or \
            (self.before or {}).get("verdict") != (self.after or {}).get("verdict")


def compare(before: PackSnapshot, after: PackSnapshot) -> tuple[list[StatusChange], dict]:
    """What changed between two snapshots: each criterion's status and verdict, and the attached files
    (added, removed, replaced by hash)."""
    codes = list(dict.fromkeys([*before.statuses, *after.statuses]))
    changes = [StatusChange(code, before.statuses.get(code), after.statuses.get(code)) for code in codes]
    old = {f["title"]: f for f in before.manifest}
    new = {f["title"]: f for f in after.manifest}
    files = {"added": [new[t] for t in new if t not in old], "removed": [old[t] for t in old if t not in new],
             "replaced": [new[t] for t in new if t in old and new[t]["sha256"] != old[t]["sha256"]]}
    return changes, files
