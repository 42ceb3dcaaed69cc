"""The setup's steps, read from the data (a step is done when what it asks for exists), and skipping one."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from core.extensions import db
from core.models import Organisation, User
from evidence.models import CriteriaSet
from loyalty.models import Client
from onboarding.models import SkippedStep
from processes.models import Process, ProcessStandard, Programme


@dataclass(frozen=True)
class Step:
    """One step of the setup: what it asks, the page that does it, and the record whose existence means done."""

    key: str
    title: object
    text: object
    endpoint: str
    review: str  #: the page that shows what the step made, once done
    done_when: object  # a SQL EXISTS clause


STEPS = (
    Step("organisation", _l("Your organisation"),
         _l("Its name, description and logo: they head every page, the public survey pages and the evidence pack."),
         "core.organisation_settings", "core.organisation_settings", exists().where(Organisation.id.is_not(None))),
    Step("programme", _l("The programme under certification"),
         _l("The loyalty programme whose processes are certified; other programmes it shares interfaces with can "
            "be added later."),
         "processes.new_programme", "processes.programmes", exists().where(Programme.is_certified.is_(True))),
    Step("standard", _l("The process-management standard"),
         _l("What every process sheet must have (purpose, scope, owner, indicators…): the completeness of each "
            "sheet is measured against it (A1)."),
         "processes.standard", "processes.standard", exists().where(ProcessStandard.id.is_not(None))),
    Step("processes", _l("The first processes"),
         _l("The processes of the programme, each with its owner, participants and indicators."),
         "processes.new_process", "processes.process_list", exists().where(Process.id.is_not(None))),
    Step("census", _l("The client census"),
         _l("Import the current clients from the file your ERP, CRM or spreadsheet exports; the template shows the "
            "columns with two example rows."),
         "loyalty.import_census", "loyalty.index", exists().where(Client.id.is_not(None))),
)
KEYS = tuple(step.key for step in STEPS)


@dataclass(frozen=True)
class StepState:
    """A step with where it stands: done (its record exists), skipped (and by whom), or to do."""

    step: Step
    done: bool
    skipped: SkippedStep | None

    @property
    def pending(self) -> bool:
        return not self.done and self.skipped is None


def progress() -> list[StepState]:
    """Every step and where it stands, in two queries whatever the data."""
    done = db.session.execute(select(*(step.done_when.label(step.key) for step in STEPS))).one()
    skipped = {s.step: s for s in db.session.scalars(select(SkippedStep))}
    return [StepState(step, bool(getattr(done, step.key)), skipped.get(step.key)) for step in STEPS]


def is_set_up() -> bool:
    """True once every step is done or skipped: the home stops pointing at the setup."""
    return not any(state.pending for state in progress())


def criteria_stored() -> bool:
    """Whether a criteria set is stored (by ``flask evidence load-criteria`` or the setup page's button)."""
    return db.session.scalar(select(exists().where(CriteriaSet.id.is_not(None))))


def skip(key: str, *, actor: User) -> SkippedStep:
    """Leave a step for later; skipping it again changes nothing."""
    existing = db.session.scalar(select(SkippedStep).where(SkippedStep.step == key))
    if existing is not None:
        return existing
    skipped = SkippedStep(step=key, skipped_by=actor)
    db.session.add(skipped)
    db.session.flush()
    return skipped


def resume(key: str) -> None:
    """Ask for a skipped step again."""
    existing = db.session.scalar(select(SkippedStep).where(SkippedStep.step == key))
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
