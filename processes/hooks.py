"""What the process map gives the other packages through ``core.signals``: A1, A2 and E1's automatic
evidence and its records as the target of manual evidence."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import signals
from core.extensions import db
from core.findings import RecordKind
from processes import evidence
from processes.models import Indicator, Interface, Process, ProcessStatus


def _current_processes() -> list[tuple[int, str]]:
    query = select(Process).where(Process.status != ProcessStatus.RETIRED).order_by(Process.code)
    return [(process.id, str(process)) for process in db.session.scalars(query)]


def _active_indicators() -> list[tuple[int, str]]:
    query = select(Indicator).where(Indicator.active).order_by(Indicator.code)
    return [(indicator.id, str(indicator)) for indicator in db.session.scalars(query)]


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"A1": evidence.process_map_evidence, "A2": evidence.joint_map_evidence,
            "E1": evidence.data_management_evidence}


@signals.evidence_thresholds.connect
def _evidence_thresholds(sender, **kwargs):
    return {"A2": evidence.A2_THRESHOLDS, "E1": evidence.E1_THRESHOLDS}


@signals.evidence_records.connect
def _evidence_records(sender, **kwargs):
    return {
        "process": RecordKind(Process, _l("Process"), "processes.process_detail", "process_id", _current_processes),
        "indicator": RecordKind(Indicator, _l("Indicator"), "processes.indicator_detail", "indicator_id",
                                _active_indicators),
        "interface": RecordKind(Interface, _l("Interface"), "processes.edit_interface", "interface_id"),
    }
