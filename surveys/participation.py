"""Each improvement group's staff participation survey (D1), as the group's page shows it.

The members of a group are invited to a staff wave with the group's name as their breakdown ``segment``
(``invitations.group_invitees``). ``group_participation`` finds the latest staff wave that invited the
group and gives its response rate and favourable % (both from the responses shown), which the survey
engine's hooks give the group's page (``core.signals.group_participation``). As everywhere in the
results, the favourable % of a group with fewer than ``results.MIN_CUT`` responses is not shown, and an
anonymous wave counts only its released responses (``surveys.releases``).
"""

from flask import url_for
from sqlalchemy import case, exists, func, select

from core.extensions import db
from improvements.participation import Participation
from surveys import totals
from surveys.invitations import group_segment
from surveys.models import Audience, Invitation, Response, ResponseSource, Survey, Wave, WaveStatus
from surveys.results import MIN_CUT, headline


def latest_group_wave(segment: str) -> Wave | None:
    """The latest staff wave with invitations for ``segment`` (drafts only when nothing was sent)."""
    invited = exists().where(Invitation.wave_id == Wave.id, Invitation.segment == segment)
    query = (select(Wave).join(Survey, Survey.id == Wave.survey_id)
             .where(Survey.audience == Audience.STAFF, invited)
             .order_by(case((Wave.status == WaveStatus.DRAFT, 1), else_=0), Wave.opens_on.desc(), Wave.id.desc())
             .limit(1))
    return db.session.scalars(query).first()


def segment_participation(wave: Wave, segment: str) -> tuple[int, int, int, float | None, int]:
    """(invited, personal-link responses shown, responses shown, favourable %, responses waiting for their
    batch) of one group of a wave; the favourable % is None below ``MIN_CUT`` responses shown. Three queries.
    In a named wave the personal-link responses are the links used."""
    invited = db.session.scalar(select(func.count()).where(Invitation.wave_id == wave.id,
                                                           Invitation.segment == segment))
    shown = totals.response_sizes([wave.id], "segment").get((wave.id, segment), {})
    responses, links = sum(shown.values()), shown.get(str(ResponseSource.LINK), 0)
    # Waiting for their batch: few (less than a batch), counted on the wave's batch index.
    waiting = db.session.scalar(select(func.count()).where(
        Response.wave_id == wave.id, Response.batch.is_(None), Response.exclusion_id.is_(None),
        Response.segment == segment)) if wave.survey.anonymous else 0
    favourable = None
    if responses >= MIN_CUT:
        counts = totals.value_counts([wave.id], "segment").get((wave.id, segment), {})
        favourable = headline(list(wave.survey.items), counts)["participation"]
    return invited, int(links), int(responses), favourable, int(waiting)


def group_participation(group) -> Participation | None:
    """The group's latest participation wave, or None."""
    segment = group_segment(group.name)
    wave = latest_group_wave(segment)
    if wave is None:
        return None
    invited, links, _responses, favourable, waiting = segment_participation(wave, segment)
    return Participation(url=url_for("surveys.wave", wave_id=wave.id), title=f"{wave.survey} · {wave.name}",
                         invited=invited, responses=links,
                         favourable_pct=round(favourable, 1) if favourable is not None else None, waiting=waiting)

