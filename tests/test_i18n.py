"""Spanish and English: every marked string is translated, and the language follows the person."""

import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}


def marked_strings() -> dict:
    """Every marked message: its catalogue key (the singular and its context: "" for none, "button" where a
    word is a verb on a button and a noun elsewhere) and its source forms."""
    mapping = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=mapping, keywords=KEYWORDS,
        directory_filter=lambda path: not Path(path).name.startswith((".", "_")) and
        Path(path).name not in {"tests", "migrations", "node_modules"},
    ):
        forms = message if isinstance(message, tuple) else (message,)
        found[(forms[0], context or "")] = forms
    return found


def spanish_catalogue():
    with open(ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


def test_every_marked_string_has_a_spanish_translation_with_the_same_placeholders():
    catalogue = spanish_catalogue()
    strings = marked_strings()
    assert len(strings) > 100

    def message(key):
        return catalogue.get(key[0], context=key[1] or None)

    def translations(key):
        string = message(key).string if message(key) is not None else ""
        return string if isinstance(string, tuple) else (string,)

    untranslated = sorted(key for key in strings if not all(translations(key)))
    assert untranslated == [], "run `make messages` and translate these in translations/es"
    assert sorted(key for key in strings if message(key).fuzzy) == []
    for key, forms in strings.items():
        expected = sorted(PLACEHOLDER.findall(forms[-1]))
        for translated in translations(key):
            assert sorted(PLACEHOLDER.findall(translated)) == expected, key


def test_the_browser_language_is_used_before_sign_in(client):
    spanish = client.get("/login", headers={"Accept-Language": "es-ES,es;q=0.9"}).get_data(as_text=True)
    assert '<html lang="es">' in spanish and "Iniciar sesión" in spanish
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Sign in" in english


def test_the_language_link_on_the_login_page_wins_over_the_browser(client):
    client.get("/login?lang=en", headers={"Accept-Language": "es"})
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)


def test_a_users_own_language_wins_over_the_browser(client, make_user):
    sign_in(client, make_user("member", language="es"))
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in page and ">Procesos</a>" in page


def catalogue_errors(catalogue) -> list[str]:
    """What ``pybabel compile`` would report for ``catalogue`` (and fail on): line and problem, one each."""
    return [f"{message.lineno}: {error}" for message, errors in catalogue.check() for error in errors]


def test_the_spanish_catalogue_compiles_without_errors():
    assert catalogue_errors(spanish_catalogue()) == []


def repeated_entries(text: str) -> list[str]:
    """The (context, message) pairs a catalogue defines twice (Babel keeps the last silently; msgfmt refuses);
    a message written over several lines is compared as written."""
    seen, repeated = set(), []
    for context, message in re.findall(r'^(?:msgctxt "((?:[^"\\]|\\.)*)"\n)?msgid ("(?:[^"\\]|\\.)*"\n'
                                       r'(?:"(?:[^"\\]|\\.)*"\n)*)', text, flags=re.M):
        if (context, message) in seen and message != '""\n':
            repeated.append(f"{context}|{message.strip()}" if context else message.strip())
        seen.add((context, message))
    return repeated


def test_the_spanish_catalogue_defines_each_message_once():
    text = (ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert repeated_entries(text) == []
    assert repeated_entries('msgid "a"\nmsgstr "x"\n\nmsgctxt "b"\nmsgid "a"\nmsgstr "y"\n\n'
                            'msgid "a"\nmsgstr "z"\n\nmsgid ""\n"b c"\nmsgstr "w"\n\n'
                            'msgid ""\n"b c"\nmsgstr "v"\n') == ['"a"', '""\n"b c"']


def test_a_catalogue_error_is_found_where_it_is():
    broken = read_po(io.StringIO('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                                 '#, python-format\nmsgid "%(n)d done"\nmsgstr "%(n)d hecho %s"\n'))
    errors = catalogue_errors(broken)
    assert len(errors) == 1 and errors[0].startswith("6: ") and "positional and named" in errors[0]


#: The familiar "tú" in Spanish: the catalogue speaks "usted" everywhere, the public survey pages included.
#: Possessives and pronouns (tu, tus, te), second-person verbs (puedes, tienes, has…), imperatives of "tú" where a
#: sentence starts ("Usa al menos…", ": elige otra") and the familiar forms with an enclitic pronoun
#: ("Guárdalo", "regístralas"). Third persons that read the same mid-sentence ("la importación usa",
#: "%(code)s vuelve a ser cliente") are not flagged: the imperative is only looked for where a sentence starts.
TU_WORDS = re.compile(
    r"\b(tu|tus|te|ti|contigo|tuyo|tuya|tuyos|tuyas|puedes|puedas|tienes|tengas|quieres|quieras|debes|necesitas|"
    r"has|hayas|sabes|sepas|estás|eres|usas|eliges|elijas|cambias|dejas|generes|pierdes|respondiste|"
    r"podrás|verás|comprobarás|indicarás|tendrás|recibirás)\b", re.IGNORECASE)
TU_IMPERATIVES = re.compile(
    r"(?:^|(?<=[.:;!?]\s)|(?<=[¿¡(\n])|(?<=— ))"
    r"(usa|utiliza|introduce|elige|escribe|indica|añade|sube|pulsa|haz|pon|revisa|comprueba|vuelve|selecciona|marca|"
    r"guarda|copia|abre|corrige|espera|confirma|cambia|crea|define|importa|adjunta|recarga|avisa|descarga|pide|"
    r"empieza|registra|rellena|imprime|invita|fija|vincula|ejecuta|escanea|pega|mira|borra|recuerda)\b", re.IGNORECASE)
TU_ENCLITICS = re.compile(
    r"\b(guárda(lo|la|los|las)|ábre(lo|la|los|las)|compruéba(lo|la|los|las)|añáde(lo|la|los|las)|"
    r"regístra(lo|la|los|las)|impórta(lo|la|los|las)|divíde(lo|la|los|las)|envía(lo|la|los|las)|"
    r"retíra(lo|la|los|las)|déja(lo|la|los|las)|escríbe(lo|la|los|las)|muéve(lo|la|los|las)|"
    r"configúra(lo|la|los|las)|planifíca(lo|la|los|las)|somételo|sométela|desmárca(lo|la)|hazlo|ponlo|"
    r"elíge(lo|la|los|las)|indícalo|adelántate|asegúrate|fíjate)\b", re.IGNORECASE)
#: Where a clause starts with a third person or a noun that reads like an imperative of "tú".
USTED_EXCEPTIONS = ("Empieza con", "Completa", "sube la prioridad", ": vuelve a la lista de comprobación")


def familiar_forms(text: str) -> list[str]:
    """The "tú" forms in a Spanish text, as found."""
    for exception in USTED_EXCEPTIONS:
        text = text.replace(exception, " ")
    return [match.group(0) for pattern in (TU_WORDS, TU_ENCLITICS, TU_IMPERATIVES) for match in pattern.finditer(text)]


def test_the_familiar_forms_are_found_and_usted_is_not():
    for familiar in ("Usa al menos 12 caracteres.", "Esta no es tu contraseña actual.", "No puedes registrar.",
                     "Si te llegó en un mensaje, vuelve a abrirla", "La fecha ya ha pasado: elige otra.",
                     "Ábrelo en la hoja y guárdalo como CSV.", "Ya has respondido a esta encuesta",
                     "Gracias por tus respuestas", "Introduce el código", "Abre la aplicación y escribe el código"):
        assert familiar_forms(familiar), familiar
    for usted in ("Use al menos 12 caracteres.", "Esta no es su contraseña actual.", "La importación usa la columna.",
                  "%(code)s vuelve a ser cliente actual.", "Un grupo de mejora registra oportunidades y las prioriza.",
                  "Consulta a clientes de confianza", "Ábralo en su hoja y guárdelo como CSV.", "Empieza con",
                  "Ya ha respondido a esta encuesta", "Cada cambio guardado en la ficha crea una revisión.",
                  "Una puntuación más alta sube la prioridad", "Lista de comprobación completa", "Té o café"):
        assert familiar_forms(usted) == [], usted


def test_the_spanish_catalogue_speaks_usted_everywhere():
    found = []
    for message in spanish_catalogue():
        if not message.id:
            continue
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if forms := familiar_forms(text or ""):
                found.append(f"{message.lineno}: {forms} in {text[:80]!r}")
    assert found == [], "Spanish speaks usted: " + "\n".join(found)
