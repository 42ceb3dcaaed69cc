"""Refusals: one ``RuleError`` with its reasons, and the view helper that undoes the change and shows why."""

import pytest
from flask import get_flashed_messages
from flask_babel import lazy_gettext as _l
from wtforms import Form, StringField

from accounts.services import AccountError
from accounts.two_factor import TwoFactorError
from core.files import UploadRejected
from core.models import Organisation
from core.rules import RuleError, TransitionRefused, rule_refusals
from improvements.services import ImprovementRuleError
from loyalty.reasons import ReasonError
from loyalty.services import CensusRuleError
from loyalty.settings import SettingsError
from processes.diagrams import StageRuleError
from processes.services import ProcessRuleError
from surveys.engine import SurveyRuleError


def test_a_refusal_keeps_each_reason_and_reads_as_them_joined():
    refusal = RuleError("Too early.", _l("Say why."))
    assert refusal.reasons == ["Too early.", "Say why."]
    assert str(refusal) == "Too early.; Say why."
    assert str(RuleError("One reason.")) == "One reason."
    assert isinstance(refusal, ValueError), "callers that catch ValueError still catch a refusal"


@pytest.mark.parametrize("kind", [ProcessRuleError, StageRuleError, CensusRuleError, ReasonError, SettingsError,
                                  ImprovementRuleError, SurveyRuleError, AccountError, TwoFactorError,
                                  UploadRejected, TransitionRefused])
def test_every_capability_refuses_with_a_rule_error(kind):
    assert issubclass(kind, RuleError)
    assert kind("Refused.").reasons == ["Refused."]


def _organisations(db):
    return [o.name for o in db.session.scalars(db.select(Organisation))]


def test_a_refused_change_is_rolled_back_and_each_reason_flashed(app, db):
    with app.test_request_context(method="POST"):
        with rule_refusals():
            db.session.add(Organisation(name="Half written"))
            db.session.flush()
            raise TransitionRefused("Not from here.", "Not now either.")
        assert _organisations(db) == []
        assert get_flashed_messages(with_categories=True) == [("danger", "Not from here."),
                                                              ("danger", "Not now either.")]


def test_a_refusal_can_go_to_a_form_field_instead(app, db):
    class NameForm(Form):
        name = StringField()

    with app.test_request_context(method="POST"):
        form = NameForm()
        with rule_refusals(form.name):
            raise CensusRuleError("There is already a client with code C1.")
        assert form.name.errors == ["There is already a client with code C1."]
        assert get_flashed_messages() == []


def test_a_change_the_rules_allow_runs_to_the_end_of_the_block(app, db):
    with app.test_request_context(method="POST"):
        with rule_refusals(category="info"):
            db.session.add(Organisation(name="Kept"))
            db.session.commit()
            reached_end = True
        assert reached_end and _organisations(db) == ["Kept"]


def test_other_errors_are_not_refusals(app, db):
    with app.test_request_context(method="POST"), pytest.raises(KeyError):
        with rule_refusals():
            raise KeyError("a bug, not a rule")
