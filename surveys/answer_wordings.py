"""Answers written as words, as survey tools export them, read as the points of the app's scales.

A 1–5 item accepts the standard Spanish and English wordings of satisfaction and agreement ("Muy satisfecho",
"Totalmente de acuerdo", "Very dissatisfied", "Strongly agree"…), and a 0–10 item its two ends ("Nada
probable", "Extremely likely"); both accept the point's number alone or before a label ("9 - Muy probable",
"10 (Extremely likely)": ``Column.numbered``). Any other wording goes through the import wizard's value mapping
(``core.imports.values``): each scale kind is a fixed vocabulary ("surveys.likert", "surveys.scale"), so an
organisation's own wording ("Bastante satisfecho") is matched to a point once and remembered.
"""

import re

from flask_babel import lazy_gettext as _l

from core.imports.values import Option, Vocabulary
from surveys.models import BOUNDS, ItemKind

#: The standard wordings of each point of a 1–5 scale, Spanish then English (compared ignoring case, accents,
#: spaces and punctuation; the feminine and "o/a" forms are added by ``_with_genders``).
LIKERT_WORDINGS = {
    1: ("Muy insatisfecho", "Totalmente en desacuerdo", "Muy en desacuerdo", "Nada satisfecho", "Muy malo",
        "Very dissatisfied", "Strongly disagree", "Very poor", "Very bad"),
    2: ("Insatisfecho", "En desacuerdo", "Poco satisfecho", "Malo",
        "Dissatisfied", "Disagree", "Poor", "Bad"),
    3: ("Ni satisfecho ni insatisfecho", "Ni de acuerdo ni en desacuerdo", "Neutral", "Indiferente", "Regular",
        "Neither satisfied nor dissatisfied", "Neither agree nor disagree", "Neither satisfied or dissatisfied",
        "Neither agree or disagree", "Fair"),
    4: ("Satisfecho", "De acuerdo", "Bastante de acuerdo", "Bueno",
        "Satisfied", "Agree", "Good"),
    5: ("Muy satisfecho", "Totalmente de acuerdo", "Muy de acuerdo", "Completamente satisfecho", "Muy bueno",
        "Very satisfied", "Strongly agree", "Completely satisfied", "Very good", "Excellent", "Excelente"),
}

#: The wordings of the two ends of a 0–10 scale (the points between are written as numbers).
SCALE_WORDINGS = {
    0: ("Nada probable", "Nada probable en absoluto", "Not at all likely", "Not likely at all", "Extremely unlikely"),
    10: ("Extremadamente probable", "Totalmente probable", "Extremely likely"),
}

#: How the value mapping names each point (the vocabulary's options).
POINT_LABELS = {
    ItemKind.LIKERT: {1: _l("1 (very dissatisfied, strongly disagree)"), 2: _l("2 (dissatisfied, disagree)"),
                      3: _l("3 (neither one nor the other)"), 4: _l("4 (satisfied, agree)"),
                      5: _l("5 (very satisfied, strongly agree)")},
    ItemKind.SCALE: {0: _l("0 (not at all likely)"), 10: _l("10 (extremely likely)")},
}

_MASCULINE = re.compile(r"(satisfech)o", re.IGNORECASE)

#: The vocabulary of each numeric kind's points.
VOCABULARY = {ItemKind.LIKERT: "surveys.likert", ItemKind.SCALE: "surveys.scale"}


def _with_genders(wording: str) -> tuple[str, ...]:
    """A Spanish wording with its feminine and "o/a" forms ("satisfecho", "satisfecha", "satisfecho/a")."""
    if not _MASCULINE.search(wording):
        return (wording,)
    return wording, _MASCULINE.sub(r"\1a", wording), _MASCULINE.sub(r"\1o/a", wording)


def wordings(kind: ItemKind) -> dict[str, int]:
    """Every standard wording of a numeric kind's points, as the spelling → point choices of an import column."""
    table = LIKERT_WORDINGS if kind == ItemKind.LIKERT else SCALE_WORDINGS
    return {spelling: point for point, texts in table.items() for text in texts for spelling in _with_genders(text)}


def point_choices(kind: ItemKind) -> dict[str, int]:
    """What a cell of a numeric item may write: each point's number, and the standard wordings."""
    low, high = BOUNDS[kind]
    return {str(point): point for point in range(low, high + 1)} | wordings(kind)


def point_labels(kind: ItemKind) -> dict[int, str]:
    """The points as previews and messages name them: their numbers."""
    low, high = BOUNDS[kind]
    return {point: str(point) for point in range(low, high + 1)}


def _options(kind: ItemKind):
    table = LIKERT_WORDINGS if kind == ItemKind.LIKERT else SCALE_WORDINGS

    def options() -> list[Option]:
        found = []
        for point in range(BOUNDS[kind][0], BOUNDS[kind][1] + 1):
            found.append(Option(point, POINT_LABELS[kind].get(point, str(point)), table.get(point, ())))
        return found

    return options


def vocabularies() -> dict[str, Vocabulary]:
    """The points of the 1–5 and 0–10 scales, fixed lists (an import cannot add a point)."""
    return {VOCABULARY[ItemKind.LIKERT]: Vocabulary(VOCABULARY[ItemKind.LIKERT], _l("Survey answers from 1 to 5"),
                                                   _options(ItemKind.LIKERT)),
            VOCABULARY[ItemKind.SCALE]: Vocabulary(VOCABULARY[ItemKind.SCALE], _l("Survey answers from 0 to 10"),
                                                   _options(ItemKind.SCALE))}
