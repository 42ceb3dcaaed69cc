"""Importing responses exported by another survey tool (CSV/XLSX), with the shared import pipeline:
one column per question of the survey (mapped by the user, or from a tool's export: ``import_presets``),
optional typology and segment columns, the response's date where the survey is not anonymous, every rejected
row reported, and nothing written unless every row is right.

Numeric answers may be written as the point's number or as words ("Muy satisfecho", "9 - Muy probable":
``answer_wordings``); other wordings are matched once by the wizard's value mapping and remembered."""

from dataclasses import dataclass, fields
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.i18n import in_reader_language
from core.imports import Column, ImportResult, ImportSpec
from core.imports.reading import Table
from surveys import answer_wordings, import_presets
from surveys.engine import MAX_TEXT, insert_responses
from surveys.models import ItemKind, ResponseSource, Survey, Wave

#: The field of the response's date (the tool's submit date), for surveys that are not anonymous.
SUBMITTED_ON = "submitted_on"


def field_name(item) -> str:
    return f"item_{item.key}"


def response_spec(survey: Survey) -> ImportSpec:
    """The columns an import into ``survey`` may have: its questions, then the breakdown attributes."""
    columns = []
    for item in survey.items:
        synonyms = (item.key, item.text, f"q{item.position}", f"p{item.position}", f"pregunta {item.position}",
                    f"question {item.position}")
        if item.kind == ItemKind.TEXT:
            columns.append(Column(field_name(item), item.short, required=False, max_length=MAX_TEXT,
                                  synonyms=synonyms))
        elif item.kind == ItemKind.CHOICE:
            choices = {label: index for index, label in enumerate(item.choices or [])}
            choices.update({str(index + 1): index for index in range(len(item.choices or []))})
            columns.append(Column(field_name(item), item.short, kind="choice", required=False, choices=choices,
                                  labels=dict(enumerate(item.choices or [])), synonyms=synonyms))
        else:
            columns.append(Column(field_name(item), item.short, kind="choice", required=False,
                                  choices=answer_wordings.point_choices(item.kind),
                                  labels=answer_wordings.point_labels(item.kind),
                                  vocabulary=answer_wordings.VOCABULARY[item.kind], numbered=True,
                                  synonyms=synonyms))
    columns.append(Column("typology", _l("Typology"), required=False, max_length=60,
                          synonyms=("tipologia", "tipología", "tipo de cliente", "typology", "client type")))
    columns.append(Column("segment", _l("Segment or group"), required=False, max_length=120,
                          synonyms=("segmento", "grupo", "segment", "group")))
    if not survey.anonymous:  # an anonymous survey keeps no time: its file's dates are not even read
        columns.append(Column(SUBMITTED_ON, _l("Date of the response"), kind="date", required=False,
                              synonyms=import_presets.TIME_HEADERS))
    return ImportSpec(columns)


def offered_mapping(survey: Survey, headers: list[str], all_headers=None) -> dict[str, str]:
    """The columns a tool's export names for itself, among ``headers`` (those that may be mapped; ``all_headers``:
    the file's, which tell the tool): each question the item it names, and the submit date (only where the survey
    keeps dates)."""
    preset = import_presets.recognise(list(all_headers or headers))
    mapping = {field_name(item): header
               for item, header in import_presets.question_columns(list(survey.items), headers, preset).items()}
    timestamp = import_presets.timestamp_column(headers, preset)
    if timestamp and not survey.anonymous:
        mapping[SUBMITTED_ON] = timestamp
    return mapping


@dataclass(frozen=True)
class SurveyTable(Table):
    """An upload's table as a response import maps it: for an anonymous survey, without the columns that hold when
    a response was given (never offered, read, shown or reported); ``all_headers`` are the file's, for telling
    which tool exported it."""

    all_headers: tuple[str, ...] = ()


def readable_table(survey: Survey, table: Table) -> SurveyTable:
    """``table`` as an import into ``survey`` may map it (see ``SurveyTable``)."""
    times = set(import_presets.time_columns(table.headers)) if survey.anonymous else set()
    kept = [header for header in table.headers if header not in times]
    return SurveyTable(**{f.name: getattr(table, f.name) for f in fields(Table)} | {"headers": kept},
                       all_headers=tuple(table.headers))


def outside_period(wave: Wave, day: date) -> bool:
    """Whether a response dated ``day`` falls outside the wave's period."""
    return day < wave.opens_on or (wave.closes_on is not None and day > wave.closes_on)


def period_message(wave: Wave, day: date) -> str:
    if wave.closes_on is None:
        return _("The response is dated %(date)s, before the wave opened (%(opens)s).",
                 date=format_date(day), opens=format_date(wave.opens_on))
    return _("The response is dated %(date)s, outside the wave's period (%(opens)s to %(closes)s).",
             date=format_date(day), opens=format_date(wave.opens_on), closes=format_date(wave.closes_on))


def plan(result: ImportResult, wave: Wave) -> list[dict]:
    """The responses to store, one per accepted row; a row without any answer, or dated outside the wave's
    period, is rejected."""
    survey = wave.survey
    planned = []
    for row in result.rows:
        submitted_on = None if survey.anonymous else row.values.get(SUBMITTED_ON)
        if submitted_on is not None and outside_period(wave, submitted_on):
            result.reject_field(row.number, SUBMITTED_ON, period_message(wave, submitted_on))
            continue
        values = {}
        for item in survey.items:
            value = row.values.get(field_name(item))
            if value is None or value == "":
                continue
            values[item.id] = (None, str(value)) if item.kind == ItemKind.TEXT else (float(value), None)
        if not values:
            result.reject(row.number, None, None, "", _("The row has no answer to any question."))
            continue
        planned.append({"values": values, "typology": row.values.get("typology") or None,
                        "segment": row.values.get("segment") or None, "source": ResponseSource.IMPORT,
                        "submitted_on": submitted_on})
    return planned


def apply(wave: Wave, planned: list[dict]) -> int:
    """Store them all (the caller commits once: all or nothing)."""
    return insert_responses(wave, planned)


def example_rows(survey: Survey) -> list[dict]:
    """Two responses to ``survey``, as another survey tool would export them (the template): a pleased
    respondent and a lukewarm one, with a typology and a segment."""
    rows = [{"typology": in_reader_language("usuario final", "end user"), "segment": "Norte"},
            {"typology": in_reader_language("cliente intermedio", "intermediate"), "segment": "Sur"}]
    for item in survey.items:
        for row, pleased in zip(rows, (True, False), strict=True):
            row[field_name(item)] = _example_answer(item, pleased)
    return rows


def _example_answer(item, pleased: bool):
    if item.kind == ItemKind.TEXT:
        return in_reader_language("Muy buena atención", "Very helpful staff") if pleased else None
    if item.kind == ItemKind.CHOICE:
        options = item.choices or []
        return (options[-1] if pleased else options[len(options) // 2]) if options else None
    low, high = item.bounds
    return high if pleased else (low + high) // 2


def recognised(table):
    """The survey tool whose export the file is (None: not recognised), for the check page."""
    return import_presets.recognise(list(getattr(table, "all_headers", ()) or table.headers))
