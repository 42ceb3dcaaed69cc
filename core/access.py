"""The access policy, in one place: every endpoint declares who may read it and who may change.

A view is wrapped with ``@allow(RULE)``; endpoints that are not our own views (``static``) are
declared with ``declare``. A request to an endpoint without a rule is refused (default deny), and a
test walks ``app.url_map`` so that a missing rule fails the suite before it reaches anyone.
"""

from dataclasses import dataclass

from flask import abort, current_app, g, request
from flask_login import current_user

from core.extensions import login_manager
from core.models import Role

#: The pseudo-role of a visitor who has not signed in.
ANONYMOUS = "anonymous"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

SIGNED_IN = frozenset(Role)
EDITORS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.MEMBER})
COORDINATORS = frozenset({Role.ADMIN, Role.COORDINATOR})
ADMINS = frozenset({Role.ADMIN})
NOBODY = frozenset()


@dataclass(frozen=True)
class Rule:
    """Who may read (GET/HEAD) and who may change (any other method) through an endpoint."""

    name: str
    read: frozenset
    write: frozenset

    def allows(self, role, method: str) -> bool:
        return role in (self.read if method in READ_METHODS else self.write)


#: Login, health, static files and (later) survey links: reachable without an account.
PUBLIC = Rule("public", read=SIGNED_IN | {ANONYMOUS}, write=SIGNED_IN | {ANONYMOUS})
#: Health checks and static files: read-only for everybody.
PUBLIC_READ = Rule("public-read", read=SIGNED_IN | {ANONYMOUS}, write=NOBODY)
#: A person's own account (password, language, sign out): everybody signed in, reviewers included.
OWN_ACCOUNT = Rule("own-account", read=SIGNED_IN, write=SIGNED_IN)
#: The organisation's working data: everybody reads, the teams change it.
TEAM_DATA = Rule("team-data", read=SIGNED_IN, write=EDITORS)
#: Settings and records the quality coordinator answers for.
COORDINATION = Rule("coordination", read=SIGNED_IN, write=COORDINATORS)
#: The trail of changes: for those who answer for the data or assess it.
AUDIT = Rule("audit", read=COORDINATORS | {Role.REVIEWER}, write=NOBODY)
#: User administration.
ADMINISTRATION = Rule("administration", read=ADMINS, write=ADMINS)
#: A reviewer's own verdicts: the only thing a reviewer changes.
REVIEW = Rule("review", read=SIGNED_IN, write=frozenset({Role.REVIEWER}))

#: Recording a reviewer's finding in a certification cycle: the form and its sending are the reviewers' alone
#: (coordinators answer findings, they never record or close them).
FINDINGS = Rule("findings", read=frozenset({Role.REVIEWER}), write=frozenset({Role.REVIEWER}))

#: Evidence packs: those who answer for the evidence or assess it generate and download them. Generating one
#: keeps a dated snapshot of what was handed over but changes none of the organisation's data.
PACKS = Rule("packs", read=COORDINATORS | {Role.REVIEWER}, write=COORDINATORS | {Role.REVIEWER})
#: Removals of a whole part of the data that the coordinator answers for (the demo's census): the page asking for
#: the confirmation is theirs too, since what it lists is only a step towards the removal.
COORDINATORS_ONLY = Rule("coordinators-only", read=COORDINATORS, write=COORDINATORS)

#: Moving a certification cycle through its states: coordinators run the cycle, and a reviewer assigned to it may
#: close it once under review (the certifier says when the report is final). The view checks the assignment and
#: the move (``certification.cycles.may_move``); members read the cycle's page, not the confirmation.
CYCLE_MOVES = Rule("cycle-moves", read=COORDINATORS | {Role.REVIEWER}, write=COORDINATORS | {Role.REVIEWER})

RULES = (PUBLIC, PUBLIC_READ, OWN_ACCOUNT, TEAM_DATA, COORDINATION, AUDIT, ADMINISTRATION, REVIEW, FINDINGS, PACKS,
         COORDINATORS_ONLY, CYCLE_MOVES)

#: Rules for endpoints that are not our own view functions.
_declared: dict[str, Rule] = {}


def allow(rule: Rule):
    """Decorate a view with the rule that governs it."""

    def mark(view):
        view.access_rule = rule
        return view

    return mark


def declare(endpoint: str, rule: Rule) -> None:
    """Give a rule to an endpoint we do not define ourselves, such as ``static``."""
    _declared[endpoint] = rule


def rule_for(endpoint: str, app=None) -> Rule | None:
    """The rule governing ``endpoint``, or None when it has none (which means: denied)."""
    if endpoint in _declared:
        return _declared[endpoint]
    view = (app or current_app).view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def current_role():
    return current_user.role if current_user.is_authenticated else ANONYMOUS


def role_may(role, endpoint: str, method: str = "GET") -> bool:
    """Whether ``role`` may use ``endpoint`` with ``method`` (templates use it to hide links)."""
    rule = rule_for(endpoint)
    return rule is not None and rule.allows(role, method)


def enforce():
    """``before_request`` hook: refuse the request unless the endpoint's rule allows it."""
    if request.endpoint is None:  # no route matched: let the 404/405 handlers answer
        return None
    rule = rule_for(request.endpoint)
    if rule is not None and all(rule.allows(r, request.method) for r in (*Role, ANONYMOUS)):
        return None  # open to all: no need to load the user (health checks answer while the database is down)
    role = current_role()
    if rule is not None and rule.allows(role, request.method):
        if not scope_allows(request.method):
            abort(403)
        return None
    if role == ANONYMOUS and rule is not None and any(rule.allows(r, request.method) for r in Role):
        if g.get("api_request"):  # the API has no login page: the caller must present a token (``core.api``)
            abort(401)
        return login_manager.unauthorized()
    if rule is None:
        current_app.logger.error("Endpoint %s has no access rule: denied", request.endpoint)
    abort(403)


def scope_allows(method: str) -> bool:
    """Whether the API token of the request (if any) covers ``method``: a ``read`` token only reads, whatever its
    holder's role allows. A request without a token (a page) is governed by the role alone."""
    token = g.get("api_token")
    return token is None or method in READ_METHODS or token.may_write


def may(endpoint: str, method: str = "GET") -> bool:
    """Whether the current user may use ``endpoint``."""
    return role_may(current_role(), endpoint, method)
