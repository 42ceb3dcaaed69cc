"""What the evidence pack says about itself and about the reviewers' findings: its identifier, the SHA-256 of
its content, "data as at" in the organisation's time zone, the scope and period of the data, the sign-off block,
and every verdict with the follow-up recorded after it.

The content SHA-256 cannot be the hash of the PDF (the cover prints it: a PDF cannot contain its own hash).
It is the SHA-256 of the pack's *content record*: a canonical JSON (sorted keys, no spaces) of the criteria set,
scope, language, "data as at" (UTC, ISO 8601), the audit trail's chain head, each criterion's statuses and the
manifest of attached files with their own SHA-256. Every one of those is kept in the immutable snapshot, so
``snapshot_digest`` recomputes it from the snapshot alone; the chain head pins every record of the audit trail
up to "data as at" (``flask audit verify --head``)."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from babel import Locale
from babel.dates import format_date, format_time
from flask_babel import get_timezone
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.i18n import date_pattern
from core.trail import zone_name
from evidence.models import Assessment, Verdict
from processes.models import Measurement, Programme

#: Babel locales for the pack's languages: English packs are dated the European way (03/12/2026, 08:27), the whole
#: pack in the house format of ``core.i18n`` (its findings too: ``build_snapshot`` speaks this locale).
DATE_LOCALES = {"en": "en_GB", "es": "es_ES"}
NEEDS_FOLLOW_UP = (Assessment.PARTLY, Assessment.NOT_MET)


def local_moment(moment: datetime) -> datetime:
    """A naive UTC moment in the organisation's time zone."""
    return moment.replace(tzinfo=UTC).astimezone(get_timezone())


def moment_text(moment: datetime, language: str, *, with_zone: bool = True) -> str:
    """``03/12/2026, 08:27 — Spain (Madrid) Time (Europe/Madrid)`` in the pack's language."""
    local, locale = local_moment(moment), DATE_LOCALES.get(language, language)
    text = f"{_day(local.date(), locale)}, {format_time(local, 'HH:mm', locale=locale)}"
    return f"{text} — {zone_name()}" if with_zone else text


def day_text(moment: datetime | date, language: str) -> str:
    """A day in the pack's language (``03/12/2026``); a datetime is taken as UTC and shown in the local zone."""
    day = local_moment(moment).date() if isinstance(moment, datetime) else moment
    return _day(day, DATE_LOCALES.get(language, language))


def _day(day: date, locale: str) -> str:
    return format_date(day, date_pattern(Locale.parse(locale)), locale=locale)


def identifier(set_code: str, scope: str, language: str, moment: datetime) -> str:
    """The pack's identifier, also its file name's stem: ``FID-A1E1-all-es-20261203-0827`` (local time)."""
    return f"{set_code}-{scope}-{language}-{local_moment(moment):%Y%m%d-%H%M}"


def content_record(set_code: str, scope: str, language: str, data_as_at: datetime, audit_head: str | None,
                   statuses: dict, manifest: list, *, cycle_id: int | None = None) -> dict:
    record = {"criteria_set": set_code, "scope": scope, "language": language, "data_as_at": data_as_at.isoformat(),
              "audit_head": audit_head, "statuses": statuses, "manifest": manifest}
    if cycle_id is not None:  # a pack of the data as it stands keeps the record (and SHA-256) it always had
        record["cycle"] = cycle_id
    return record


def digest(record: dict) -> str:
    """The SHA-256 of a content record's canonical JSON."""
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def snapshot_digest(snapshot) -> str:
    """The content SHA-256 printed on a snapshot's cover, recomputed from what the snapshot keeps."""
    return digest(content_record(snapshot.criteria_set.code, snapshot.scope, snapshot.language, snapshot.data_as_at,
                                 snapshot.audit_head, snapshot.statuses, snapshot.manifest,
                                 cycle_id=snapshot.cycle_id))


@dataclass
class Scope:
    """What the certification covers: the programme(s) under certification and the period of the data."""

    programmes: list[str]
    first_period: date | None


def scope() -> Scope:
    programmes = db.session.scalars(select(Programme.name).where(Programme.is_certified).order_by(Programme.id))
    return Scope(list(programmes), db.session.scalar(select(func.min(Measurement.period))))


@dataclass
class Finding:
    """A reviewer's verdict and, when it asked for more (partly, not met), what was recorded after it."""

    verdict: Verdict
    follow_ups: list[tuple[datetime, str]] = field(default_factory=list)

    @property
    def needs_follow_up(self) -> bool:
        return self.verdict.status in NEEDS_FOLLOW_UP


def findings(rows) -> dict[int, list[Finding]]:
    """Every verdict of the criteria in the pack, newest first, in one query; for each "partly" or "not met"
    verdict the follow-up: manual evidence added, files replaced and self-assessments recorded after it."""
    ids = [row.criterion.id for row in rows]
    verdicts = db.session.scalars(select(Verdict).where(Verdict.criterion_id.in_(ids))
                                  .options(joinedload(Verdict.reviewer))
                                  .order_by(Verdict.created_at.desc(), Verdict.id.desc())) if ids else []
    by_criterion: dict[int, list[Finding]] = {i: [] for i in ids}
    for verdict in verdicts:
        by_criterion[verdict.criterion_id].append(Finding(verdict))
    for row in rows:
        for found in by_criterion[row.criterion.id]:
            if found.needs_follow_up:
                found.follow_ups = _recorded_after(row, found.verdict.created_at)
    return by_criterion


def _recorded_after(row, moment: datetime) -> list[tuple[datetime, str]]:
    """(when, what) of the evidence work on a criterion after ``moment``, oldest first."""
    done = []
    for item in row.evidence:
        if item.created_at > moment:
            done.append((item.created_at, _("Evidence added: %(title)s", title=item.title)))
        done.extend((revision.uploaded_at, _("File of “%(title)s” replaced (version %(n)d)", title=item.title,
                                             n=revision.number))
                    for revision in item.revisions if revision.number > 1 and revision.uploaded_at > moment)
    assessment = row.self_assessment
    if assessment is not None and assessment.created_at > moment:
        done.append((assessment.created_at, _("Self-assessment updated: %(status)s", status=assessment.status.label)))
    return sorted(done, key=lambda pair: pair[0])


@dataclass
class SignOff:
    """Who prepared the pack and who reviewed it (the reviewers whose verdicts are in force), with dates."""

    prepared_by: str | None
    prepared_on: datetime
    reviewers: list[tuple[str, datetime]]


def sign_off(rows, generated_by, generated_at: datetime) -> SignOff:
    latest: dict[str, datetime] = {}
    for row in rows:
        verdict = row.verdict
        if verdict is not None and verdict.reviewer is not None:
            name = verdict.reviewer.name
            latest[name] = max(latest.get(name, verdict.created_at), verdict.created_at)
    return SignOff(generated_by.name if generated_by else None, generated_at, sorted(latest.items()))
