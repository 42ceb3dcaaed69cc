"""The survey engine's certification evidence.

- **D1** (people who took part value positively that their opinion was taken into account): the latest
  answered staff participation wave, its favourable % with n and response rate, overall and per group.
- **B1** needs requirements and complaints as well, which the voice of the client records; its source
  calls ``satisfaction_facts()`` for the survey part (the latest client wave: n, response rate, CSAT, NPS
  and its change from the previous wave, intention to keep buying, the attributes that drive them).
- **C2** (client evidence of an improvement): the survey item an improvement targeted, before and after.
  Explicitly, never by matching words: an opportunity whose source is a *survey result* points at one numeric
  item of a client survey (``source_kind = "survey_result"``, ``source_id`` = the item's id), chosen from a
  list in the opportunity form, e.g. "Personal attention". Items are compared across the editions of a survey
  by their stable ``key``, so a new edition keeps measuring the same attribute. For each implemented (or
  verified) improvement with such a source: the item's mean answer in the latest wave that opened before the
  day it was implemented, and in the latest wave that opened on or after it. Higher is better (1–5 or 0–10),
  so it is favourable when the mean rose. Nothing is shown without a wave on both sides; a wave whose item has
  fewer than ``results.MIN_CUT`` answers does not count. Only aggregates are read (AVG and COUNT per wave), so
  anonymous surveys work the same. The survey engine's hooks hand it to ``improvements`` (two queries,
  whatever the number of improvements).

All read results through ``surveys.results``, so the minimum-n rule of anonymous results holds here too. D1 is
in three parts: its **facts** (``d1_facts()``, a frozen dataclass), its **rule** (``d1_status(facts)``, pure)
and its **wording** (``d1_finding(facts, detail)``).
"""

import math
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from core import signals
from core.extensions import db
from core.findings import Finding, Line, Status, Table, Threshold, evaluation_day, threshold_values, thresholds_table
from core.needs import NeedLevel
from improvements.models import Group, GroupMember
from improvements.results import ComputedEvidence
from improvements.sources import SURVEY_RESULT
from surveys import drivers, releases, results
from surveys.invitations import group_segment
from surveys.models import (
    BOUNDS,
    WHOLE_WAVE,
    AnswerTotal,
    Audience,
    Invitation,
    ItemKind,
    ItemRole,
    Response,
    Survey,
    SurveyItem,
    Wave,
    WaveStatus,
)

#: Overall and per group, the favourable % at which people "value positively" (D1).
FAVOURABLE_TARGET = 60.0
#: A response rate below this is a gap: the favourable % may not speak for those who took part.
RESPONSE_RATE_TARGET = 50.0
#: The months back over which D1 counts the staff focus groups (this month included).
FOCUS_GROUP_MONTHS = 12
D1_THRESHOLDS = (
    Threshold("favourable_target", _l("Favourable share overall and in every group (%)"), int(FAVOURABLE_TARGET),
              1, 100),
    Threshold("response_rate_target", _l("Response rate of the participation survey (%)"),
              int(RESPONSE_RATE_TARGET), 1, 100),
    Threshold("window_months", _l("Months over which staff focus groups are counted"), FOCUS_GROUP_MONTHS, 1, 60),
    Threshold("min_focus_groups", _l("Staff focus groups the window must have"), 0, 0, 50),
)
#: How many attributes ``satisfaction_facts`` names as drivers.
TOP_DRIVERS = 3
#: The item kinds with a number to average (C2's before and after).
NUMERIC = tuple(BOUNDS)


def _pct(value: float | None) -> str:
    return "—" if value is None else format_decimal(round(value), "#,##0")


def _latest_answered_wave(audience: Audience, *, needs_role: ItemRole | None = None) -> Wave | None:
    """The latest wave (not a draft) of a survey for ``audience`` that has responses, among those opened by the day
    the evidence is judged on (``core.findings.evaluation_day``: a cycle's pack reads the waves of its period)."""
    query = (select(Wave).join(Survey, Survey.id == Wave.survey_id)
             .where(Survey.audience == audience, Wave.status != WaveStatus.DRAFT, Wave.opens_on <= evaluation_day(),
                    exists().where(Response.wave_id == Wave.id, Response.exclusion_id.is_(None)),
                    # An exit interview asks the clients who left: it is B2's, not the satisfaction of current ones.
                    ~exists().where(SurveyItem.survey_id == Wave.survey_id, SurveyItem.role == ItemRole.EXIT_REASON)))
    if needs_role is not None:
        query = query.where(exists().where(SurveyItem.survey_id == Wave.survey_id, SurveyItem.role == needs_role))
    return db.session.scalars(query.order_by(Wave.opens_on.desc(), Wave.id.desc()).limit(1)).first()


# --- D1 --------------------------------------------------------------------------------------------

def _month_start(day: date, months_back: int) -> date:
    """The first day of the month ``months_back`` months before ``day``'s month."""
    month = day.year * 12 + day.month - 1 - months_back
    return date(month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class D1Facts:
    #: The latest answered staff participation wave, None without one.
    wave: Wave | None = None
    #: Its results (``results.WaveResults``) and, unless they are hidden, its groups (``results.breakdown``
    #: by segment), how many groups are too small to show, and the improvement groups with members not invited.
    summary: object = None
    groups: tuple = ()
    hidden_groups: int = 0
    not_invited: tuple = ()
    #: The staff focus groups held in the window (``core.findings.Listening``, from ``signals.staff_listening``).
    focus_groups: tuple = ()
    limits: dict = field(default_factory=lambda: threshold_values(D1_THRESHOLDS, None))
    #: The first day of the window the focus groups are counted in.
    since: date | None = None

    @property
    def shown(self) -> bool:
        return self.wave is not None and not self.summary.hidden

    @property
    def overall(self) -> float | None:
        return self.summary.headline.get("participation")

    @property
    def favourable_below(self) -> bool:
        return self.overall is None or self.overall < self.limits["favourable_target"]

    @property
    def groups_below(self) -> list:
        """Named groups whose favourable % is below the target."""
        return [g for g in self.groups if g.name is not None and g.headline.get("participation") is not None
                and g.headline["participation"] < self.limits["favourable_target"]]

    @property
    def rate_below(self) -> bool:
        rate = self.summary.response_rate
        return rate is None or rate < self.limits["response_rate_target"]

    @property
    def focus_groups_short(self) -> bool:
        return len(self.focus_groups) < self.limits["min_focus_groups"]


def _groups_not_invited(wave: Wave) -> tuple:
    """Improvement groups with members, none of whom was invited to ``wave`` for the group."""
    with_members = db.session.scalars(select(Group).where(exists().where(GroupMember.group_id == Group.id))
                                      .order_by(Group.name)).all()
    invited = set(db.session.scalars(select(Invitation.segment).where(Invitation.wave_id == wave.id).distinct()))
    return tuple(g for g in with_members if group_segment(g.name) not in invited)


def d1_facts(today: date | None = None, thresholds: dict | None = None) -> D1Facts:
    """The latest answered staff participation wave with its results, groups and the groups not invited, and
    the staff focus groups of the window (whoever records them answers ``signals.staff_listening``)."""
    limits = threshold_values(D1_THRESHOLDS, thresholds)
    today = today or evaluation_day()
    since = _month_start(today, limits["window_months"] - 1)
    listened = tuple(item for found in signals.send(signals.staff_listening, since=since, until=today)
                     for item in found)
    extra = dict(focus_groups=listened, limits=limits, since=since)
    wave = _latest_answered_wave(Audience.STAFF, needs_role=ItemRole.PARTICIPATION)
    if wave is None:
        return D1Facts(**extra)
    summary = results.wave_results(wave, with_comments=False)
    if summary.hidden:
        return D1Facts(wave, summary, **extra)
    groups, hidden_groups = results.breakdown(wave, "segment")
    return D1Facts(wave, summary, tuple(groups), hidden_groups, _groups_not_invited(wave), **extra)


def d1_status(facts: D1Facts) -> Status:
    """Missing without a shown wave (none answered, or below the minimum n of anonymous results) and without
    staff focus groups; partly with focus groups alone. Met when the favourable % is at least the target
    overall and in every group shown, the response rate at least its target, no group is too small to show,
    every improvement group with members was invited, and the window has the staff focus groups the criteria
    set asks (``D1_THRESHOLDS``); partly otherwise."""
    if not facts.shown:
        return Status.PARTLY if facts.focus_groups else Status.MISSING
    complete = (not facts.favourable_below and not facts.rate_below and not facts.groups_below
                and not facts.hidden_groups and not facts.not_invited and not facts.focus_groups_short)
    return Status.MET if complete else Status.PARTLY


def _measure(favourable: float | None, n: int, rate: float | None) -> str:
    if rate is None:
        return _("favourable %(pct)s %% (n = %(n)d, no invitations: response rate unknown)", pct=_pct(favourable), n=n)
    return _("favourable %(pct)s %% (n = %(n)d, response rate %(rate)s %%)", pct=_pct(favourable), n=n,
             rate=_pct(rate))


def _title(wave: Wave) -> str:
    return f"{wave.survey} · {wave.name}"


def d1_rule(facts: D1Facts) -> Line:
    """D1's rule in words, with the numbers it uses."""
    limits = facts.limits
    text = _("D1 is met when the latest staff participation survey is at least %(favourable)d %% favourable overall "
             "and in every group, with a response rate of at least %(rate)d %%, every improvement group invited",
             favourable=limits["favourable_target"], rate=limits["response_rate_target"])
    if limits["min_focus_groups"]:
        text += _(", and at least %(n)d staff focus groups were held in the last %(months)d months",
                  n=limits["min_focus_groups"], months=limits["window_months"])
    return Line(text + ".")


def d1_finding(facts: D1Facts, detail: bool = False) -> Finding:
    """D1 in words: the favourable % overall and per group, the staff focus groups, and what falls short (in
    detail the thresholds, a table per group and the focus groups)."""
    if facts.wave is None or facts.summary.hidden:
        finding = _d1_unshown(facts)
    else:
        wave_url, summary = url_for("surveys.wave", wave_id=facts.wave.id), facts.summary
        results_url = url_for("surveys.wave_results", wave_id=facts.wave.id)
        reasons = [Line(_("%(wave)s: %(measure)s", wave=_title(facts.wave),
                          measure=_measure(facts.overall, summary.responses, summary.response_rate)), results_url)]
        reasons += [Line(f"{g.name}: {_measure(g.headline.get('participation'), g.responses, g.response_rate)}",
                         results_url) for g in facts.groups if g.name is not None]
        finding = Finding(d1_status(facts), [d1_rule(facts), *reasons, *_focus_group_reasons(facts)],
                          _d1_gaps(facts, wave_url, results_url) + _focus_group_gaps(facts))
        if detail:
            finding.blocks = [_group_table(facts, results_url)]
    if detail:
        finding.blocks = [thresholds_table(D1_THRESHOLDS, facts.limits), *finding.blocks,
                          *([_focus_group_table(facts)] if facts.focus_groups else [])]
    return finding


def _d1_unshown(facts: D1Facts) -> Finding:
    """No survey to read: none answered, or an anonymous wave with too few responses shown (how many there are,
    and how they are released); the staff focus groups still count."""
    if facts.wave is None:
        reason = Line(_("No staff participation survey has been answered yet."))
        gap = Line(_("Run the participation survey among the people who took part"), url_for("surveys.index"))
    else:
        summary, wave_url = facts.summary, url_for("surveys.wave", wave_id=facts.wave.id)
        reason = Line(_("%(wave)s: %(n)d responses so far, %(shown)d shown; the results of an anonymous survey are "
                        "shown from %(min)d, released in batches of %(batch)d.", wave=_title(facts.wave),
                        n=summary.responses + summary.waiting, shown=summary.responses, min=results.MIN_CUT,
                        batch=releases.batch_size()), url_for("surveys.wave_results", wave_id=facts.wave.id))
        gap = Line(_("Remind the people invited who have not answered"), wave_url)
    return Finding(d1_status(facts), [d1_rule(facts), reason, *_focus_group_reasons(facts)],
                   [gap, *_focus_group_gaps(facts)])


def _focus_group_reasons(facts: D1Facts) -> list[Line]:
    """The staff focus groups of the window, counted beside the survey."""
    listening = url_for("voice.activities", kind="staff_focus_group")
    since = format_date(facts.since, "long")
    if not facts.focus_groups:
        return [Line(_("No staff focus group since %(date)s", date=since), listening)]
    people = sum(g.participants for g in facts.focus_groups)
    held = "; ".join(f"{g.title} ({format_date(g.held_on, 'short')})" for g in facts.focus_groups)
    return [Line(ngettext("%(num)d staff focus group since %(date)s (%(people)d participants): %(list)s",
                          "%(num)d staff focus groups since %(date)s (%(people)d participants): %(list)s",
                          len(facts.focus_groups), date=since, people=people, list=held), listening)]


def _focus_group_gaps(facts: D1Facts) -> list[Line]:
    if not facts.focus_groups_short:
        return []
    return [Line(_("%(have)d of %(need)d staff focus groups since %(date)s: listen to the people who took part",
                   have=len(facts.focus_groups), need=facts.limits["min_focus_groups"],
                   date=format_date(facts.since, "long")), url_for("voice.new_activity", kind="staff_focus_group"))]


def _focus_group_table(facts: D1Facts) -> Table:
    return Table(_("Staff focus groups since %(date)s", date=format_date(facts.since, "long")),
                 [_("Held on"), _("Focus group"), _("Participants"), _("Findings")],
                 [[format_date(g.held_on, "short"), Line(g.title, g.url), str(g.participants), g.findings or "—"]
                  for g in facts.focus_groups])


def _d1_gaps(facts: D1Facts, wave_url: str, results_url: str) -> list[Line]:
    gaps, overall, rate = [], facts.overall, facts.summary.response_rate
    favourable, rate_target = facts.limits["favourable_target"], facts.limits["response_rate_target"]
    if overall is None:
        gaps.append(Line(_("Nobody answered the participation questions"), results_url))
    elif facts.favourable_below:
        gaps.append(Line(_("Favourable %(pct)s %%, below %(target)s %%: look at the comments and at what became of "
                           "the proposals", pct=_pct(overall), target=_pct(favourable)), results_url))
    if facts.rate_below:
        gaps.append(Line(_("Response rate %(rate)s %%, below %(target)s %%: remind those who have not answered",
                           rate=_pct(rate), target=_pct(rate_target)), wave_url))
    gaps += [Line(_("%(group)s: favourable %(pct)s %%, below %(target)s %%", group=group.name,
                    pct=_pct(group.headline["participation"]), target=_pct(favourable)), results_url)
             for group in facts.groups_below]
    if facts.hidden_groups:
        gaps.append(Line(ngettext("%(num)d group has fewer than %(min)d responses and is not shown: remind its "
                                  "members", "%(num)d groups have fewer than %(min)d responses and are not shown: "
                                  "remind their members", facts.hidden_groups, min=results.MIN_CUT), wave_url))
    return gaps + [Line(_("%(group)s: its members were not invited to %(wave)s", group=group.name,
                          wave=_title(facts.wave)), wave_url) for group in facts.not_invited]


def _group_table(facts: D1Facts, results_url: str) -> Table:
    """One row per group (and one for everyone): invited, answered, response rate, favourable % overall and
    per participation question."""
    summary = facts.summary
    items = [i for i in facts.wave.survey.items
             if i.role == ItemRole.PARTICIPATION and i.kind in results.FAVOURABLE_FROM]
    overall_items = {r.item.id: r.favourable for r in summary.items}
    rows = [[Line(_("Everyone"), results_url), str(summary.invited), str(summary.responses),
             _pct(summary.response_rate), _pct(summary.headline.get("participation")),
             *(_pct(overall_items.get(i.id)) for i in items)]]
    rows += [[g.name or "—", str(g.invited), str(g.responses), _pct(g.response_rate),
              _pct(g.headline.get("participation")), *(_pct(g.favourable.get(i.id)) for i in items)]
             for g in facts.groups]
    return Table(_("Favourable %% per group — %(wave)s", wave=_title(facts.wave)),
                 [_("Group"), _("Invited"), _("Responses"), _("Response rate %"), _("Favourable %"),
                  *(i.short for i in items)], rows)


def participation_evidence(detail: bool = False, thresholds: dict | None = None) -> Finding:
    """D1's automatic evidence, from the data as it is now, with the criteria set's thresholds."""
    return d1_finding(d1_facts(thresholds=thresholds), detail)


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
    #: (typology code, answers, NPS) of this wave's typologies with at least ``results.MIN_CUT`` answers.
    nps_by_typology: tuple = ()
    #: (``core.needs.NeedLevel``, attributes, mean favourable %) of the wave's items tagged with a level of need.
    by_need_level: tuple = ()


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def satisfaction_facts() -> SatisfactionFacts | None:
    """The latest answered client wave's n, response rate, CSAT, NPS with its change from the previous wave,
    intention to keep buying and top drivers; None when no client wave has responses. A fixed number of
    queries, whatever the number of responses."""
    wave = _latest_answered_wave(Audience.CLIENTS)
    if wave is None:
        return None
    waves = results.family_waves(wave.survey)
    counts = results.item_counts([w.id for w in waves])
    summary = results.wave_results(wave, counts, with_comments=False)
    base = dict(survey=str(wave.survey), wave=wave.name, opens_on=wave.opens_on,
                url=url_for("surveys.wave_results", wave_id=wave.id), responses=summary.responses,
                invited=summary.invited, response_rate=summary.response_rate, hidden=summary.hidden)
    if summary.hidden:
        return SatisfactionFacts(**base)
    nps_parts = summary.headline.get("nps")
    nps = nps_parts["nps"] if nps_parts else None
    previous = _previous_nps(wave, waves, counts)
    return SatisfactionFacts(
        **base, csat=summary.headline.get("csat"), nps=nps,
        previous_wave=previous["wave"].name if previous else None,
        previous_nps=previous["nps"] if previous else None,
        nps_change=nps - previous["nps"] if previous and nps is not None else None,
        repurchase=summary.headline.get("repurchase"), drivers=_top_drivers(wave, summary),
        nps_by_typology=_nps_by_typology(wave), by_need_level=_by_need_level(summary))


def _by_need_level(summary) -> tuple:
    """(level, attribute names, mean favourable %) per level of need the wave's items are tagged with, in the
    levels' order (no query: the wave's results hold the items)."""
    found: dict = {}
    for row in summary.items:
        if row.item.need_level is not None and row.favourable is not None:
            found.setdefault(row.item.need_level, []).append((row.item.short, row.favourable))
    return tuple((level, tuple(name for name, _f in found[level]),
                  sum(f for _n, f in found[level]) / len(found[level])) for level in NeedLevel if level in found)


def _nps_by_typology(wave: Wave) -> tuple:
    """(typology, answers, NPS) of one wave's typologies shown (at least ``results.MIN_CUT`` answers)."""
    return tuple((row["group"], row["n"], row["nps"]) for row in results.nps_trend_by(wave.survey, "typology")
                 if row["wave"].id == wave.id)


def _previous_nps(wave: Wave, waves, counts) -> dict | None:
    """The latest earlier wave of the same survey (any edition) with an NPS, as ``results.trend`` gives it."""
    points = results.trend(wave.survey, waves, counts)
    index = next(n for n, point in enumerate(points) if point["wave"].id == wave.id)
    return next((p for p in reversed(points[:index]) if p["nps"] is not None), None)


def _top_drivers(wave: Wave, summary) -> list[Driver]:
    """The ``TOP_DRIVERS`` attributes that move the intention to keep buying and to recommend the most."""
    frame = drivers.driver_analysis(wave, {r.item.id: r.counts for r in summary.items
                                           if r.item.kind != ItemKind.TEXT})
    return [Driver(attribute=row["attribute"], favourable=_number(row["favourable"]),
                   importance=_number(row["importance"]), r_repurchase=_number(row["r_repurchase"]),
                   r_recommend=_number(row["r_recommend"]), n=int(row["n"]), caution=bool(row["caution"]))
            for row in frame.to_dict("records") if _number(row["importance"]) is not None][:TOP_DRIVERS]


# --- C2: the targeted survey item before and after ---------------------------------------------------

def _family():
    return func.coalesce(Survey.family_id, Survey.id)


def survey_evidence(improvements) -> dict[int, list[ComputedEvidence]]:
    """C2 client evidence: the targeted item's mean in the last wave before and the latest wave after each
    implemented improvement (two queries, none without a survey-result source)."""
    pivots = {i.id: (i.source_id, i.implemented_on) for i in improvements
              if i.implemented_on and i.source_kind == SURVEY_RESULT and i.source_id}
    targets = _targets({item_id for item_id, _day in pivots.values()}) if pivots else {}
    if not targets:
        return {}
    waves = _item_waves({(root, key) for root, key, *_rest in targets.values()})
    found = {}
    for improvement_id, (item_id, implemented_on) in pivots.items():
        if item_id not in targets:
            continue
        root, key, kind, tag, text = targets[item_id]
        series = sorted(waves.get((root, key), []))
        before = [w for w in series if w[0] < implemented_on]
        after = [w for w in series if w[0] >= implemented_on]
        if before and after:
            found[improvement_id] = [_survey_change(tag or text, BOUNDS[kind], before[-1], after[-1])]
    return found


def _targets(item_ids) -> dict[int, tuple]:
    """item id → (survey family, item key, kind, tag, text) of the numeric client-survey items among them."""
    family = _family()
    query = (select(SurveyItem.id, family, SurveyItem.key, SurveyItem.kind, SurveyItem.tag, SurveyItem.text)
             .join(Survey, Survey.id == SurveyItem.survey_id)
             .where(SurveyItem.id.in_(item_ids), Survey.audience == Audience.CLIENTS, SurveyItem.kind.in_(NUMERIC)))
    return {item_id: tuple(rest) for item_id, *rest in db.session.execute(query)}


def _item_waves(wanted: set[tuple]) -> dict[tuple, list]:
    """(survey family, item key) → [(opens on, wave id, wave name, mean answer)] of the waves with at least
    ``MIN_CUT`` answers to the item, in one query."""
    family = _family()
    t, answers = AnswerTotal, func.sum(AnswerTotal.count)  # the running totals: rows per value, not per answer
    rows = db.session.execute(
        select(family, SurveyItem.key, Wave.id, Wave.name, Wave.opens_on, func.sum(t.number * t.count) / answers,
               answers)
        .select_from(t).join(SurveyItem, SurveyItem.id == t.item_id)
        .join(Survey, Survey.id == SurveyItem.survey_id).join(Wave, Wave.id == t.wave_id)
        .where(family.in_({root for root, _key in wanted}), SurveyItem.key.in_({key for _root, key in wanted}),
               Wave.status != WaveStatus.DRAFT, t.dimension == WHOLE_WAVE)
        .group_by(family, SurveyItem.key, Wave.id, Wave.name, Wave.opens_on))
    waves: dict[tuple, list] = {}
    for root, key, wave_id, name, opens_on, average, count in rows:
        if (root, key) in wanted and count >= results.MIN_CUT:
            waves.setdefault((root, key), []).append((opens_on, wave_id, name, float(average)))
    return waves


def _survey_change(attribute: str, bounds, before, after) -> ComputedEvidence:
    low, high = bounds
    before_mean, after_mean = round(before[3], 1), round(after[3], 1)
    title = _("Satisfaction with “%(attribute)s” (mean answer, %(low)d–%(high)d): %(before)s → %(after)s",
              attribute=attribute, low=low, high=high, before=before[2], after=after[2])
    return ComputedEvidence("survey", title, before_mean, after_mean, True, after_mean > before_mean)
