"""Criteria sets are data: a YAML file per standard, read and checked here before anything is stored.

A file names the set (``code``, ``name``, optional ``description``) and lists its ``criteria``. Each criterion
has a ``code``, its ``text``, optional ``group`` and ``areas`` (the suggested areas of the checklist) and an
optional ``evidence`` key naming the automatic evidence that feeds it (its code by default), and optional
``thresholds``: the numbers its rule compares against (``thresholds: {min_sources: 4}``), each a key the rule
declares (``core.signals.evidence_thresholds``) with a whole number in its range; a key left out keeps its
default. Texts are written
per language (``es``, ``en``); one language is enough, the other falls back to it. A file with any error is
refused whole, each error with its line and reason, and nothing is stored.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.shared_reads import shared
from evidence.automatic import declared_thresholds, sources
from evidence.models import CriteriaSet, Criterion

#: The sets shipped with Fideliza, loaded at setup.
BUILTIN_DIRECTORY = Path(__file__).resolve().parent / "criteria"
LANGUAGES = ("es", "en")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,29}$")
SET_KEYS = {"code", "name", "description", "criteria"}
CRITERION_KEYS = {"code", "group", "text", "areas", "evidence", "thresholds"}
#: A criteria file is a few dozen criteria (the shipped one is 10 KB); more is a mistake, or an attack.
MAX_BYTES = 512 * 1024


@dataclass
class CriterionData:
    code: str
    text: dict
    group: dict = field(default_factory=dict)
    areas: dict = field(default_factory=dict)
    evidence: str | None = None
    thresholds: dict = field(default_factory=dict)


@dataclass
class CriteriaSetData:
    code: str
    name: dict
    description: dict
    criteria: list[CriterionData]


class CriteriaFileError(ValueError):
    """The file cannot be used; ``errors`` lists ``(line, reason)``, lines counted from 1."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = sorted(errors)
        super().__init__("; ".join(f"line {line}: {reason}" for line, reason in self.errors))


class _Checker:
    """Walks the composed YAML nodes (which know their line) and collects every error, not just the first."""

    def __init__(self):
        self.errors: list[tuple[int, str]] = []

    def error(self, node, reason: str) -> None:
        self.errors.append((node.start_mark.line + 1, reason))

    def mapping(self, node, allowed: set, where: str) -> dict:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, _("%(where)s must be a mapping of keys to values", where=where))
            return {}
        found = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name not in allowed:
                self.error(key, _("unknown key “%(key)s” in %(where)s (expected: %(allowed)s)", key=name,
                                  where=where, allowed=", ".join(sorted(allowed))))
            elif name in found:
                self.error(key, _("“%(key)s” appears twice in %(where)s", key=name, where=where))
            else:
                found[name] = value
        return found

    def text(self, node, where: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str" or not node.value.strip():
            self.error(node, _("%(where)s must be a non-empty text", where=where))
            return None
        return node.value.strip()

    def code(self, node, where: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or not CODE.match(str(node.value)):
            self.error(node, _("%(where)s must be a code of letters, digits, dots or dashes (up to 30)", where=where))
            return None
        return str(node.value)

    def languages(self, node, where: str, *, required: bool) -> dict:
        """``{es: ..., en: ...}`` texts; a plain text counts as both languages."""
        if node is None:
            return {}
        if isinstance(node, yaml.ScalarNode):
            value = self.text(node, where)
            return {lang: value for lang in LANGUAGES} if value else {}
        found = self.mapping(node, set(LANGUAGES), where)
        texts = {lang: self.text(value, f"{where} ({lang})") for lang, value in found.items()}
        texts = {lang: value for lang, value in texts.items() if value}
        if required and not found:
            self.error(node, _("%(where)s needs a text in Spanish (es) or English (en)", where=where))
        return texts

    def areas(self, node, where: str) -> dict:
        if node is None:
            return {}
        found = self.mapping(node, set(LANGUAGES), where)
        result = {}
        for lang, items in found.items():
            if not isinstance(items, yaml.SequenceNode):
                self.error(items, _("%(where)s (%(lang)s) must be a list of texts", where=where, lang=lang))
                continue
            result[lang] = [t for t in (self.text(item, f"{where} ({lang})") for item in items.value) if t]
        return result

    def thresholds(self, node, code: str, declared: dict | None) -> dict:
        """``{key: whole number}`` for the thresholds ``declared`` by the criterion's rule, each in its range;
        ``declared`` None: no package of this app gives the criterion's evidence, so the keys cannot be checked."""
        if node is None:
            return {}
        where = _("the thresholds of %(code)s", code=code)
        if declared is not None and not declared:
            self.error(node, _("%(where)s: the rule of %(code)s takes no thresholds", where=where, code=code))
            return {}
        if declared is None:
            found = self.mapping(node, {k.value for k, _v in getattr(node, "value", ())
                                        if isinstance(k, yaml.ScalarNode)}, where)
            return {key: number for key, value in found.items()
                    if (number := self.whole(value, f"{where}: “{key}”")) is not None}
        found = {}
        for key, value in self.mapping(node, set(declared), where).items():
            number = self.whole(value, f"{where}: “{key}”")
            threshold = declared[key]
            if number is None:
                continue
            if number < threshold.minimum or (threshold.maximum is not None and number > threshold.maximum):
                self.error(value, _("%(where)s: “%(key)s” must be between %(low)d and %(high)s", where=where,
                                    key=key, low=threshold.minimum, high=threshold.maximum or "∞"))
                continue
            found[key] = number
        return found

    def whole(self, node, where: str) -> int | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
            self.error(node, _("%(where)s must be a whole number", where=where))
            return None
        return int(node.value)


class _PlainLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases (``&a``, ``*a``, ``<<: *a``) as it meets them.

    An alias makes one node appear wherever it is named: 150 KB of ``*a`` naming a list of thousands of
    texts is billions of texts to check and store (tried: 25 s and 1.3 GB for one upload). A criteria
    file has no need of them, so the first one ends the reading, before the checker walks anything."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise CriteriaFileError([(event.start_mark.line + 1, _(
                "anchors and aliases (“&%(name)s”, “*%(name)s”) are not allowed in a criteria file: write "
                "each text where it is used", name=event.anchor))])
        return super().compose_node(parent, index)


def _complete(texts: dict) -> dict:
    """Fill a missing language with the other one, so every reader gets a text."""
    if not texts:
        return {}
    first = next(iter(texts.values()))
    return {lang: texts.get(lang, first) for lang in LANGUAGES}


def parse_criteria_file(content: str | bytes) -> CriteriaSetData:
    """Read and check a criteria file; raise ``CriteriaFileError`` with every error found."""
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            raise CriteriaFileError([(1, _("the file is larger than %(kb)d KB", kb=MAX_BYTES // 1024))])
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CriteriaFileError([(1, _("the file is not UTF-8 text"))]) from error
    elif len(content) > MAX_BYTES:  # characters: at least as many bytes
        raise CriteriaFileError([(1, _("the file is larger than %(kb)d KB", kb=MAX_BYTES // 1024))])
    try:
        root = yaml.compose(content, Loader=_PlainLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise CriteriaFileError([((mark.line + 1) if mark else 1,
                                  _("not valid YAML: %(problem)s", problem=getattr(error, "problem", None) or error))]
                                ) from error
    if root is None:
        raise CriteriaFileError([(1, _("the file is empty"))])
    check = _Checker()
    top = check.mapping(root, SET_KEYS, _("the file"))
    for key in ("code", "name", "criteria"):
        if top and key not in top:
            check.error(root, _("the file needs “%(key)s”", key=key))
    code = check.code(top["code"], "code") if "code" in top else None
    name = check.languages(top.get("name"), "name", required=True)
    description = check.languages(top.get("description"), "description", required=False)
    criteria = _criteria(check, top.get("criteria"))
    if check.errors:
        raise CriteriaFileError(check.errors)
    return CriteriaSetData(code, _complete(name), _complete(description), criteria)


def _criteria(check: _Checker, node) -> list[CriterionData]:
    if node is None:
        return []
    sources_known, thresholds_known = sources(), declared_thresholds()
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        check.error(node, _("“criteria” must be a non-empty list"))
        return []
    found, seen = [], set()
    for item in node.value:
        fields = check.mapping(item, CRITERION_KEYS, _("a criterion"))
        if not fields:
            continue
        if "code" not in fields or "text" not in fields:
            check.error(item, _("each criterion needs a “code” and a “text”"))
            continue
        code = check.code(fields["code"], _("the criterion's code"))
        if code in seen:
            check.error(fields["code"], _("the criterion %(code)s appears twice", code=code))
        seen.add(code)
        evidence = check.code(fields["evidence"], "evidence") if "evidence" in fields else None
        key = evidence or code
        declared = {t.key: t for t in thresholds_known.get(key, ())} if key in sources_known else None
        found.append(CriterionData(
            code=code, text=_complete(check.languages(fields["text"], "text", required=True)),
            group=_complete(check.languages(fields.get("group"), "group", required=False)),
            areas=check.areas(fields.get("areas"), "areas"), evidence=evidence,
            thresholds=check.thresholds(fields.get("thresholds"), code, declared)))
    return found


def install_set(data: CriteriaSetData, *, builtin: bool = False, source: str | None = None) -> CriteriaSet:
    """Store a checked set. A set with the same code is refused (a custom set may not replace another)."""
    if db.session.scalar(select(CriteriaSet.id).where(CriteriaSet.code == data.code)) is not None:
        raise CriteriaFileError([(1, _("a criteria set with the code %(code)s already exists", code=data.code))])
    criteria_set = CriteriaSet(code=data.code, name=data.name, description=data.description or None,
                               builtin=builtin, source=source)
    criteria_set.criteria = [
        Criterion(code=c.code, position=n, text=c.text, section=c.group or None, areas=c.areas or None,
                  evidence_source=c.evidence or c.code, thresholds=c.thresholds or None)
        for n, c in enumerate(data.criteria, start=1)
    ]
    db.session.add(criteria_set)
    db.session.flush()
    return criteria_set


def ensure_builtin_sets() -> list[CriteriaSet]:
    """Store the shipped sets not stored yet (at setup: the CLI, the setup page, the empty checklist's button)."""
    stored = set(db.session.scalars(select(CriteriaSet.code)))
    added = []
    for path in sorted(BUILTIN_DIRECTORY.glob("*.yaml")):
        try:
            data = parse_criteria_file(path.read_text(encoding="utf-8"))
        except CriteriaFileError as error:  # name the file: a shipped set is read with nobody watching
            raise CriteriaFileError([(line, f"{path.name}: {reason}") for line, reason in error.errors]) from error
        if data.code not in stored:
            added.append(install_set(data, builtin=True, source=path.name))
    return added


@shared  # the checklist, the records past their review date and the stored thresholds ask for it
def current_set() -> CriteriaSet | None:
    """The set the organisation certifies against: the one marked current, else the first shipped one."""
    return db.session.scalar(select(CriteriaSet).order_by(CriteriaSet.is_current.desc(),
                                                          CriteriaSet.builtin.desc(), CriteriaSet.id).limit(1))
