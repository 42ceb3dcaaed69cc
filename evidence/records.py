"""The records manual evidence can point at: the kinds the packages give (``core.signals.evidence_records``),
how to list them in a form, and where each one lives."""

from flask import url_for

from core import signals
from core.extensions import db
from core.findings import RecordKind


def record_kinds() -> dict[str, RecordKind]:
    """Every kind of record the packages registered on this app offer, by key."""
    return signals.merged(signals.evidence_records)


def record_choices() -> list[tuple[str, str]]:
    """``("process:12", "Process · FID-C01 · …")`` pairs for the evidence form, current records only."""
    return [(f"{key}:{record_id}", f"{kind.label} · {text}")
            for key, kind in record_kinds().items() if kind.choices for record_id, text in kind.choices()]


def parse_record(value: str | None) -> tuple[str | None, int | None]:
    """``"process:12"`` → ``("process", 12)``; anything unknown → ``(None, None)``."""
    key, _sep, number = (value or "").partition(":")
    kind = record_kinds().get(key)
    if kind is not None and number.isdigit() and db.session.get(kind.model, int(number)):
        return key, int(number)
    return None, None


def record_link(key: str | None, record_id: int | None) -> tuple[str, str] | None:
    """(text, url) of the record an evidence item points at, if it still exists."""
    kind = record_kinds().get(key)
    if kind is None or record_id is None:
        return None
    record = db.session.get(kind.model, record_id)
    if record is None:
        return None
    return f"{kind.label} · {record}", url_for(kind.endpoint, **{kind.argument: record_id})
