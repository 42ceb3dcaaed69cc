"""What the voice of the client gives the other packages through ``core.signals``: B1's automatic evidence,
requirements and complaint categories as the source of an opportunity, complaint counts and response times
before and after an improvement (C2), a section of a census client's page, what goes with census clients
removed, the lists its import matches values to (kinds, channels, categories), complaints and requirements to
the global search, and its complaint counts and response times as the sources of computed indicators."""

from flask import render_template, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import String, cast, func, select

from core import signals
from core.extensions import db
from core.search import DETAIL, Provider, record_url
from improvements.sources import CLIENT_REQUIREMENT, COMPLAINT_CATEGORY, SourceRecords
from voice import complaint_import, evidence, indicator_sources, listening
from voice.complaints import client_dependants, client_voice
from voice.models import Complaint, ComplaintCategory, Requirement, RequirementStatus

OPEN_STATUSES = (RequirementStatus.NEW, RequirementStatus.ANALYSED, RequirementStatus.IN_IMPROVEMENT)


def _requirements(ids):
    return {r.id: r for r in db.session.scalars(select(Requirement).where(Requirement.id.in_(list(ids))))}


def _requirement_choices():
    """Requirements still to act on (new, analysed, in improvement), the most important first."""
    query = (select(Requirement).where(Requirement.status.in_(OPEN_STATUSES))
             .order_by(Requirement.importance.desc(), Requirement.identified_on.desc()))
    return [(r.id, str(r)) for r in db.session.scalars(query)]


def _categories(ids):
    query = select(ComplaintCategory).where(ComplaintCategory.id.in_(list(ids)))
    return {c.id: c for c in db.session.scalars(query)}


def _category_choices():
    query = select(ComplaintCategory).where(ComplaintCategory.active).order_by(ComplaintCategory.name)
    return [(c.id, c.name) for c in db.session.scalars(query)]


def _requirement_url(requirement) -> str:
    return url_for("voice.requirement_detail", requirement_id=requirement.id)


def _category_url(category) -> str:
    return url_for("voice.complaints", category=category.id)


@signals.evidence_sources.connect
def _evidence_sources(sender, **kwargs):
    return {"B1": evidence.voice_of_the_client_evidence}


@signals.opportunity_records.connect
def _opportunity_records(sender, **kwargs):
    return {CLIENT_REQUIREMENT: SourceRecords(_requirements, _requirement_choices, _requirement_url),
            COMPLAINT_CATEGORY: SourceRecords(_categories, _category_choices, _category_url)}


@signals.evidence_thresholds.connect
def _evidence_thresholds(sender, **kwargs):
    return {"B1": evidence.B1_THRESHOLDS}


@signals.staff_listening.connect
def _staff_listening(sender, *, since, until=None, **kwargs):
    return listening.staff_focus_groups(since, until)


@signals.client_evidence.connect
def _client_evidence(sender, *, improvements, **kwargs):
    return evidence.complaint_evidence(improvements)


@signals.client_sections.connect
def _client_sections(sender, **kwargs):
    """The client's enquiries, complaints, claims and incidents, on its census page."""
    return Markup(render_template("voice/_client_voice.html", client=sender, voice=client_voice(sender.id)))


@signals.client_dependants.connect
def _client_dependants(sender, *, clients, **kwargs):
    return client_dependants(clients)


@signals.import_vocabularies.connect
def _import_vocabularies(sender, **kwargs):
    return complaint_import.vocabularies()


@signals.search_providers.connect
def _search_providers(sender, **kwargs):
    """Complaints by reference, description and resolution, and client requirements by their statement."""
    complaint_title = func.coalesce(Complaint.reference, "#" + cast(Complaint.id, String))
    return [
        Provider("complaint", _l("Enquiries, complaints, claims and incidents"), "voice.complaint_detail", Complaint,
                 (Complaint.reference, Complaint.description, Complaint.resolution), complaint_title,
                 record_url("voice.complaint_detail", "complaint_id"),
                 detail=func.substr(Complaint.description, 1, DETAIL), order=40),
        Provider("requirement", _l("Client requirements"), "voice.requirement_detail", Requirement,
                 (Requirement.statement,), func.substr(Requirement.statement, 1, DETAIL),
                 record_url("voice.requirement_detail", "requirement_id"), order=50),
    ]


@signals.indicator_sources.connect
def _indicator_sources(sender, **kwargs):
    return indicator_sources.sources()
