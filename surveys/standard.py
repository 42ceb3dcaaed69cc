"""The standard questionnaires, in Spanish and English: a survey created from one gets its items in the
language chosen at creation (the catalogue does not translate stored questions, so both texts live here).

Client satisfaction (B1): satisfaction with each attribute of the service, overall satisfaction,
expectations (did not meet / met / exceeded, seeds/003), intention to keep buying, likelihood to
recommend (NPS) and a comment. Staff participation (D1): whether people who took part in improvement
groups value that their opinion was taken into account.
"""

from flask_babel import lazy_gettext as _l

from surveys.models import Audience, ItemKind, ItemRole

L, S, C, T = ItemKind.LIKERT, ItemKind.SCALE, ItemKind.CHOICE, ItemKind.TEXT

#: The expectations item's options, in order (the index is what analyses use).
EXPECTATION_CHOICES = {
    "es": ["No cubrió mis expectativas", "Cubrió mis expectativas", "Superó mis expectativas"],
    "en": ["Did not meet my expectations", "Met my expectations", "Exceeded my expectations"],
}

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
    ("recommend", S, ItemRole.RECOMMEND, True, {
        "es": ("De 0 a 10, ¿con qué probabilidad nos recomendaría a un familiar, amigo o colega?",
               "Recomendación"),
        "en": ("From 0 to 10, how likely are you to recommend us to a relative, friend or colleague?",
               "Recommendation")}),
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
}


def template_items(template: str, language: str) -> list[dict]:
    """The items of a standard questionnaire in ``language`` (``es`` or ``en``), ready for ``SurveyItem``."""
    language = language if language in ("es", "en") else "es"
    items = []
    for position, (key, kind, role, required, texts) in enumerate(TEMPLATES[template][3], start=1):
        text, tag = texts[language]
        items.append({"position": position, "key": key, "kind": kind, "role": role, "required": required,
                      "text": text, "tag": tag,
                      "choices": list(EXPECTATION_CHOICES[language]) if kind == C else None})
    return items


def template_title(template: str, language: str) -> tuple[str, str]:
    """The standard title and introduction in ``language``."""
    return TEMPLATES[template][4][language if language in ("es", "en") else "es"]
