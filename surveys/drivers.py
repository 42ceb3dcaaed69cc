"""Driver analysis (B1: satisfaction "with its impact on the intention to keep buying and to recommend").

For each attribute item, Pearson's correlation between its answers and the answers of the same
respondents to the intention-to-keep-buying and likelihood-to-recommend items. The database returns
the sums the coefficient needs (n, Σx, Σy, Σx², Σy², Σxy) per (attribute, outcome) pair, kept as running totals
(``surveys.totals``) and read in one query, so the analysis costs the same for 50 or 500 000 responses; pandas
arranges the result.

Importance is the mean of the two correlations (or the one available); satisfaction is the attribute's
favourable %. Correlation is not causation, and with few answers it is unstable: pairs with fewer than
``SMALL_N`` answers carry a caution.
"""

import math

import pandas as pd

from surveys import totals
from surveys.models import ItemKind, ItemRole, Wave
from surveys.results import favourable, mean

#: Below this many paired answers a correlation is shown with a caution.
SMALL_N = 30
OUTCOMES = (ItemRole.REPURCHASE, ItemRole.RECOMMEND)
NUMERIC = (ItemKind.LIKERT, ItemKind.SCALE)


def pearson(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> float | None:
    """Pearson's r from sums; None when it is undefined (fewer than 3 pairs, or a constant variable)."""
    if n < 3:
        return None
    numerator = n * sxy - sx * sy
    spread = (n * sxx - sx * sx) * (n * syy - sy * sy)
    if spread <= 0:
        return None
    return max(-1.0, min(1.0, numerator / math.sqrt(spread)))


def pair_sums(wave_id: int, attribute_ids: list[int], outcome_ids: list[int]) -> dict[tuple[int, int], tuple]:
    """``{(attribute id, outcome id): (n, Σx, Σy, Σx², Σy², Σxy)}`` over respondents who answered both: one query
    of the wave's running totals (``surveys.totals``), kept per pair as the responses arrive."""
    wanted = {(a, o) for a in attribute_ids for o in outcome_ids}
    return {pair: sums for pair, sums in totals.pair_sums(wave_id).items() if pair in wanted}


def driver_analysis(wave: Wave, counts_by_item: dict) -> pd.DataFrame:
    """One row per attribute item: its tag, n, mean, favourable %, r with each outcome (and its n),
    importance and whether to read it with caution. Empty when the survey lacks attributes or outcomes."""
    items = list(wave.survey.items)
    attributes = [i for i in items if i.role == ItemRole.ATTRIBUTE and i.kind in NUMERIC]
    outcomes = {role: next((i for i in items if i.role == role and i.kind in NUMERIC), None) for role in OUTCOMES}
    outcomes = {role: item for role, item in outcomes.items() if item is not None}
    columns = ["item_id", "attribute", "n", "mean", "favourable", "r_repurchase", "n_repurchase", "r_recommend",
               "n_recommend", "importance", "caution"]
    if not attributes or not outcomes:
        return pd.DataFrame(columns=columns)
    sums = pair_sums(wave.id, [a.id for a in attributes], [o.id for o in outcomes.values()])
    rows = []
    for attribute in attributes:
        counts = counts_by_item.get(attribute.id, {})
        row = {"item_id": attribute.id, "attribute": attribute.short, "n": sum(counts.values()),
               "mean": mean(counts), "favourable": favourable(counts, attribute.kind)}
        for role in OUTCOMES:
            name = "repurchase" if role == ItemRole.REPURCHASE else "recommend"
            pair = sums.get((attribute.id, outcomes[role].id)) if role in outcomes else None
            row[f"r_{name}"] = pearson(int(pair[0]), *pair[1:]) if pair else None
            row[f"n_{name}"] = int(pair[0]) if pair else 0
        paired = [n for n in (row["n_repurchase"], row["n_recommend"]) if n]
        row["caution"] = not paired or min(paired) < SMALL_N
        rows.append(row)
    frame = pd.DataFrame(rows, columns=columns).astype({"r_repurchase": float, "r_recommend": float,
                                                        "mean": float, "favourable": float})
    frame["importance"] = frame[["r_repurchase", "r_recommend"]].mean(axis=1, skipna=True)
    return frame.sort_values("importance", ascending=False, na_position="last").reset_index(drop=True)


def quadrant(importance: float | None, satisfaction: float | None, importance_mid: float,
             satisfaction_mid: float) -> str:
    """Where an attribute falls in the importance × satisfaction matrix (split at the attributes' means)."""
    if importance is None or satisfaction is None or math.isnan(importance) or math.isnan(satisfaction):
        return "unknown"
    if importance >= importance_mid:
        return "keep" if satisfaction >= satisfaction_mid else "improve"
    return "surplus" if satisfaction >= satisfaction_mid else "watch"


def with_quadrants(frame: pd.DataFrame) -> pd.DataFrame:
    """The driver analysis with each attribute's ``quadrant`` (keep, improve, surplus, watch or unknown),
    the matrix split at the attributes' mean importance and mean satisfaction; an empty analysis as it is."""
    if frame.empty:
        return frame
    mid_importance, mid_satisfaction = frame["importance"].mean(), frame["favourable"].mean()
    return frame.assign(quadrant=[quadrant(i, s, mid_importance, mid_satisfaction)
                                  for i, s in zip(frame["importance"], frame["favourable"], strict=True)])
