"""The survey engine's certification evidence.

- **D1** (people who took part value positively that their opinion was taken into account): the latest
  answered staff participation wave, its favourable % with n and response rate, overall and per group.
- **B1** needs requirements and complaints as well, which the voice of the client records; its source
  calls ``satisfaction_facts()`` for the survey part (the latest client wave: n, response rate, CSAT, NPS
  and its change from the previous wave, intention to keep buying, the attributes that drive them).

Both read results through ``surveys.results``, so the minimum-n rule of anonymous results holds here too.
"""

import math
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import exists, select

from core.extensions import db
from evidence.automatic import Finding, Line, Status, Table, evidence_source
from evidence.sources import pending  # noqa: F401  (placeholders first, whoever imports this module first)
from surveys import drivers, releases, results
from surveys.models import Audience, ItemKind, ItemRole, Response, Survey, SurveyItem, Wave, WaveStatus

#: Overall and per group, the favourable % at which people "value positively" (D1).
FAVOURABLE_TARGET = 60.0
#: A response rate below this is a gap: the favourable % may not speak for those who took part.
RESPONSE_RATE_TARGET = 50.0
#: How many attributes ``satisfaction_facts`` names as drivers.
TOP_DRIVERS = 3


def _pct(value: float | None) -> str:
    return "—" if value is None else format_decimal(round(value), "#,##0")


def _latest_answered_wave(audience: Audience, *, needs_role: ItemRole | None = None) -> Wave | None:
    """The latest wave (not a draft) of a survey for ``audience`` that has responses."""
    query = (select(Wave).join(Survey, Survey.id == Wave.survey_id)
             .where(Survey.audience == audience, Wave.status != WaveStatus.DRAFT,
                    exists().where(Response.wave_id == Wave.id, Response.exclusion_id.is_(None))))
    if needs_role is not None:
        query = query.where(exists().where(SurveyItem.survey_id == Wave.survey_id, SurveyItem.role == needs_role))
    return db.session.scalars(query.order_by(Wave.opens_on.desc(), Wave.id.desc()).limit(1)).first()


# --- D1 --------------------------------------------------------------------------------------------

def _measure(favourable: float | None, n: int, rate: float | None) -> str:
    if rate is None:
        return _("favourable %(pct)s %% (n = %(n)d, no invitations: response rate unknown)", pct=_pct(favourable), n=n)
    return _("favourable %(pct)s %% (n = %(n)d, response rate %(rate)s %%)", pct=_pct(favourable), n=n,
             rate=_pct(rate))


def _groups_not_invited(wave: Wave) -> list:
    """Improvement groups with members, none of whom was invited to ``wave`` for the group."""
    from improvements.models import Group, GroupMember
    from surveys.invitations import group_segment
    from surveys.models import Invitation

    with_members = db.session.scalars(select(Group).where(exists().where(GroupMember.group_id == Group.id))
                                      .order_by(Group.name)).all()
    invited = set(db.session.scalars(select(Invitation.segment).where(Invitation.wave_id == wave.id).distinct()))
    return [g for g in with_members if group_segment(g.name) not in invited]


@evidence_source("D1")
def participation_evidence(detail: bool = False) -> Finding:
    """D1: met when the latest staff participation wave is favourable (60 % or more) overall and in every
    group shown, with a response rate of 50 % or more, no group too small to show, and every improvement
    group with members invited; partly with any result; missing without an answered wave (or below the
    minimum n of anonymous results)."""
    wave = _latest_answered_wave(Audience.STAFF, needs_role=ItemRole.PARTICIPATION)
    if wave is None:
        return Finding(Status.MISSING, [Line(_("No staff participation survey has been answered yet."))],
                       [Line(_("Run the participation survey among the people who took part"),
                             url_for("surveys.index"))])
    summary = results.wave_results(wave)
    wave_url, results_url = url_for("surveys.wave", wave_id=wave.id), url_for("surveys.wave_results", wave_id=wave.id)
    title = f"{wave.survey} · {wave.name}"
    if summary.hidden:
        return Finding(Status.MISSING, [Line(_("%(wave)s: %(n)d responses so far, %(shown)d shown; the results of an "
                                               "anonymous survey are shown from %(min)d, released in batches of "
                                               "%(batch)d.", wave=title, n=summary.responses + summary.waiting,
                                               shown=summary.responses, min=results.MIN_CUT,
                                               batch=releases.batch_size()), results_url)],
                       [Line(_("Remind the people invited who have not answered"), wave_url)])
    overall = summary.headline.get("participation")
    groups, hidden_groups = results.breakdown(wave, "segment")
    reasons = [Line(_("%(wave)s: %(measure)s", wave=title,
                      measure=_measure(overall, summary.responses, summary.response_rate)), results_url)]
    reasons += [Line(f"{g.name}: {_measure(g.headline.get('participation'), g.responses, g.response_rate)}",
                     results_url) for g in groups if g.name is not None]
    gaps = []
    if overall is None:
        gaps.append(Line(_("Nobody answered the participation questions"), results_url))
    elif overall < FAVOURABLE_TARGET:
        gaps.append(Line(_("Favourable %(pct)s %%, below %(target)s %%: look at the comments and at what became of "
                           "the proposals", pct=_pct(overall), target=_pct(FAVOURABLE_TARGET)), results_url))
    if summary.response_rate is None or summary.response_rate < RESPONSE_RATE_TARGET:
        gaps.append(Line(_("Response rate %(rate)s %%, below %(target)s %%: remind those who have not answered",
                           rate=_pct(summary.response_rate), target=_pct(RESPONSE_RATE_TARGET)), wave_url))
    for group in groups:
        favourable = group.headline.get("participation")
        if group.name is not None and favourable is not None and favourable < FAVOURABLE_TARGET:
            gaps.append(Line(_("%(group)s: favourable %(pct)s %%, below %(target)s %%", group=group.name,
                               pct=_pct(favourable), target=_pct(FAVOURABLE_TARGET)), results_url))
    if hidden_groups:
        gaps.append(Line(ngettext("%(num)d group has fewer than %(min)d responses and is not shown: remind its "
                                  "members", "%(num)d groups have fewer than %(min)d responses and are not shown: "
                                  "remind their members", hidden_groups, min=results.MIN_CUT), wave_url))
    for group in _groups_not_invited(wave):
        gaps.append(Line(_("%(group)s: its members were not invited to %(wave)s", group=group.name, wave=title),
                         wave_url))
    finding = Finding(Status.MET if not gaps else Status.PARTLY, reasons, gaps)
    if detail:
        finding.blocks = [_group_table(wave, title, summary, groups, results_url)]
    return finding


def _group_table(wave: Wave, title: str, summary, groups, results_url: str) -> Table:
    """One row per group (and one for everyone): invited, answered, response rate, favourable % overall and
    per participation question."""
    items = [i for i in wave.survey.items if i.role == ItemRole.PARTICIPATION and i.kind in results.FAVOURABLE_FROM]
    overall_items = {r.item.id: r.favourable for r in summary.items}
    rows = [[Line(_("Everyone"), results_url), str(summary.invited), str(summary.responses),
             _pct(summary.response_rate), _pct(summary.headline.get("participation")),
             *(_pct(overall_items.get(i.id)) for i in items)]]
    rows += [[g.name or "—", str(g.invited), str(g.responses), _pct(g.response_rate),
              _pct(g.headline.get("participation")), *(_pct(g.favourable.get(i.id)) for i in items)] for g in groups]
    return Table(_("Favourable %% per group — %(wave)s", wave=title),
                 [_("Group"), _("Invited"), _("Responses"), _("Response rate %"), _("Favourable %"),
                  *(i.short for i in items)], rows)


# --- B1: the survey part -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Driver:
    """An attribute and how strongly it moves the intention to keep buying and to recommend."""

    attribute: str
    favourable: float | None
    importance: float | None
    r_repurchase: float | None
    r_recommend: float | None
    n: int
    #: Fewer than ``drivers.SMALL_N`` paired answers: read with caution.
    caution: bool


@dataclass(frozen=True)
class SatisfactionFacts:
    """The latest client satisfaction wave, for B1's evidence. Measures are None when their question is
    missing or unanswered, and all of them when an anonymous wave has fewer than ``results.MIN_CUT``."""

    survey: str
    wave: str
    opens_on: date
    url: str
    responses: int
    invited: int
    response_rate: float | None
    hidden: bool
    csat: float | None = None
    nps: float | None = None
    #: The previous wave of the same survey (any edition) with an NPS, and the change from it.
    previous_wave: str | None = None
    previous_nps: float | None = None
    nps_change: float | None = None
    repurchase: float | None = None
    #: The most important attributes first (at most ``TOP_DRIVERS``).
    drivers: list[Driver] = field(default_factory=list)


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def satisfaction_facts() -> SatisfactionFacts | None:
    """The latest answered client wave's n, response rate, CSAT, NPS with its change from the previous wave,
    intention to keep buying and top drivers; None when no client wave has responses. A fixed number of
    queries, whatever the number of responses."""
    wave = _latest_answered_wave(Audience.CLIENTS)
    if wave is None:
        return None
    survey = wave.survey
    waves = results.family_waves(survey)
    counts = results.item_counts([w.id for w in waves])
    summary = results.wave_results(wave, counts)
    base = dict(survey=str(survey), wave=wave.name, opens_on=wave.opens_on,
                url=url_for("surveys.wave_results", wave_id=wave.id), responses=summary.responses,
                invited=summary.invited, response_rate=summary.response_rate, hidden=summary.hidden)
    if summary.hidden:
        return SatisfactionFacts(**base)
    nps_parts = summary.headline.get("nps")
    nps = nps_parts["nps"] if nps_parts else None
    points = results.trend(survey, waves, counts)
    index = next(n for n, point in enumerate(points) if point["wave"].id == wave.id)
    previous = next((p for p in reversed(points[:index]) if p["nps"] is not None), None)
    frame = drivers.driver_analysis(wave, {r.item.id: r.counts for r in summary.items
                                           if r.item.kind != ItemKind.TEXT})
    top = [Driver(attribute=row["attribute"], favourable=_number(row["favourable"]),
                  importance=_number(row["importance"]), r_repurchase=_number(row["r_repurchase"]),
                  r_recommend=_number(row["r_recommend"]), n=int(row["n"]), caution=bool(row["caution"]))
           for row in frame.to_dict("records") if _number(row["importance"]) is not None][:TOP_DRIVERS]
    return SatisfactionFacts(
        **base, csat=summary.headline.get("csat"), nps=nps,
        previous_wave=previous["wave"].name if previous else None,
        previous_nps=previous["nps"] if previous else None,
        nps_change=nps - previous["nps"] if previous and nps is not None else None,
        repurchase=summary.headline.get("repurchase"), drivers=top)
