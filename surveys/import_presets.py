"""The exports of the survey tools organisations use — LimeSurvey, Google Forms, Formbricks — recognised from their
headers, so that a response import maps itself: each question column to the item it answers, the tool's submit
date to the response's date, and the tool's own columns (ids, languages, devices, tags…) left out quietly.

Plain data and functions (tests call them directly); ``response_import`` and the importer use them. A preset is
recognised rather than picked: the tools' headers are distinctive enough that guessing costs the user nothing,
the mapping step still shows (and lets them change) every column, and a file that matches no preset is mapped
from the item keys and texts all the same.
"""

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from core.imports.cells import normalise


@dataclass(frozen=True)
class Preset:
    """One tool's export: how to recognise it, and its own columns (``normalise``d headers)."""

    name: str
    title: Any
    #: The file is this tool's export when its headers include every header of one of these sets.
    signatures: tuple[frozenset[str], ...]
    #: The tool's own columns, never questions: left out of the mapping without a word.
    metadata: frozenset[str]
    #: The columns that hold when the response was submitted, best first.
    timestamps: tuple[str, ...]
    #: The tool's first column, when that alone tells it (Google Forms' timestamp).
    first: frozenset[str] = frozenset()
    #: The tool's other columns that hold a time (started, last action): never read for an anonymous survey.
    other_times: frozenset[str] = frozenset()

    @property
    def times(self) -> frozenset[str]:
        """Every column of the tool that holds a time."""
        return frozenset(self.timestamps) | self.other_times

    def recognises(self, headers: list[str]) -> bool:
        names = {normalise(header) for header in headers}
        if self.first and headers and normalise(headers[0]) in self.first:
            return True
        return any(signature <= names for signature in self.signatures)


def _names(*headers: str) -> frozenset[str]:
    return frozenset(normalise(header) for header in headers)


LIMESURVEY_CODES = Preset(
    "limesurvey-codes", _l("LimeSurvey export (question codes)"),
    signatures=(_names("id", "submitdate", "lastpage", "startlanguage"),),
    metadata=_names("id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "ipaddr",
                    "refurl", "token"),
    timestamps=("submitdate", "datestamp"), other_times=_names("startdate"))

LIMESURVEY_TEXTS = Preset(
    "limesurvey-texts", _l("LimeSurvey export (full answers)"),
    signatures=(_names("Última página", "Lenguaje inicial"), _names("Last page", "Start language")),
    metadata=_names("ID de respuesta", "Fecha de envío", "Última página", "Lenguaje inicial", "Semilla",
                    "Fecha de inicio", "Fecha de la última acción", "Dirección IP", "URL de referencia", "Clave",
                    "Response ID", "Date submitted", "Last page", "Start language", "Seed", "Date started",
                    "Date last action", "IP address", "Referrer URL", "Token"),
    timestamps=tuple(map(normalise, ("Fecha de envío", "Date submitted", "Fecha de la última acción",
                                     "Date last action"))),
    other_times=_names("Fecha de inicio", "Date started"))

FORMBRICKS = Preset(
    "formbricks", _l("Formbricks export"),
    signatures=(_names("Response ID", "Finished"), _names("Response ID", "Survey ID")),
    metadata=_names("Response ID", "Timestamp", "Created At", "Updated At", "Finished", "Survey ID",
                    "Formbricks ID (internal)", "User ID", "Contact ID", "Notes", "Tags", "url", "country",
                    "userAgent - os", "userAgent - device", "userAgent - browser", "action", "source",
                    "Verified Email", "Language", "Quotas"),
    timestamps=(normalise("Timestamp"), normalise("Created At")), other_times=_names("Updated At"))

GOOGLE_FORMS = Preset(
    "google-forms", _l("Google Forms export"),
    signatures=(),
    first=_names("Marca temporal", "Timestamp"),
    metadata=_names("Marca temporal", "Timestamp", "Dirección de correo electrónico", "Email Address",
                    "Email", "Puntuación", "Score"),
    timestamps=(normalise("Marca temporal"), normalise("Timestamp")))

#: In the order they are tried: LimeSurvey's and Formbricks' own columns first, as Formbricks also writes a
#: "Timestamp" (not first, though).
PRESETS = (LIMESURVEY_CODES, LIMESURVEY_TEXTS, FORMBRICKS, GOOGLE_FORMS)

#: A question's number before its text: "1. ", "2) ", "3.- ", "P4: ".
_NUMBERING = re.compile(r"^\s*(?:[pq]?\d+(?:\.\d+)*)\s*(?:\.-|[.):\-–—])\s*", re.IGNORECASE)
#: LimeSurvey's sub-question suffix: "Q02[SQ001]" (codes) or "Valore… [Atención personal]" (full answers).
_SUBQUESTION = re.compile(r"^(?P<question>.*?)\s*\[(?P<sub>[^\[\]]+)\]\s*$")


def recognise(headers: list[str]) -> Preset | None:
    """The tool whose export has these headers; None when none is recognised."""
    return next((preset for preset in PRESETS if preset.recognises(headers)), None)


def header_names(header: str) -> list[str]:
    """What a question column's header may name an item by, best first (``normalise``d): the whole header, without
    its numbering; the sub-question in brackets; the question before them."""
    text = _NUMBERING.sub("", str(header), count=1)
    names = [normalise(text)]
    match = _SUBQUESTION.match(text)
    if match:
        names += [normalise(match["sub"]), normalise(match["question"])]
    return [name for name in dict.fromkeys(names) if name]


def item_names(item) -> list[str]:
    """What a file's header may call an item: its key (the code it is given in the other tool), its question and
    its tag."""
    return [name for name in dict.fromkeys(normalise(text) for text in (item.key, item.text, item.tag) if text)
            if name]


def _name_index(items: list) -> dict[str, Any]:
    """Item by each of its names; a name two items share names neither."""
    index: dict[str, Any] = {}
    shared = set()
    for item in items:
        for name in item_names(item):
            if name in index and index[name] is not item:
                shared.add(name)
            index[name] = item
    return {name: item for name, item in index.items() if name not in shared}


def question_columns(items: list, headers: list[str], preset: Preset | None = None) -> dict[Any, str]:
    """Which header answers each item it names (item → header); each header at most once, the tool's own columns
    never. Whole headers are matched first, then sub-questions, then the questions around them."""
    index = _name_index(items)
    metadata = preset.metadata if preset else frozenset()
    candidates = {header: header_names(header) for header in headers if normalise(header) not in metadata}
    found: dict[Any, str] = {}
    for rank in range(3):
        for header, names in candidates.items():
            item = index.get(names[rank]) if rank < len(names) else None
            if item is not None and item not in found and header not in found.values():
                found[item] = header
    return found


def timestamp_column(headers: list[str], preset: Preset | None) -> str | None:
    """The header of the tool's submit date, if the file has one."""
    if preset is None:
        return None
    by_name = {normalise(header): header for header in headers}
    return next((by_name[name] for name in preset.timestamps if name in by_name), None)


def time_columns(headers: list[str]) -> list[str]:
    """The headers that hold when a response was given, as any of the tools writes them (and the usual names of
    such a column in a file of one's own): what a file for an anonymous survey is read without."""
    names = frozenset().union(*(preset.times for preset in PRESETS)) | _names(*TIME_HEADERS)
    return [header for header in headers if normalise(header) in names]


#: The usual names of a response's date in a file of one's own (the import's date column goes by them too).
TIME_HEADERS = ("Marca temporal", "Timestamp", "submitdate", "Fecha de envío", "Date submitted", "Created at",
                "Fecha de respuesta", "Fecha de la respuesta", "Response date", "Fecha y hora", "Date and time")


def metadata_columns(headers: list[str], preset: Preset | None) -> list[str]:
    """The tool's own columns among ``headers`` (left out of the import)."""
    if preset is None:
        return []
    return [header for header in headers if normalise(header) in preset.metadata]
