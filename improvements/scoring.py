"""Prioritisation (C1): the group scores each proposal 1–5 on weighted criteria; the weighted score ranks them.

A criterion where more is worse (effort, cost) counts reversed: a 5 in effort is a 1 in priority. Scores
are brought to 0–100 so that weights can be any positive numbers.
"""

from dataclasses import dataclass, field

LOWEST, HIGHEST = 1, 5
IMPACT, EFFORT = "impact", "effort"


def normalised(score: int, higher_is_better: bool) -> float:
    """A 1–5 score as 0–1 in the direction of priority."""
    share = (score - LOWEST) / (HIGHEST - LOWEST)
    return share if higher_is_better else 1 - share


def weighted_score(scores: dict[int, int], criteria) -> float | None:
    """The weighted priority (0–100) of one proposal; None until every weighted criterion is scored."""
    weighted = [c for c in criteria if c.weight > 0]
    if not weighted or any(c.id not in scores for c in weighted):
        return None
    total = sum(c.weight for c in weighted)
    value = sum(c.weight * normalised(scores[c.id], c.higher_is_better) for c in weighted) / total
    return round(100 * value, 1)


def axis_value(scores: dict[int, int], criteria, axis: str) -> float | None:
    """The mean raw score of the criteria on one chart axis (impact or effort), None when unscored."""
    values = [scores[c.id] for c in criteria if c.axis == axis and c.id in scores]
    return round(sum(values) / len(values), 2) if values else None


@dataclass
class Ranked:
    """A proposal in the ranked list: its score, its place on the impact × effort chart, what is unscored."""

    improvement: object
    score: float | None
    impact: float | None
    effort: float | None
    missing: list = field(default_factory=list)
    rank: int | None = None


def rank(improvements, criteria, scores_of) -> list[Ranked]:
    """Proposals from highest priority down; unscored ones last. ``scores_of(imp)`` gives ``{criterion_id: score}``."""
    rows = []
    for improvement in improvements:
        scores = scores_of(improvement)
        rows.append(Ranked(improvement, weighted_score(scores, criteria), axis_value(scores, criteria, IMPACT),
                           axis_value(scores, criteria, EFFORT),
                           [c.name for c in criteria if c.weight > 0 and c.id not in scores]))
    rows.sort(key=lambda row: (row.score is None, -(row.score or 0), str(row.improvement)))
    for position, row in enumerate((r for r in rows if r.score is not None), start=1):
        row.rank = position
    return rows
