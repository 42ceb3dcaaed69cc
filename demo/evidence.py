"""The demo's evidence: the shipped checklist in use, the coordinator's self-assessments, a reviewer's verdicts
(one revised, to show the history) and manual evidence with an uploaded file in two versions."""

from io import BytesIO

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.audit import acting_as
from core.extensions import db
from evidence import services
from evidence.criteria_sets import ensure_builtin_sets
from evidence.models import Assessment, CriteriaSet
from processes.models import Process

SELF_ASSESSMENTS = {
    "A1": (Assessment.MET, "Mapa aprobado por la dirección; cada proceso tiene ficha, propietario e indicadores."),
    "A2": (Assessment.PARTLY, "Falta el ANS con Prestaciones para las reclamaciones sobre pagos."),
    "C3": (Assessment.PARTLY, "Fichas revisadas; faltan los diagramas de los procesos clave."),
    "E1": (Assessment.MET, "Cuadro de mando trimestral con objetivos y comparación sectorial."),
}
VERDICTS = (
    ("A1", Assessment.PARTLY, "Two processes lacked participants at the first visit."),
    ("A1", Assessment.MET, "Participants now named for every key process."),
    ("A2", Assessment.PARTLY, "The interface with Benefits has a problem but no SLA yet."),
)


def minutes_pdf(title: str, version: int) -> bytes:
    """A small, valid one-page PDF (the minutes of a meeting) made without any library."""
    text = f"{title} - version {version}".replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = BytesIO(b"%PDF-1.4\n"), []
    out.seek(0, 2)
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start))
    return out.getvalue()


def _upload(name: str, data: bytes) -> FileStorage:
    return FileStorage(stream=BytesIO(data), filename=name)


def load(users: dict) -> None:
    """Add the demo's evidence (after the process map, whose records it links to)."""
    ensure_builtin_sets()
    checklist = db.session.scalar(select(CriteriaSet).where(CriteriaSet.code == "FID-A1E1"))
    checklist.is_current = True
    criteria = {c.code: c for c in checklist.criteria}
    coordinator, reviewer = users["coordinator@demo.test"], users["reviewer@demo.test"]
    complaints = db.session.scalar(select(Process).where(Process.code == "FID-C03"))
    minutes = services.add_evidence(
        "Acta de aprobación del mapa de procesos", criteria=[criteria["A1"], criteria["A2"]],
        note="Aprobado por el comité de dirección; incluye el mapa conjunto con Comercial y Prestaciones.",
        upload=_upload("acta-mapa-procesos.pdf", minutes_pdf("Acta de aprobación del mapa de procesos", 1)),
        actor=coordinator)
    services.add_revision(minutes, _upload("acta-mapa-procesos.pdf",
                                           minutes_pdf("Acta de aprobación del mapa de procesos", 2)),
                          comment="Versión firmada", actor=coordinator)
    services.add_evidence(
        "Respuesta escrita a todas las reclamaciones", criteria=[criteria["C3"]],
        note="Desde la revisión 2 de la ficha FID-C03, el socio recibe siempre la respuesta por escrito.",
        record=("process", complaints.id) if complaints else (None, None), actor=coordinator)
    # Judged after the evidence was in: the signed minutes (version 2) are what A1's assessments rest on, which
    # the page replacing that file names (``evidence.services.file_change_consequences``).
    for code, (status, comment) in SELF_ASSESSMENTS.items():
        services.record_self_assessment(criteria[code], status, comment, actor=coordinator)
    with acting_as(reviewer):  # the verdicts are the reviewer's, in the trail too
        for code, status, comment in VERDICTS:
            services.record_verdict(criteria[code], status, comment, actor=reviewer)
