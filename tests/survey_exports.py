"""Sample exports of the survey tools organisations use, written in code from each tool's documented format (no
file copied from anywhere): the same three responses to the Spanish client satisfaction survey, as

- LimeSurvey's response table with question codes as headers (CSV: every field quoted, UTF-8 with BOM; the
  metadata columns ``id``, ``submitdate``, ``lastpage``, ``startlanguage``, ``seed``; an array question's
  sub-questions as ``G01Q01[SQ]``, its sub-question codes the item keys written without dashes);
- LimeSurvey's "full answers" (XLSX: question texts as headers, ``Question [Sub-question]`` for an array, answers
  as texts, dates as text);
- Google Forms in Spanish (CSV: ``Marca temporal`` first, dd/mm/yyyy H:MM:SS; question titles numbered as the
  author wrote them; linear scales as numbers, multiple choice as texts);
- Formbricks (CSV or XLSX: ``Response ID``, ``Timestamp``, ``Finished``, ``Survey ID`` and its user, device, url,
  tags and notes columns, then one column per question headline; ratings and NPS as numbers).

``EXPECTED`` is what each response must be stored as, by item key."""

import csv
import io
from datetime import datetime

import openpyxl

from surveys.standard import EXPECTATION_CHOICES

SATISFACTION = {1: "Muy insatisfecho", 2: "Insatisfecho", 3: "Ni satisfecho ni insatisfecho", 4: "Satisfecho",
                5: "Muy satisfecho"}
AGREEMENT = {1: "Totalmente en desacuerdo", 2: "En desacuerdo", 3: "Ni de acuerdo ni en desacuerdo", 4: "De acuerdo",
             5: "Totalmente de acuerdo"}
ATTRIBUTES = ("attr-attention", "attr-information", "attr-speed", "attr-products", "attr-procedures", "attr-value")
LIKERT_KEYS = (*ATTRIBUTES, "overall", "repurchase")

#: Three respondents: pleased, lukewarm, displeased; the expectations item by its option's index.
RESPONSES = (
    {"submitted": datetime(2026, 11, 20, 10, 15, 22), "attr-attention": 5, "attr-information": 4, "attr-speed": 5,
     "attr-products": 4, "attr-procedures": 4, "attr-value": 5, "overall": 5, "expectations": 2, "repurchase": 5,
     "recommend": 10, "comment": "Muy buena atención en la oficina"},
    {"submitted": datetime(2026, 11, 21, 18, 2, 9), "attr-attention": 3, "attr-information": 3, "attr-speed": 2,
     "attr-products": 4, "attr-procedures": 3, "attr-value": 3, "overall": 3, "expectations": 1, "repurchase": 4,
     "recommend": 7, "comment": ""},
    {"submitted": datetime(2026, 11, 23, 9, 41, 57), "attr-attention": 2, "attr-information": 1, "attr-speed": 1,
     "attr-products": 2, "attr-procedures": 1, "attr-value": 2, "overall": 1, "expectations": 0, "repurchase": 2,
     "recommend": 0, "comment": "Tardaron tres semanas en responder"},
)

#: What each response is stored as: numbers by item key (the expectations option's index), and the comment.
EXPECTED = [{key: value for key, value in response.items() if key != "submitted"} for response in RESPONSES]
DATES = [response["submitted"].date() for response in RESPONSES]

QUESTIONS = {  # the Spanish survey's questions (surveys.standard), as the other tool was set up with them
    "overall": "En conjunto, ¿qué satisfacción le produce nuestro servicio?",
    "expectations": "Nuestro servicio…",
    "repurchase": "Tengo intención de seguir siendo cliente y de seguir contratando con ustedes.",
    "recommend": "De 0 a 10, ¿con qué probabilidad nos recomendaría a un familiar, amigo o colega?",
    "comment": "¿Qué podríamos mejorar? Cualquier comentario es bienvenido.",
}
TAGS = {"attr-attention": "Atención personal", "attr-information": "Claridad de la información",
        "attr-speed": "Rapidez de respuesta", "attr-products": "Adecuación de productos",
        "attr-procedures": "Facilidad de trámites", "attr-value": "Relación calidad-precio"}
ATTRIBUTE_QUESTIONS = {
    "attr-attention": "¿Qué satisfacción le produce la atención personal que recibe?",
    "attr-information": "¿Y la claridad de la información que le damos?",
    "attr-speed": "¿Y la rapidez con que respondemos a sus consultas?",
    "attr-products": "¿Y la adecuación de nuestros productos a sus necesidades?",
    "attr-procedures": "¿Y la facilidad de los trámites (en oficina y en línea)?",
    "attr-value": "¿Y la relación entre lo que paga y lo que recibe?",
}
OPTIONS = EXPECTATION_CHOICES["es"]


def _recommend_words(point: int) -> str:
    """A 0–10 answer as LimeSurvey's answer options read when the ends are labelled."""
    return {0: "0 – Nada probable", 10: "10 - Extremadamente probable"}.get(point, str(point))


def limesurvey_codes() -> list[list]:
    """Response table, question codes as headers, answer codes (the points, the option's number) as answers."""
    headers = ["id", "submitdate", "lastpage", "startlanguage", "seed",
               *(f"G01Q01[{key.replace('-', '')}]" for key in ATTRIBUTES),
               "overall", "expectations", "repurchase", "recommend", "comment"]
    rows = []
    for number, response in enumerate(RESPONSES, start=1):
        rows.append([str(number), response["submitted"].strftime("%Y-%m-%d %H:%M:%S"), "3", "es",
                     str(1_148_217_539 + number * 7_919),
                     *(str(response[key]) for key in ATTRIBUTES), str(response["overall"]),
                     str(response["expectations"] + 1), str(response["repurchase"]), str(response["recommend"]),
                     response["comment"]])
    return [headers, *rows]


def limesurvey_texts() -> list[list]:
    """"Full answers": question texts as headers (an array's sub-question in brackets), answers as texts."""
    headers = ["ID de respuesta", "Fecha de envío", "Última página", "Lenguaje inicial", "Semilla",
               *(f"Valore su satisfacción con: [{TAGS[key]}]" for key in ATTRIBUTES),
               *(QUESTIONS[key] for key in ("overall", "expectations", "repurchase", "recommend", "comment"))]
    rows = []
    for number, response in enumerate(RESPONSES, start=1):
        rows.append([number, response["submitted"].strftime("%Y-%m-%d %H:%M:%S"), 3, "es", 1_148_217_539 + number,
                     *(SATISFACTION[response[key]] for key in ATTRIBUTES), SATISFACTION[response["overall"]],
                     OPTIONS[response["expectations"]], AGREEMENT[response["repurchase"]],
                     _recommend_words(response["recommend"]), response["comment"] or None])
    return [headers, *rows]


def google_forms() -> list[list]:
    """Google Forms in Spanish: ``Marca temporal`` first, numbered question titles, linear scales as numbers,
    multiple choice (overall satisfaction, expectations, agreement) as texts."""
    keys = (*ATTRIBUTES, "overall", "expectations", "repurchase", "recommend", "comment")
    texts = {**ATTRIBUTE_QUESTIONS, **QUESTIONS}
    headers = ["Marca temporal", *(f"{number}. {texts[key]}" for number, key in enumerate(keys, start=1))]
    rows = []
    for response in RESPONSES:
        stamp = response["submitted"]
        rows.append([f"{stamp:%d/%m/%Y} {stamp.hour}:{stamp:%M:%S}",
                     *(str(response[key]) for key in ATTRIBUTES), SATISFACTION[response["overall"]],
                     OPTIONS[response["expectations"]], AGREEMENT[response["repurchase"]], str(response["recommend"]),
                     response["comment"]])
    return [headers, *rows]


FORMBRICKS_META = ["Response ID", "Timestamp", "Finished", "Survey ID", "Formbricks ID (internal)", "User ID",
                   "Notes", "Tags", "url", "country", "userAgent - os", "userAgent - device", "userAgent - browser"]


def formbricks() -> list[list]:
    """Formbricks: its metadata columns, then one column per question headline; ratings and NPS as numbers,
    single choice as the option's text."""
    keys = (*ATTRIBUTES, "overall", "expectations", "repurchase", "recommend", "comment")
    texts = {**ATTRIBUTE_QUESTIONS, **QUESTIONS}
    headers = [*FORMBRICKS_META, *(texts[key] for key in keys)]
    rows = []
    for number, response in enumerate(RESPONSES, start=1):
        stamp = response["submitted"]
        rows.append([f"cm3x{number:04d}q8w2r0000ab12cd34", f"{stamp:%Y-%m-%dT%H:%M:%S}.000Z", "Yes",
                     "cm3s9v1k20001xyz", f"cm3c{number:04d}", "", "Llamar de vuelta" if number == 3 else "",
                     "web, otoño" if number != 2 else "", "https://encuesta.example.test/s/cm3s9v1k20001xyz",
                     "ES", "Windows", "desktop" if number != 2 else "mobile", "Chrome",
                     *(str(response[key]) for key in (*ATTRIBUTES, "overall")), OPTIONS[response["expectations"]],
                     str(response["repurchase"]), str(response["recommend"]), response["comment"]])
    return [headers, *rows]


def as_csv(table: list[list], *, quote_all: bool = False, bom: bool = False) -> bytes:
    """The table as the tool's CSV: comma-separated, UTF-8 (with a BOM where the tool writes one)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows([["" if cell is None else cell for cell in row] for row in table])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def as_xlsx(table: list[list], sheet: str = "Resultados") -> bytes:
    """The table as one XLSX sheet."""
    book = openpyxl.Workbook()
    worksheet = book.active
    worksheet.title = sheet
    for row in table:
        worksheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
