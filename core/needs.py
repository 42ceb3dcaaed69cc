"""The levels of a client's needs (seed 003, "entender las necesidades del cliente"): from what must be there
for the service to exist at all to what surprises. A client requirement (``voice``) and a survey item
(``surveys``) may say which level they are about; the vocabulary lives here so both layers share it.
"""

import enum

from flask_babel import lazy_gettext as _l

from core.audit import value_labels


class NeedLevel(enum.StrEnum):
    #: That someone attends them: without it the service does not exist.
    BASIC = "basic"
    #: That they are advised reliably: what any client takes for granted.
    EXPECTED = "expected"
    #: That they are also treated kindly, with interest: what the client would like.
    DESIRED = "desired"
    #: That they are given added value: what the client did not think to ask for.
    UNANTICIPATED = "unanticipated"


NEED_LEVEL_LABELS = value_labels({
    NeedLevel.BASIC: _l("Basic"),
    NeedLevel.EXPECTED: _l("Expected"),
    NeedLevel.DESIRED: _l("Desired"),
    NeedLevel.UNANTICIPATED: _l("Unanticipated"),
})
#: What each level means, with seed 003's example, for forms and the evidence.
NEED_LEVEL_HINTS = {
    NeedLevel.BASIC: _l("What must be there for the service to exist (someone attends them)"),
    NeedLevel.EXPECTED: _l("What any client takes for granted (reliable advice)"),
    NeedLevel.DESIRED: _l("What the client would like besides (kindness, interest in them)"),
    NeedLevel.UNANTICIPATED: _l("What the client did not think to ask for (added value)"),
}
