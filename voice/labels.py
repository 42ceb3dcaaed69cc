"""What people read for the voice of the client's kinds, channels, sources and statuses."""

from flask_babel import lazy_gettext as _l

from core.audit import value_labels
from voice.models import REQUIREMENT_STATUS_LABELS as REQUIREMENT_STATUS_LABELS  # named here with the other labels
from voice.models import ActivityKind, Channel, ContactKind, RequirementSource

CONTACT_KIND_LABELS = value_labels({
    ContactKind.ENQUIRY: _l("Enquiry"),
    ContactKind.COMPLAINT: _l("Complaint"),
    ContactKind.CLAIM: _l("Claim"),
    ContactKind.INCIDENT: _l("Incident"),
})
CHANNEL_LABELS = value_labels({
    Channel.PHONE: _l("Phone"),
    Channel.EMAIL: _l("E-mail"),
    Channel.IN_PERSON: _l("In person"),
    Channel.WEB: _l("Web form"),
    Channel.LETTER: _l("Letter"),
    Channel.OTHER: _l("Other"),
})
ACTIVITY_KIND_LABELS = value_labels({
    ActivityKind.FOCUS_GROUP: _l("Focus group"),
    ActivityKind.TRUSTED_CLIENT: _l("Trusted-client consultation"),
    ActivityKind.MARKET_STUDY: _l("Market study"),
    ActivityKind.INTERNAL_KNOWLEDGE: _l("Internal knowledge of client-facing staff"),
    ActivityKind.STAFF_FOCUS_GROUP: _l("Staff focus group (D1)"),
})
SOURCE_LABELS = value_labels({
    RequirementSource.INTERNAL_KNOWLEDGE: _l("Internal knowledge of client-facing staff"),
    RequirementSource.FOCUS_GROUP: _l("Focus group"),
    RequirementSource.TRUSTED_CLIENT: _l("Trusted-client consultation"),
    RequirementSource.COMPLAINT: _l("Enquiry, complaint or claim"),
    RequirementSource.SURVEY: _l("Satisfaction survey"),
    RequirementSource.MARKET_STUDY: _l("Market study"),
})
IMPORTANCE_LABELS = value_labels({1: _l("Low"), 2: _l("Medium"), 3: _l("High")},
                                 column="client_requirements.importance")
SATISFACTION_LABELS = value_labels({1: _l("Very dissatisfied"), 2: _l("Dissatisfied"), 3: _l("Neutral"),
                                    4: _l("Satisfied"), 5: _l("Very satisfied")}, column="complaints.satisfaction")
#: The requirement source an activity of each kind produces (a staff focus group produces none).
ACTIVITY_SOURCE = {
    ActivityKind.FOCUS_GROUP: RequirementSource.FOCUS_GROUP,
    ActivityKind.TRUSTED_CLIENT: RequirementSource.TRUSTED_CLIENT,
    ActivityKind.MARKET_STUDY: RequirementSource.MARKET_STUDY,
    ActivityKind.INTERNAL_KNOWLEDGE: RequirementSource.INTERNAL_KNOWLEDGE,
}
