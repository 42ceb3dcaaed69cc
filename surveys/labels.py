"""What people call the survey engine's enum values, in their language."""

from flask_babel import lazy_gettext as _l

from core.audit import value_labels
from surveys.models import Audience, ItemKind, ItemRole, ResponseSource, ReviewOutcome, WaveStatus

AUDIENCE_LABELS = {Audience.CLIENTS: _l("Clients"), Audience.STAFF: _l("Staff")}
KIND_LABELS = {ItemKind.LIKERT: _l("Agreement or satisfaction, 1 to 5"), ItemKind.SCALE: _l("Scale 0 to 10"),
               ItemKind.CHOICE: _l("One option of a list"), ItemKind.TEXT: _l("Free text")}
ROLE_LABELS = {
    ItemRole.ATTRIBUTE: _l("Satisfaction with an attribute"),
    ItemRole.OVERALL: _l("Overall satisfaction (CSAT)"),
    ItemRole.EXPECTATIONS: _l("Expectations met"),
    ItemRole.REPURCHASE: _l("Intention to keep buying"),
    ItemRole.RECOMMEND: _l("Likelihood to recommend (NPS)"),
    ItemRole.PARTICIPATION: _l("Participation (D1)"),
    ItemRole.EXIT_REASON: _l("Exit reason (B2)"),
    ItemRole.UNDERSTANDING: _l("Knows about an improvement (C2)"),
    ItemRole.COMMENT: _l("Comment"),
    ItemRole.OTHER: _l("Other"),
}
STATUS_LABELS = {WaveStatus.DRAFT: _l("Draft"), WaveStatus.OPEN: _l("Open"), WaveStatus.CLOSED: _l("Closed")}
OUTCOME_LABELS = {ReviewOutcome.CONFIRMED: _l("Reason confirmed"), ReviewOutcome.SET: _l("Reason recorded"),
                  ReviewOutcome.REPLACED: _l("Census reason replaced"), ReviewOutcome.KEPT: _l("Census reason kept")}
SOURCE_LABELS = {ResponseSource.LINK: _l("Personal link"), ResponseSource.PUBLIC: _l("Public link"),
                 ResponseSource.IMPORT: _l("Imported")}

#: The words at the two ends of a 1–5 item, by what it asks: how satisfied (an attribute, overall satisfaction) or
#: how much one agrees with a statement (participation, the intention to keep buying, any other).
SATISFACTION_ANCHORS = (_l("1 = very dissatisfied"), _l("5 = very satisfied"))
AGREEMENT_ANCHORS = (_l("1 = strongly disagree"), _l("5 = strongly agree"))
SATISFACTION_ROLES = frozenset({ItemRole.ATTRIBUTE, ItemRole.OVERALL})


def likert_anchors(role: ItemRole) -> tuple:
    """The two ends of a 1–5 item's scale in the words that match its question."""
    return SATISFACTION_ANCHORS if role in SATISFACTION_ROLES else AGREEMENT_ANCHORS


ENUM_LABELS = value_labels({**AUDIENCE_LABELS, **KIND_LABELS, **ROLE_LABELS, **STATUS_LABELS, **SOURCE_LABELS,
                            **OUTCOME_LABELS})
