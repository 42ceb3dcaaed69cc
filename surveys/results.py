"""Results of a wave, aggregated in SQL: the database returns counts per (item, value), never one row per
response, so the number of statements and the work in Python do not grow with the responses.

Definitions (the same everywhere, and in docs/features.md):

- **Favourable %**: answers of 4–5 on a 1–5 item, or 7–10 on a 0–10 item, over everyone who answered it.
- **CSAT**: favourable % of the overall satisfaction item (4 "satisfied" or 5 "very satisfied").
- **NPS**: % promoters (9–10) minus % detractors (0–6) on the likelihood-to-recommend item; −100 to 100.
- **Intention to keep buying**: favourable % of the repurchase item.
- **Response rate**: personal-link responses shown over invitations sent (public-link and imported responses
  are not invited). In a named wave that is the links used; in an anonymous one it moves with the batches,
  like every other figure (the wave page's count of links used does not wait).

Breakdown groups with fewer than ``MIN_CUT`` responses are not shown, and an anonymous wave shows no
results until it has ``MIN_CUT`` responses, so a small group cannot be recognised through its results.
An anonymous wave's figures count only its released responses (``surveys.releases``): every aggregate
here reads the running totals (``surveys.totals``), which count only those.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from core.extensions import db
from core.shared_reads import shared
from loyalty.segments import Satisfaction, WaveSatisfaction
from surveys import totals
from surveys.models import (
    Audience,
    Invitation,
    ItemKind,
    ItemRole,
    ResponseSource,
    Survey,
    SurveyItem,
    Wave,
)
from surveys.releases import release_state

#: The smallest group whose results are shown.
MIN_CUT = 3
#: Comments listed on the results page (the export has them all).
COMMENTS_SHOWN = 200
#: Lowest favourable answer of each numeric kind.
FAVOURABLE_FROM = {ItemKind.LIKERT: 4, ItemKind.SCALE: 7}
#: Breakdown attributes copied onto responses.
DIMENSIONS = ("typology", "segment")
#: The measures ``headline`` gives; a hidden wave has them all None (the page tests each one).
HEADLINE_MEASURES = ("csat", "nps", "repurchase", "expectations", "participation")


# --- the measures, on a distribution {value: count} ----------------------------------------------

def answered(counts: dict) -> int:
    return sum(counts.values())


def share(counts: dict, test) -> float | None:
    """Percentage of answers whose value passes ``test``; None without answers."""
    n = answered(counts)
    return None if not n else 100.0 * sum(c for value, c in counts.items() if test(value)) / n


def mean(counts: dict) -> float | None:
    n = answered(counts)
    return None if not n else sum(value * c for value, c in counts.items()) / n


def favourable(counts: dict, kind: ItemKind) -> float | None:
    """Favourable % of a numeric item (see the module's definitions)."""
    return share(counts, lambda value: value >= FAVOURABLE_FROM[kind])


def csat(counts: dict) -> float | None:
    """% of 4–5 answers on the 1–5 overall satisfaction item."""
    return share(counts, lambda value: value >= 4)


def nps_parts(counts: dict) -> dict | None:
    """Promoters, passives and detractors (%), and the NPS, from a 0–10 distribution."""
    if not answered(counts):
        return None
    promoters = share(counts, lambda value: value >= 9)
    detractors = share(counts, lambda value: value <= 6)
    return {"promoters": promoters, "passives": 100.0 - promoters - detractors, "detractors": detractors,
            "nps": promoters - detractors, "n": answered(counts)}


def nps(counts: dict) -> float | None:
    parts = nps_parts(counts)
    return None if parts is None else parts["nps"]


# --- what a page shows ---------------------------------------------------------------------------

@dataclass
class ItemResult:
    """One item's distribution in one wave (or one group of a wave)."""

    item: SurveyItem
    counts: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return answered(self.counts)

    @property
    def mean(self) -> float | None:
        return mean(self.counts) if self.item.kind in FAVOURABLE_FROM else None

    @property
    def favourable(self) -> float | None:
        return favourable(self.counts, self.item.kind) if self.item.kind in FAVOURABLE_FROM else None

    @property
    def distribution(self) -> list[tuple[str, int, float]]:
        """(label, count, %) for every possible answer, in scale order."""
        if self.item.kind == ItemKind.CHOICE:
            labels = list(enumerate(self.item.choices or []))
        elif self.item.bounds:
            low, high = self.item.bounds
            labels = [(value, str(value)) for value in range(low, high + 1)]
        else:
            return []
        n = self.n or 1
        return [(label, self.counts.get(float(value), 0), 100.0 * self.counts.get(float(value), 0) / n)
                for value, label in labels]


def headline(items: list[SurveyItem], counts_by_item: dict) -> dict:
    """CSAT, NPS (with its parts), intention to keep buying, expectations and D1 favourable % from the
    distributions of one wave or group; a measure is None when its item is missing or unanswered."""
    def first(role):
        return next((i for i in items if i.role == role), None)

    def counts(item):
        return counts_by_item.get(item.id, {}) if item else {}

    overall, recommend, repurchase = first(ItemRole.OVERALL), first(ItemRole.RECOMMEND), first(ItemRole.REPURCHASE)
    participation = [i for i in items if i.role == ItemRole.PARTICIPATION and i.kind in FAVOURABLE_FROM]
    pooled = Counter()
    for item in participation:  # pooled over the D1 items: every answer weighs the same
        for value, c in counts(item).items():
            pooled[value >= FAVOURABLE_FROM[item.kind]] += c
    expectations = first(ItemRole.EXPECTATIONS)
    return {
        "csat": csat(counts(overall)) if overall else None,
        "nps": nps_parts(counts(recommend)) if recommend and recommend.kind == ItemKind.SCALE else None,
        "repurchase": favourable(counts(repurchase), repurchase.kind) if repurchase and repurchase.kind in
        FAVOURABLE_FROM else None,
        "expectations": ItemResult(expectations, counts(expectations)) if expectations else None,
        "participation": share(pooled, bool) if pooled else None,
    }


def item_counts(wave_ids) -> dict[int, dict[int, dict[float, int]]]:
    """``{wave_id: {item_id: {value: count}}}`` for the numeric and choice answers shown of the waves: one query
    of their running totals (``surveys.totals``)."""
    return {wave_id: counts for (wave_id, _group), counts in totals.value_counts(wave_ids).items()}


def response_counts(wave: Wave) -> dict[str, int]:
    """Responses shown of a wave by source (personal link, public link, imported)."""
    return totals.response_sizes([wave.id]).get((wave.id, None), {})


def invitation_counts(wave: Wave, dimension: str | None = None) -> dict:
    """``{group: invited}`` (the only group is None without ``dimension``): one query."""
    if dimension is None:
        return {None: db.session.scalar(select(func.count()).where(Invitation.wave_id == wave.id))}
    group = getattr(Invitation, dimension)
    return dict(db.session.execute(select(group, func.count()).where(Invitation.wave_id == wave.id)
                                   .group_by(group)).all())


def comments(wave: Wave, limit: int = COMMENTS_SHOWN) -> tuple[list[tuple[str, list[tuple[str, int]]]], int]:
    """Free-text answers grouped by question, each different text once with how many gave it (most repeated
    first, ties in a fixed order that is not the order of arrival), and how many answers there are in all.
    ``limit`` caps the different texts listed; read from the running totals (``surveys.totals.comments``)."""
    items = {i.id: i for i in wave.survey.items if i.kind == ItemKind.TEXT}
    rows, total = totals.comments(wave.id, list(items), limit)
    by_item: dict[int, list[tuple[str, int]]] = {}
    for item_id, answer, count in rows:
        by_item.setdefault(item_id, []).append((answer, count))
    ordered = sorted(by_item, key=lambda item_id: items[item_id].position)
    return [(items[item_id].short, by_item[item_id]) for item_id in ordered], total


@dataclass
class WaveResults:
    """Everything the results page shows about one wave, but the breakdowns, drivers and trend."""

    wave: Wave
    items: list[ItemResult]
    responses: int
    by_source: dict
    invited: int
    #: Personal-link responses shown: the links used, in a named wave (the response rate's numerator).
    answered_links: int
    headline: dict
    comments: list
    comment_count: int
    #: An anonymous wave below the minimum shows nothing but its counts.
    hidden: bool
    #: An anonymous wave's responses not shown yet: they wait for their batch (``surveys.releases``).
    waiting: int = 0

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.answered_links / self.invited if self.invited else None


def wave_results(wave: Wave, counts_by_wave: dict | None = None, release=None, *,
                 with_comments: bool = True) -> WaveResults:
    """The wave's counts, per-item distributions, headline measures and comments (a fixed number of queries).
    ``counts_by_wave`` may carry ``item_counts`` already read (the results page reads all waves at once), and
    ``release`` the wave's ``releases.ReleaseState``; without ``with_comments`` the comments are not read (the
    criteria's evidence gives figures, never what someone wrote)."""
    items = list(wave.survey.items)
    counts = (counts_by_wave if counts_by_wave is not None else item_counts([wave.id])).get(wave.id, {})
    by_source = response_counts(wave)
    total = sum(by_source.values())
    invited, answered_links = invitation_counts(wave)[None], by_source.get(str(ResponseSource.LINK), 0)
    hidden = wave.survey.anonymous and total < MIN_CUT
    waiting = (release or release_state(wave)).pending if wave.survey.anonymous else 0
    notes, note_count = ([], 0) if hidden or not with_comments else comments(wave)
    shown = [] if hidden else [ItemResult(i, counts.get(i.id, {})) for i in items if i.kind != ItemKind.TEXT]
    return WaveResults(
        wave=wave, items=shown,
        responses=total, by_source=by_source, invited=invited, answered_links=answered_links,
        headline=dict.fromkeys(HEADLINE_MEASURES) if hidden else headline(items, counts),
        comments=notes, comment_count=note_count, hidden=hidden, waiting=waiting)


@dataclass
class GroupResult:
    """One typology, segment or staff group of a wave."""

    name: str | None
    responses: int
    invited: int
    #: Personal-link responses shown of the group (as ``WaveResults.answered_links``).
    answered_links: int
    headline: dict
    favourable: dict  # item id -> favourable %

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.answered_links / self.invited if self.invited else None


def breakdown(wave: Wave, dimension: str) -> tuple[list[GroupResult], int]:
    """Results by ``typology`` or ``segment`` (three queries of the running totals); groups under ``MIN_CUT``
    responses are left out and counted. Returns (groups shown, groups hidden)."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    found = {group: by_source for (_wave, group), by_source in totals.response_sizes([wave.id], dimension).items()}
    sizes = {group: sum(by_source.values()) for group, by_source in found.items()}
    links = {group: by_source.get(str(ResponseSource.LINK), 0) for group, by_source in found.items()}
    if set(sizes) <= {None}:
        return [], 0
    counts: dict = defaultdict(dict)
    counts.update({group: dist for (_wave, group), dist in totals.value_counts([wave.id], dimension).items()})
    invitations = invitation_counts(wave, dimension)
    items = list(wave.survey.items)
    shown = [GroupResult(group, size, invitations.get(group, 0), links[group], headline(items, counts[group]),
                         {i.id: favourable(counts[group].get(i.id, {}), i.kind) for i in items
                          if i.kind in FAVOURABLE_FROM})
             for group, size in sizes.items() if size >= MIN_CUT]
    shown.sort(key=lambda g: (g.name is None, str(g.name or "")))
    return shown, sum(1 for size in sizes.values() if size < MIN_CUT)


# --- wave over wave ------------------------------------------------------------------------------

@shared
def family_waves(survey: Survey) -> list[Wave]:
    """The waves of every edition of the survey, oldest first."""
    root = survey.root_id
    query = (select(Wave).join(Survey, Survey.id == Wave.survey_id)
             .where((Survey.id == root) | (Survey.family_id == root)).order_by(Wave.opens_on, Wave.id))
    return list(db.session.scalars(query))


def trend(survey: Survey, waves: list[Wave] | None = None, counts: dict | None = None) -> list[dict]:
    """Per wave of the survey's editions: responses, CSAT, NPS, intention to keep buying and D1 favourable %.
    Items are matched across editions by role; four queries whatever the number of waves or responses (fewer
    when the caller passes the ``family_waves`` and their ``item_counts``)."""
    waves = family_waves(survey) if waves is None else waves
    if not waves:
        return []
    ids = [w.id for w in waves]
    counts = item_counts(ids) if counts is None else counts
    sizes = {wave_id: sum(by_source.values()) for (wave_id, _group), by_source in totals.response_sizes(ids).items()}
    items = db.session.scalars(select(SurveyItem).where(SurveyItem.survey_id.in_({w.survey_id for w in waves})))
    by_survey = defaultdict(list)
    for item in items:
        by_survey[item.survey_id].append(item)
    points = []
    for wave in waves:
        n = sizes.get(wave.id, 0)
        hidden = survey.anonymous and n < MIN_CUT
        measures = {} if hidden else headline(sorted(by_survey[wave.survey_id], key=lambda i: i.position),
                                              counts.get(wave.id, {}))
        nps_parts_ = measures.get("nps")
        points.append({"wave": wave, "responses": n, "csat": measures.get("csat"),
                       "nps": nps_parts_["nps"] if nps_parts_ else None, "repurchase": measures.get("repurchase"),
                       "participation": measures.get("participation")})
    return points


def nps_trend_by(survey: Survey, dimension: str) -> list[dict]:
    """NPS per wave and per typology or segment (groups under ``MIN_CUT`` answers left out): one query."""
    waves = {w.id: w for w in family_waves(survey)}
    recommend = select(SurveyItem.id).where(SurveyItem.survey_id.in_({w.survey_id for w in waves.values()}),
                                            SurveyItem.role == ItemRole.RECOMMEND, SurveyItem.kind == ItemKind.SCALE)
    counts: dict = defaultdict(Counter)
    for (wave_id, group), by_item in totals.value_counts(list(waves), dimension, recommend).items():
        if group is not None:
            for dist in by_item.values():
                counts[(wave_id, group)].update(dist)
    counts = {key: dict(dist) for key, dist in counts.items()}
    return [{"wave": waves[wave_id], "group": group, "nps": nps(dist), "n": answered(dist)}
            for (wave_id, group), dist in sorted(counts.items(), key=lambda kv: (waves[kv[0][0]].opens_on, kv[0][1]))
            if answered(dist) >= MIN_CUT]


# --- for the census's segmentation ------------------------------------------------------------------

def client_satisfaction():
    """The latest client survey's waves with responses shown (CSAT and NPS each, oldest first) and its latest
    wave by typology, for the segmentation page (``core.signals.client_satisfaction``); None without any."""
    latest = db.session.scalar(select(Wave).join(Survey, Survey.id == Wave.survey_id)
                               .where(Survey.audience == Audience.CLIENTS).order_by(Wave.opens_on.desc()).limit(1))
    if latest is None:
        return None
    points = [p for p in trend(latest.survey) if p["responses"] and p["csat"] is not None]
    if not points:
        return None
    waves = [WaveSatisfaction(p["wave"].name, p["responses"], p["csat"], p["nps"]) for p in points]
    groups, _hidden = breakdown(points[-1]["wave"], "typology")
    by_typology = [(g.name, g.responses, g.headline["csat"]) for g in groups if g.name]
    return Satisfaction(str(latest.survey), waves, by_typology)
