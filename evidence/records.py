"""The records manual evidence can point at: kinds, how to list them in a form, and where each one lives."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from processes.models import Indicator, Interface, Process, ProcessStatus


@dataclass(frozen=True)
class RecordKind:
    model: type
    label: object
    endpoint: str
    argument: str


#: Other capabilities add their kinds here (client, improvement, survey…).
RECORD_KINDS = {
    "process": RecordKind(Process, _l("Process"), "processes.process_detail", "process_id"),
    "indicator": RecordKind(Indicator, _l("Indicator"), "processes.indicator_detail", "indicator_id"),
    "interface": RecordKind(Interface, _l("Interface"), "processes.edit_interface", "interface_id"),
}


def record_choices() -> list[tuple[str, str]]:
    """``("process:12", "Process · FID-C01 · …")`` pairs for the evidence form, current records only."""
    choices = []
    for process in db.session.scalars(select(Process).where(Process.status != ProcessStatus.RETIRED)
                                      .order_by(Process.code)):
        choices.append((f"process:{process.id}", f"{RECORD_KINDS['process'].label} · {process}"))
    for indicator in db.session.scalars(select(Indicator).where(Indicator.active).order_by(Indicator.code)):
        choices.append((f"indicator:{indicator.id}", f"{RECORD_KINDS['indicator'].label} · {indicator}"))
    return choices


def parse_record(value: str | None) -> tuple[str | None, int | None]:
    """``"process:12"`` → ``("process", 12)``; anything unknown → ``(None, None)``."""
    kind, _sep, number = (value or "").partition(":")
    if kind in RECORD_KINDS and number.isdigit() and db.session.get(RECORD_KINDS[kind].model, int(number)):
        return kind, int(number)
    return None, None


def record_link(kind: str | None, record_id: int | None) -> tuple[str, str] | None:
    """(text, url) of the record an evidence item points at, if it still exists."""
    if kind not in RECORD_KINDS or record_id is None:
        return None
    spec = RECORD_KINDS[kind]
    record = db.session.get(spec.model, record_id)
    if record is None:
        return None
    return f"{spec.label} · {record}", url_for(spec.endpoint, **{spec.argument: record_id})
