"""Forms of the evidence pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from core.findings import STATUS_LABELS
from core.forms import AcceptedUpload, ReviewForm, options
from core.reviews import MAX_INTERVAL_MONTHS
from evidence.models import ASSESSMENT_LABELS, Assessment
from evidence.services import EVIDENCE_KINDS

ASSESSMENT_CHOICES = [(a.value, ASSESSMENT_LABELS[a]) for a in Assessment]
PACK_LANGUAGES = [("es", "Español"), ("en", "English")]


class CriteriaSetForm(FlaskForm):
    file = FileField(_l("Criteria file (YAML)"), validators=[DataRequired(_l("Choose a file to upload."))],
                     description=_l("One file per standard: its code, name and criteria, each with its text and "
                                    "suggested areas, in Spanish and/or English (see the shipped A1–E1 file)."))
    submit = SubmitField(_l("Add criteria set"))


class ReloadSetForm(FlaskForm):
    """The confirmation of a new version of a set's file: the file itself travels in the page (base64, at most
    ``MAX_BYTES``), checked again when it comes back."""

    content = HiddenField(validators=[DataRequired()])
    source = HiddenField(validators=[Optional(), Length(max=255)])
    confirm = BooleanField(_l("I have read the list: change and retire these criteria (their verdicts and evidence "
                              "stay with them)"))
    reason = TextAreaField(_l("Why does the set change?"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Load the new version"))


class SelfAssessmentForm(FlaskForm):
    status = SelectField(_l("Self-assessment"), choices=options(ASSESSMENT_CHOICES), validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    review_interval_months = IntegerField(_l("Review every (months)"),
                                          validators=[Optional(), NumberRange(1, MAX_INTERVAL_MONTHS)],
                                          description=_l("Leave empty when no periodic review is planned."))
    submit = SubmitField(_l("Record self-assessment"))


class VerdictForm(FlaskForm):
    #: Starts on no verdict, never on one the reviewer did not choose (and back to none after saving).
    status = SelectField(_l("Verdict"), choices=options([("", _l("— choose the verdict —")), *ASSESSMENT_CHOICES]),
                         validators=[DataRequired(_l("Choose the verdict."))])
    comment = TextAreaField(_l("Comments"), validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Record verdict"))


class EvidenceUpload(AcceptedUpload):
    """An acceptable upload whose name is a plain file name: a name carrying a path is refused, not cleaned."""

    def __call__(self, form, field):
        name = getattr(field.data, "filename", None) or ""
        if "/" in name or "\\" in name or name.startswith(".."):
            raise ValidationError(_l("The file name must not contain a folder path; rename the file and upload "
                                     "it again."))
        super().__call__(form, field)


class OptionalUpload(EvidenceUpload):
    """An upload is optional, but one that is given must be acceptable."""

    def __call__(self, form, field):
        if field.data is not None and getattr(field.data, "filename", None):
            super().__call__(form, field)


class EvidenceForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    criteria = SelectMultipleField(_l("Criteria"), coerce=int, validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=8000)])
    record = SelectField(_l("About the record"), validators=[Optional()])
    file = FileField(_l("File (PDF, image, office document)"), validators=[OptionalUpload(EVIDENCE_KINDS)])
    submit = SubmitField(_l("Add evidence"))

    def validate_file(self, field):
        has_file = field.data is not None and getattr(field.data, "filename", None)
        if not has_file and not (self.note.data or "").strip():
            raise ValidationError(_l("Attach a file or write a note."))


class RevisionForm(FlaskForm):
    file = FileField(_l("New version of the file"), validators=[EvidenceUpload(EVIDENCE_KINDS)])
    comment = StringField(_l("What changed"), validators=[Optional(), Length(max=500)])
    #: "yes" from the page that showed what replacing the file changes (``evidence.replace_file``).
    confirm = HiddenField()
    submit = SubmitField(_l("Upload new version"))


class PackForm(FlaskForm):
    language = SelectField(_l("Language of the pack"), choices=options(PACK_LANGUAGES))
    scope = HiddenField(default="all")
    submit = SubmitField(_l("Generate evidence pack (PDF)"))


class ChecklistFilterForm(FlaskForm):
    """The search above the checklist (sent by GET, so no CSRF token)."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Automatic evidence"), validators=[Optional()],
                         choices=options([("", _l("Met, partly or missing"))]
                                         + [(status.value, label) for status, label in STATUS_LABELS.items()]))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, meta={"csrf": False}, **kwargs)


class DashboardFilterForm(FlaskForm):
    # Not ``process``: a field of that name would hide ``Form.process``.
    programme_id = SelectField(_l("Programme"), coerce=int, validators=[Optional()])
    process_id = SelectField(_l("Process"), coerce=int, validators=[Optional()])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])


class ItemReviewForm(ReviewForm):
    """An evidence item's review interval, a review done today and the last day it counts."""

    valid_until = DateField(_l("Valid until"), validators=[Optional()],
                            description=_l("The last day this evidence counts for its criteria (a certificate's "
                                           "expiry, say). Leave empty when it does not expire."))
