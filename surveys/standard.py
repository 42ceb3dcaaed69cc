"""The standard questionnaires, in Spanish and English: a survey created from one gets its items in the
language chosen at creation (the catalogue does not translate stored questions, so both texts live here).

Client satisfaction (B1): satisfaction with each attribute of the service, overall satisfaction,
expectations (did not meet / met / exceeded, seeds/003), intention to keep buying, likelihood to
recommend (NPS) and a comment. Staff participation (D1): whether people who took part in improvement
groups value that their opinion was taken into account. Client exit interview (B2; SEEP/AIMS's client exit
interview and Imp-Act practice note 3): why the client left — one of the census's exit reasons, which the survey
fills in when it is created — what they thought of the service and what would have kept them; never anonymous,
since its answers are set against each client's exit reason in the census. And one item per improvement, "I know
about the change to …" (C2: clients understand the improvement), added to any client survey.
"""

from flask_babel import lazy_gettext as _l

from surveys.models import Audience, ItemKind, ItemRole

L, S, C, T = ItemKind.LIKERT, ItemKind.SCALE, ItemKind.CHOICE, ItemKind.TEXT

#: The expectations item's options, in order (the index is what analyses use).
EXPECTATION_CHOICES = {
    "es": ["No cubrió mis expectativas", "Cubrió mis expectativas", "Superó mis expectativas"],
    "en": ["Did not meet my expectations", "Met my expectations", "Exceeded my expectations"],
}

#: The recommendation item (NPS), worded alike in every client questionnaire so its figures compare.
RECOMMEND = ("recommend", S, ItemRole.RECOMMEND, True, {
    "es": ("De 0 a 10, ¿con qué probabilidad nos recomendaría a un familiar, amigo o colega?", "Recomendación"),
    "en": ("From 0 to 10, how likely are you to recommend us to a relative, friend or colleague?",
           "Recommendation")})

#: key, kind, role, required, {language: (question, tag)}
CLIENT_SATISFACTION = (
    ("attr-attention", L, ItemRole.ATTRIBUTE, True, {
        "es": ("¿Qué satisfacción le produce la atención personal que recibe?", "Atención personal"),
        "en": ("How satisfied are you with the personal attention you receive?", "Personal attention")}),
    ("attr-information", L, ItemRole.ATTRIBUTE, True, {
        "es": ("¿Y la claridad de la información que le damos?", "Claridad de la información"),
        "en": ("And with the clarity of the information we give you?", "Clarity of information")}),
    ("attr-speed", L, ItemRole.ATTRIBUTE, True, {
        "es": ("¿Y la rapidez con que respondemos a sus consultas?", "Rapidez de respuesta"),
        "en": ("And with how quickly we answer your enquiries?", "Speed of response")}),
    ("attr-products", L, ItemRole.ATTRIBUTE, True, {
        "es": ("¿Y la adecuación de nuestros productos a sus necesidades?", "Adecuación de productos"),
        "en": ("And with how well our products fit your needs?", "Fit of products")}),
    ("attr-procedures", L, ItemRole.ATTRIBUTE, True, {
        "es": ("¿Y la facilidad de los trámites (en oficina y en línea)?", "Facilidad de trámites"),
        "en": ("And with how easy our procedures are (in the office and online)?", "Ease of procedures")}),
    ("attr-value", L, ItemRole.ATTRIBUTE, True, {
        "es": ("¿Y la relación entre lo que paga y lo que recibe?", "Relación calidad-precio"),
        "en": ("And with what you get for what you pay?", "Value for money")}),
    ("overall", L, ItemRole.OVERALL, True, {
        "es": ("En conjunto, ¿qué satisfacción le produce nuestro servicio?", "Satisfacción global"),
        "en": ("Overall, how satisfied are you with our service?", "Overall satisfaction")}),
    ("expectations", C, ItemRole.EXPECTATIONS, True, {
        "es": ("Nuestro servicio…", "Expectativas"),
        "en": ("Our service…", "Expectations")}),
    ("repurchase", L, ItemRole.REPURCHASE, True, {
        "es": ("Tengo intención de seguir siendo cliente y de seguir contratando con ustedes.",
               "Intención de seguir"),
        "en": ("I intend to remain a client and to keep buying from you.", "Intention to keep buying")}),
    RECOMMEND,
    ("comment", T, ItemRole.COMMENT, False, {
        "es": ("¿Qué podríamos mejorar? Cualquier comentario es bienvenido.", "Comentario"),
        "en": ("What could we do better? Any comment is welcome.", "Comment")}),
)

STAFF_PARTICIPATION = (
    ("opinion-considered", L, ItemRole.PARTICIPATION, True, {
        "es": ("Mi opinión se tuvo en cuenta.", "Mi opinión se tuvo en cuenta"),
        "en": ("My opinion was taken into account.", "My opinion was taken into account")}),
    ("proposals-followed", L, ItemRole.PARTICIPATION, True, {
        "es": ("Sé qué pasó con mis propuestas.", "Sé qué pasó con mis propuestas"),
        "en": ("I know what became of my proposals.", "I know what became of my proposals")}),
    ("useful", L, ItemRole.PARTICIPATION, True, {
        "es": ("El trabajo del grupo ha servido para mejorar la atención a los clientes.", "El trabajo fue útil"),
        "en": ("The group's work has improved how we serve clients.", "The work was useful")}),
    ("means", L, ItemRole.PARTICIPATION, True, {
        "es": ("Tuve el tiempo y los medios necesarios para participar.", "Tiempo y medios"),
        "en": ("I had the time and the means I needed to take part.", "Time and means")}),
    ("again", L, ItemRole.PARTICIPATION, True, {
        "es": ("Volvería a participar en un grupo de mejora.", "Volvería a participar"),
        "en": ("I would take part in an improvement group again.", "I would take part again")}),
    ("comment", T, ItemRole.COMMENT, False, {
        "es": ("¿Quiere añadir algún comentario?", "Comentario"),
        "en": ("Would you like to add a comment?", "Comment")}),
)

#: The exit reason item's key: its options are the census's exit reasons, filled in when the survey is created.
EXIT_REASON_KEY = "exit-reason"

EXIT_INTERVIEW = (
    (EXIT_REASON_KEY, C, ItemRole.EXIT_REASON, True, {
        "es": ("¿Cuál fue el motivo principal por el que dejó de ser cliente?", "Motivo de la baja"),
        "en": ("What was the main reason you stopped being a client?", "Reason for leaving")}),
    ("exit-story", T, ItemRole.OTHER, False, {
        "es": ("¿Qué le llevó a tomar la decisión? Cuéntenoslo con sus palabras.", "Cómo tomó la decisión"),
        "en": ("What led you to the decision? Tell us in your own words.", "How the decision was made")}),
    ("overall", L, ItemRole.OVERALL, True, {
        "es": ("Mientras fue cliente, ¿qué satisfacción le produjo nuestro servicio?", "Satisfacción global"),
        "en": ("While you were a client, how satisfied were you with our service?", "Overall satisfaction")}),
    ("come-back", L, ItemRole.REPURCHASE, True, {
        "es": ("Volvería a ser cliente si cambiara lo que me hizo marcharme.", "Volvería"),
        "en": ("I would become a client again if what made me leave changed.", "Would come back")}),
    RECOMMEND,
    ("comment", T, ItemRole.COMMENT, False, {
        "es": ("¿Qué tendríamos que haber hecho para que siguiera con nosotros?", "Comentario"),
        "en": ("What should we have done for you to stay with us?", "Comment")}),
)

#: The understanding item's texts: "I know about the change to …", per improvement.
UNDERSTANDING_TEXT = {"es": "Conozco el cambio en «%(title)s».", "en": "I know about the change to “%(title)s”."}

#: key: (label, audience, anonymous by default, items, {language: (title, introduction)})
TEMPLATES = {
    "client_satisfaction": (_l("Client satisfaction (B1)"), Audience.CLIENTS, True, CLIENT_SATISFACTION, {
        "es": ("Encuesta de satisfacción de clientes",
               "Su opinión nos ayuda a mejorar. Responder le llevará unos tres minutos."),
        "en": ("Client satisfaction survey", "Your opinion helps us improve. It takes about three minutes.")}),
    "staff_participation": (_l("Staff participation (D1)"), Audience.STAFF, True, STAFF_PARTICIPATION, {
        "es": ("Encuesta de participación en los grupos de mejora",
               "Anónima: nadie podrá saber qué ha respondido. Gracias por participar."),
        "en": ("Improvement group participation survey",
               "Anonymous: nobody can know what you answered. Thank you for taking part.")}),
    "exit_interview": (_l("Client exit interview (B2)"), Audience.CLIENTS, False, EXIT_INTERVIEW, {
        "es": ("Entrevista de salida de clientes",
               "Lamentamos que ya no sea cliente. Sus respuestas, con su nombre, nos ayudan a entender por qué y a "
               "mejorar. Le llevará unos tres minutos."),
        "en": ("Client exit interview",
               "We are sorry you are no longer a client. Your answers, given with your name, help us understand "
               "why and improve. It takes about three minutes.")}),
}

#: The standard questionnaires that are never anonymous (their answers are set against a named record).
NAMED_ONLY = frozenset({"exit_interview"})


def template_items(template: str, language: str, *, exit_reasons: list[str] = ()) -> list[dict]:
    """The items of a standard questionnaire in ``language`` (``es`` or ``en``), ready for ``SurveyItem``; an exit
    reason item's options are ``exit_reasons`` (the census's, in that language)."""
    language = language if language in ("es", "en") else "es"
    items = []
    for position, (key, kind, role, required, texts) in enumerate(TEMPLATES[template][3], start=1):
        text, tag = texts[language]
        choices = list(exit_reasons) if role == ItemRole.EXIT_REASON else list(EXPECTATION_CHOICES[language])
        items.append({"position": position, "key": key, "kind": kind, "role": role, "required": required,
                      "text": text, "tag": tag, "choices": choices if kind == C else None})
    return items


def understanding_key(improvement_id: int) -> str:
    """The stable key of the understanding item of one improvement (editions keep it, so waves compare)."""
    return f"understand-{improvement_id}"


def understanding_item(improvement_id: int, title: str, language: str) -> dict:
    """The item "I know about the change to …" for one improvement in ``language``, ready for ``SurveyItem``
    (a 1–5 agreement; its position is the caller's)."""
    language = language if language in ("es", "en") else "es"
    return {"key": understanding_key(improvement_id), "kind": L, "role": ItemRole.UNDERSTANDING, "required": False,
            "text": (UNDERSTANDING_TEXT[language] % {"title": title})[:500], "tag": title[:120], "choices": None}


def template_title(template: str, language: str) -> tuple[str, str]:
    """The standard title and introduction in ``language``."""
    return TEMPLATES[template][4][language if language in ("es", "en") else "es"]
