"""The segmentation matrix (seeds/003): contribution class × loyalty behaviour, each cell with a treatment.

Rows are the ABC classes of the year's ranking among current clients; columns the loyalty behaviour, today the client's
tenure (new / established / loyal, thresholds in the census settings). Only current clients are placed:
the matrix says how to treat the clients we have. Beside it, what the client surveys say of their satisfaction
(``satisfaction``: asked of the survey engine through ``core.signals.client_satisfaction``).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import signals
from core.extensions import db
from loyalty import kept_ranking
from loyalty.models import CensusSettings, Client, KeptSegmentCount
from loyalty.ranking import CLASSES, TENURE_BANDS, reference_date, tenure_band
from loyalty.window import ranked


@dataclass(frozen=True)
class Treatment:
    name: object
    advice: object
    tone: str  # a Bootstrap colour for the cell's border


#: (class, tenure band) → the segment's name and recommended treatment.
TREATMENTS = {
    ("A", "loyal"): Treatment(_l("Preferential"), _l("Personal manager, priority service; thank them and "
                                                     "involve them in improvements."), "success"),
    ("A", "established"): Treatment(_l("To consolidate"), _l("Regular personal contact; anticipate renewals "
                                                             "and their changing needs."), "success"),
    ("A", "new"): Treatment(_l("To take care of"), _l("High value not yet loyal: welcome plan and close "
                                                      "follow-up in the first years."), "warning"),
    ("B", "loyal"): Treatment(_l("Loyal core"), _l("Keep the contact regular; offer what would raise their "
                                                   "share of purchases."), "primary"),
    ("B", "established"): Treatment(_l("To develop"), _l("Cross-selling and periodic reviews to grow their "
                                                         "contribution."), "primary"),
    ("B", "new"): Treatment(_l("Promising"), _l("Onboarding and learning their requirements early."), "primary"),
    ("C", "loyal"): Treatment(_l("Faithful, low value"), _l("Efficient standard service; ask them for "
                                                            "referrals."), "secondary"),
    ("C", "established"): Treatment(_l("Irrelevant"), _l("Standard channels at minimum cost; no special "
                                                         "campaigns."), "secondary"),
    ("C", "new"): Treatment(_l("To watch"), _l("Automatic communication; watch whether they grow."), "secondary"),
}
TENURE_LABELS = {"new": _l("New"), "established": _l("Established"), "loyal": _l("Loyal")}


@dataclass(frozen=True)
class Cell:
    abc: str
    tenure: str
    clients: int
    contribution: float
    treatment: Treatment


def matrix(year: int, settings: CensusSettings) -> list[list[Cell]]:
    """Rows A, B, C; columns loyal, established, new: current clients and their contribution per cell, from the
    kept counts per class and join date (``loyalty.kept_ranking``) or the window query."""
    run = kept_ranking.kept(year, settings)
    rows = _live_cells(year, settings) if run is None else db.session.execute(_kept_cells(run, year, settings)).all()
    found = {(abc, tenure): (count, value or 0.0) for abc, tenure, count, value in rows}
    columns = list(reversed(TENURE_BANDS))
    return [[Cell(abc, tenure, *found.get((abc, tenure), (0, 0.0)), TREATMENTS[(abc, tenure)]) for tenure in columns]
            for abc in CLASSES]


def _kept_cells(run, year: int, settings: CensusSettings):
    kept_ranking.counted(run)
    counts = KeptSegmentCount
    band = tenure_band(counts.joined_on, reference_date(year), settings).label("tenure")
    return (select(counts.abc, band, func.sum(counts.clients), func.sum(counts.contribution))
            .where(counts.ranking_id == run.id).group_by(counts.abc, band))


def _live_cells(year: int, settings: CensusSettings) -> list:
    table = ranked(year, settings, once=True)
    band = tenure_band(Client.joined_on, reference_date(year), settings).label("tenure")
    return db.session.execute(
        select(table.c.abc, band, func.count(), func.sum(table.c.contribution))
        .join(Client, Client.id == table.c.client_id).where(Client.left_on.is_(None))
        .group_by(table.c.abc, band)
    ).all()


@dataclass(frozen=True)
class WaveSatisfaction:
    """One client survey wave's satisfaction: responses shown, CSAT (% satisfied), NPS."""

    name: str
    responses: int
    csat: float | None
    nps: float | None


@dataclass(frozen=True)
class Satisfaction:
    """What the client surveys say: each wave with responses (oldest first), and the latest one by typology
    (only groups large enough to be shown)."""

    survey: str
    waves: list[WaveSatisfaction]
    by_typology: list[tuple[str, int, float | None]]

    @property
    def latest(self) -> WaveSatisfaction:
        return self.waves[-1]


def satisfaction() -> Satisfaction | None:
    """The client surveys' satisfaction, from the survey engine; None while there are no client waves."""
    for _receiver, found in signals.client_satisfaction.send(None):
        if found is not None:
            return found
    return None
