"""Before and after (C2): an improvement's measure at its baseline and after the change, the client evidence
computed for it, and C1 qualification.

Values come from the linked process indicator's measurements where there is one, else from what the group
entered. The same functions serve the improvement page, the C1 counter and the feedback-loop trace.

Entered client evidence lives in ``Evidence`` rows. What the complaints register and the client survey waves
can compute by themselves — complaint counts and response times before vs after an improvement, the
satisfaction of the attribute it targeted wave over wave — is computed by their packages
(``voice/evidence.py``, ``surveys/evidence.py``) and reaches ``computed_for`` through the
``core.signals.client_evidence`` signal; an app without those hooks counts entered evidence only.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from core import signals
from improvements.models import DONE, Improvement
from improvements.models.results import LOWER_IS_BETTER, moved_the_good_way
from processes.indicators import reaches
from processes.models import Direction, IndicatorKind
from processes.periods import period_start

#: C1 asks for this many qualifying improvements.
C1_REQUIRED = 3
INDICATOR, ENTERED = "indicator", "entered"


@dataclass(frozen=True)
class ComputedEvidence:
    """One piece of client evidence a package computed for an improvement."""

    kind: str  # an ``EvidenceKind`` value: survey, complaints, response_time…
    title: str
    before_value: float | None
    after_value: float | None
    higher_is_better: bool
    #: Whether the values show clients valuing the change (C2).
    favourable: bool

    @property
    def better_higher(self) -> bool:
        """Complaint counts and response times are better lower whatever a package passed."""
        return False if self.kind in LOWER_IS_BETTER else self.higher_is_better

    @property
    def reads_favourable(self) -> bool:
        """The values read in their direction when both exist (as for entered evidence), else the package's word."""
        moved = moved_the_good_way(self.before_value, self.after_value, self.better_higher)
        return self.favourable if moved is None else moved


def computed_for(improvements) -> dict[int, list[ComputedEvidence]]:
    """Every registered package's evidence for these improvements, by improvement id."""
    found: dict[int, list[ComputedEvidence]] = {}
    for given in signals.send(signals.client_evidence, improvements=list(improvements)):
        for improvement_id, rows in given.items():
            found.setdefault(improvement_id, []).extend(rows)
    return found


@dataclass(frozen=True)
class Understanding:
    """What clients answered in one wave to "I know about the change to …" about one improvement (C2)."""

    wave: str
    opens_on: date
    #: Answers to the item, and how many agree (4 or 5 of 5).
    answers: int
    agreeing: int
    mean: float | None = None
    url: str | None = None

    @property
    def share(self) -> float:
        """The agreeing answers, in per cent of the answers."""
        return 100 * self.agreeing / self.answers if self.answers else 0.0


def understanding_for(improvements) -> dict[int, Understanding]:
    """The latest wave's understanding of each of these improvements, by improvement id, from every registered
    package (``core.signals.client_understanding``); an app without the survey engine's hooks has none."""
    found: dict[int, Understanding] = {}
    for given in signals.send(signals.client_understanding, improvements=list(improvements)):
        for improvement_id, rows in given.items():
            for row in rows:
                if improvement_id not in found or row.opens_on > found[improvement_id].opens_on:
                    found[improvement_id] = row
    return found


@dataclass(frozen=True)
class Result:
    """The measure before and after an improvement, and what follows from the two."""

    before: float | None
    after: float | None
    target: float | None
    higher_is_better: bool = True
    before_period: date | None = None
    after_period: date | None = None
    #: Where ``after`` came from: the linked indicator, the value entered by hand, or nowhere yet.
    source: str | None = None

    @property
    def complete(self) -> bool:
        return self.before is not None and self.after is not None

    @property
    def change(self) -> float | None:
        return self.after - self.before if self.complete else None

    @property
    def change_pct(self) -> float | None:
        """The change as a percentage of the baseline (None when the baseline is zero)."""
        if not self.complete or self.before == 0:
            return None
        return round(100 * (self.after - self.before) / abs(self.before), 1)

    @property
    def improved(self) -> bool:
        """Whether the value moved the good way."""
        if not self.complete:
            return False
        return self.after > self.before if self.higher_is_better else self.after < self.before

    @property
    def target_met(self) -> bool | None:
        if self.after is None or self.target is None:
            return None
        direction = Direction.HIGHER if self.higher_is_better else Direction.LOWER
        return reaches(self.after, self.target, direction)


def higher_is_better(improvement: Improvement) -> bool:
    if improvement.indicator is not None:
        return improvement.indicator.direction == Direction.HIGHER
    return improvement.higher_is_better


def measured_result(improvement: Improvement, measurements: list[tuple[date, float]]) -> Result:
    """Before/after of one improvement; ``measurements`` are its indicator's (period, value), oldest first.

    Before is the plan's baseline (or the indicator's value in the baseline period). After is the latest
    indicator value from the period the change was implemented in on (or after the baseline period while it
    is still being implemented); without one, the value entered by hand."""
    values = dict(measurements)
    before, before_period = improvement.baseline_value, improvement.baseline_period
    if before is None and before_period is not None:
        before = values.get(before_period)
    after = after_period = source = None
    if improvement.indicator is not None and measurements:
        start = period_start(improvement.implemented_on, improvement.indicator.frequency) \
            if improvement.implemented_on else None
        later = [(p, v) for p, v in measurements
                 if (start is not None and p >= start) or (start is None and before_period and p > before_period)]
        if later:
            (after_period, after), source = later[-1], INDICATOR
    if after is None and improvement.after_value is not None:
        after, after_period, source = improvement.after_value, improvement.after_period, ENTERED
    return Result(before, after, improvement.target_value, higher_is_better(improvement), before_period,
                  after_period, source)


def client_valued(improvement: Improvement, result: Result) -> bool:
    """Whether clients' loyalty or satisfaction is shown to have risen: client evidence the group judged
    favourable (its figures read in their direction), or a perception indicator that moved the good way."""
    if any(item.reads_favourable for item in improvement.evidence):
        return True
    indicator = improvement.indicator
    return indicator is not None and indicator.kind == IndicatorKind.PERCEPTION and result.improved


def c1_reasons(improvement: Improvement, *, smart_passed: bool, result: Result, valued: bool) -> list[str]:
    """Why an improvement does not count towards C1; empty when it does."""
    reasons = []
    if improvement.status not in DONE:
        reasons.append(_("It has not been implemented yet."))
    if not smart_passed:
        reasons.append(_("It does not meet SMART."))
    if result.after is None:
        reasons.append(_("There is no result measured after the change."))
    elif result.before is None:
        reasons.append(_("There is no baseline to compare the result with."))
    elif not result.improved:
        reasons.append(_("The result did not improve on the baseline."))
    elif result.target_met is False:
        reasons.append(_("The result did not reach the target."))
    if not valued:
        reasons.append(_("Nothing shows that client loyalty or satisfaction rose: record favourable client "
                         "evidence or link a perception indicator."))
    return reasons


@dataclass(frozen=True)
class C1Status:
    """Whether C1 holds: which improvements qualify and why the others do not."""

    qualifying: list
    others: list  # (improvement, reasons)
    #: How many qualifying improvements C1 asks for (the criteria set's threshold, ``C1_REQUIRED`` by default).
    required: int = C1_REQUIRED

    @property
    def count(self) -> int:
        return len(self.qualifying)

    @property
    def holds(self) -> bool:
        return self.count >= self.required


def c1_status(rows, required: int = C1_REQUIRED) -> C1Status:
    """``rows`` are (improvement, reasons) pairs; the C1 verdict over them, ``required`` qualifying ones needed."""
    qualifying = [improvement for improvement, reasons in rows if not reasons]
    others = [(improvement, reasons) for improvement, reasons in rows if reasons]
    return C1Status(qualifying, others, required)

