"""Importing responses exported by another survey tool (CSV/XLSX), with the shared import pipeline:
one column per question of the survey (mapped by the user), optional typology and segment columns,
every rejected row reported, and nothing written unless every row is right."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.i18n import in_reader_language
from core.imports import Column, ImportResult, ImportSpec
from surveys.engine import MAX_TEXT, insert_responses
from surveys.models import ItemKind, ResponseSource, Survey, Wave


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
            low, high = item.bounds
            columns.append(Column(field_name(item), item.short, kind="integer", required=False, minimum=low,
                                  maximum=high, synonyms=synonyms))
    columns.append(Column("typology", _l("Typology"), required=False, max_length=60,
                          synonyms=("tipologia", "tipología", "tipo de cliente", "typology", "client type")))
    columns.append(Column("segment", _l("Segment or group"), required=False, max_length=120,
                          synonyms=("segmento", "grupo", "segment", "group")))
    return ImportSpec(columns)


def plan(result: ImportResult, survey: Survey) -> list[dict]:
    """The responses to store, one per accepted row; a row without any answer is rejected."""
    planned = []
    for row in result.rows:
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
                        "segment": row.values.get("segment") or None, "source": ResponseSource.IMPORT})
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
