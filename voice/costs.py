"""Is listening worth it? (seeds/000, Pro Mujer): the yearly cost of listening against the benefit of the
clients it helps keep.

- **cost** of an activity or survey wave = staff hours × hourly rate + external cost (``models.listening_cost``);
- **clients kept** in a year = (retention of the year − retention of the baseline year) ÷ 100 × clients at
  the start of the year;
- **benefit** = clients kept × average contribution × years of contribution per client kept × share of the
  change credited to listening ÷ 100.

Retention and clients at start come from the census history (``loyalty.history``), the average contribution
from the census's yearly figures; the baseline year, the share credited and the years of contribution are
assumptions the coordinator sees and edits (``ListeningAssumptions``). SQL sums the costs per year. The cost
of a survey wave is recorded here too (``save_wave_cost``), so that the survey engine stays cost-free.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Integer, cast, extract, func, select

from core.extensions import db
from core.ui import money
from loyalty.history import census_history
from loyalty.models import CensusSettings, ClientYear
from loyalty.ranking import contribution_column
from loyalty.settings import current_settings
from surveys.models import Wave
from voice.models import ListeningActivity, ListeningAssumptions, WaveCost


def clients_kept(retention: float, baseline_retention: float, clients_at_start: int) -> float:
    """Clients who stayed because retention rose (negative when it fell)."""
    return (retention - baseline_retention) / 100 * clients_at_start


def retention_benefit(kept: float, average_contribution: float, *, attribution: float, value_years: float) -> float:
    """What the clients kept are worth, for the share of the change credited to listening."""
    return kept * average_contribution * value_years * attribution / 100


@dataclass(frozen=True)
class YearOfListening:
    """One year's cost of listening and the benefit estimated for it."""

    year: int
    activities_cost: float
    waves_cost: float
    retention: float | None
    clients_at_start: int
    average_contribution: float | None
    kept: float | None
    benefit: float | None

    @property
    def cost(self) -> float:
        return self.activities_cost + self.waves_cost

    @property
    def net(self) -> float | None:
        return None if self.benefit is None else self.benefit - self.cost

    @property
    def ratio(self) -> float | None:
        """Benefit per unit of cost."""
        return None if self.benefit is None or not self.cost else self.benefit / self.cost


def current_assumptions() -> ListeningAssumptions:
    """The saved assumptions, or the defaults (not saved) while the coordinator has not changed them."""
    saved = db.session.scalar(select(ListeningAssumptions).order_by(ListeningAssumptions.id).limit(1))
    return saved or ListeningAssumptions(baseline_year=None, attribution=50.0, value_years=1.0,
                                         average_contribution=None, default_hourly_rate=30.0)


def costs_by_year() -> dict[int, tuple[float, float]]:
    """year → (cost of listening activities, cost of survey waves), summed in SQL (two queries)."""
    activity_year = cast(extract("year", ListeningActivity.held_on), Integer)
    activity_cost = (func.coalesce(ListeningActivity.staff_hours, 0) * func.coalesce(ListeningActivity.hourly_rate, 0)
                     + func.coalesce(ListeningActivity.external_cost, 0))
    wave_year = cast(extract("year", Wave.opens_on), Integer)
    wave_cost = (func.coalesce(WaveCost.staff_hours, 0) * func.coalesce(WaveCost.hourly_rate, 0)
                 + func.coalesce(WaveCost.external_cost, 0))
    found: dict[int, list[float]] = {}
    for year, total in db.session.execute(select(activity_year, func.sum(activity_cost)).group_by(activity_year)):
        found.setdefault(int(year), [0.0, 0.0])[0] = float(total or 0)
    waves = select(wave_year, func.sum(wave_cost)).join(Wave, Wave.id == WaveCost.wave_id).group_by(wave_year)
    for year, total in db.session.execute(waves):
        found.setdefault(int(year), [0.0, 0.0])[1] = float(total or 0)
    return {year: (a, w) for year, (a, w) in sorted(found.items())}


def average_contributions(settings: CensusSettings) -> dict[int, float]:
    """year → the census's average contribution per client with figures that year (one GROUP BY)."""
    column = contribution_column(settings.contribution_basis)
    query = select(ClientYear.year, func.avg(func.coalesce(column, 0.0))).group_by(ClientYear.year)
    return {int(year): float(value) for year, value in db.session.execute(query)}


def default_baseline(cost_years, retention_years) -> int | None:
    """The year before listening started, if the census covers it; else the first year it covers."""
    if not retention_years:
        return None
    if cost_years and min(cost_years) - 1 in retention_years:
        return min(cost_years) - 1
    return min(retention_years)


def is_it_worth_it(assumptions: ListeningAssumptions, *, today: date | None = None) -> tuple[list, int | None]:
    """Each year with listening costs, from the baseline on: its cost and estimated benefit; and the baseline."""
    settings = current_settings()
    costs = costs_by_year()
    history = {p.start.year: p for p in census_history("year", settings, end=today)}
    retention = {year: p.retention for year, p in history.items() if p.retention is not None}
    baseline = assumptions.baseline_year or default_baseline(list(costs), list(retention))
    contributions = average_contributions(settings)
    rows = []
    for year in sorted(costs):
        activities, waves = costs[year]
        rows.append(_year(year, activities, waves, history.get(year), retention.get(baseline), assumptions,
                          contributions))
    return rows, baseline


def _year(year, activities, waves, period, baseline_retention, assumptions, contributions) -> YearOfListening:
    average = assumptions.average_contribution
    if average is None:
        average = contributions.get(year, contributions.get(year - 1))
    retention = period.retention if period else None
    at_start = period.at_start if period else 0
    kept = benefit = None
    if retention is not None and baseline_retention is not None:
        kept = clients_kept(retention, baseline_retention, at_start)
        if average is not None:
            benefit = retention_benefit(kept, average, attribution=assumptions.attribution,
                                        value_years=assumptions.value_years)
    return YearOfListening(year, activities, waves, retention, at_start, average, kept, benefit)


def interpretation(years: list[YearOfListening], baseline: int | None) -> str | None:
    """One sentence that says what the page's figures mean, over the years with an estimated benefit: whether
    the clients listening helped keep pay for it, do not yet, or whether retention fell (a negative benefit is
    clients lost since the baseline, not a loss listening caused). None when there is nothing to sum."""
    estimated = [year for year in years if year.benefit is not None]
    if not estimated:
        return None
    cost, benefit = sum(y.cost for y in estimated), sum(y.benefit for y in estimated)
    kept = sum(y.kept for y in estimated)
    span = dict(first=estimated[0].year, last=estimated[-1].year, cost=money(cost, whole=True),
                benefit=money(abs(benefit), whole=True), baseline=baseline, kept=round(abs(kept)))
    if round(benefit) < 0:
        return _("From %(first)d to %(last)d retention was lower than in %(baseline)d: about %(kept)d fewer "
                 "clients stayed, worth %(benefit)s, so these figures credit listening (%(cost)s) with no benefit "
                 "— it has not paid for itself yet; find out why clients leave before judging it.", **span)
    if round(benefit) == 0:
        return _("From %(first)d to %(last)d retention did not change from %(baseline)d, so no benefit is credited "
                 "to listening, which cost %(cost)s.", **span)
    if benefit < cost:
        return _("From %(first)d to %(last)d listening cost %(cost)s and the clients it helped keep (about "
                 "%(kept)d) are worth %(benefit)s: it does not pay for itself yet.", **span)
    return _("From %(first)d to %(last)d listening cost %(cost)s and the clients it helped keep (about %(kept)d) "
             "are worth %(benefit)s: each euro spent returned %(ratio)s.",
             ratio=money(benefit / cost) if cost else "—", **span)


def save_wave_cost(wave_id: int, data: dict) -> WaveCost:
    """Record or change what a survey wave cost."""
    cost = db.session.scalar(select(WaveCost).where(WaveCost.wave_id == wave_id))
    if cost is None:
        cost = WaveCost(wave_id=wave_id)
        db.session.add(cost)
    for name in ("staff_hours", "hourly_rate", "external_cost"):
        setattr(cost, name, data.get(name) or 0.0)
    cost.note = (data.get("note") or "").strip() or None
    db.session.flush()
    return cost
