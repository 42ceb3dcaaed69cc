"""A larger organisation for the pack's benchmark: the demo, grown to a given number of processes and
indicators (issue 17 measures the pack at 150 processes and 110 indicators).

The added processes are spread over the demo's programmes (most in the certified one), each new indicator has
24 monthly measurements and a target, and some processes of different programmes get interfaces, so that every
figure of the pack (the maps, the joint map, the E1 trends) grows as it would in a real organisation."""

import random
from datetime import date

from sqlalchemy import func, select

from core.extensions import db
from core.models import User
from processes.models import (
    Direction,
    Frequency,
    Indicator,
    IndicatorKind,
    Interface,
    Measurement,
    Process,
    ProcessKind,
    ProcessStatus,
    Programme,
    Target,
)
from processes.periods import next_period

KINDS = (ProcessKind.STRATEGIC, ProcessKind.KEY, ProcessKind.KEY, ProcessKind.KEY, ProcessKind.SUPPORT)


def grow(processes: int = 150, indicators: int = 110, *, months: int = 24) -> None:
    """Add processes and indicators (with measurements and targets) until there are this many of each."""
    rng = random.Random(17)
    owner = db.session.scalar(select(User).order_by(User.id).limit(1))
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.id)))
    have_processes = db.session.scalar(select(func.count(Process.id)))
    added = _processes(range(have_processes, processes), programmes, owner)
    pool = added or list(db.session.scalars(select(Process)))
    _indicators(range(db.session.scalar(select(func.count(Indicator.id))), indicators), pool, months, rng)
    _interfaces(added, rng)
    db.session.flush()


def _processes(numbers: range, programmes: list, owner) -> list[Process]:
    weights = [3] + [1] * (len(programmes) - 1)  # most in the first (certified) programme
    cycle = [p for p, w in zip(programmes, weights, strict=True) for _ in range(w)]
    added = [Process(code=f"X-{n:03d}", name=f"Proceso ampliado {n}", kind=KINDS[n % len(KINDS)],
                     programme=cycle[n % len(cycle)], owner=owner, purpose="Proceso añadido para medir el dossier.",
                     status=ProcessStatus.IN_FORCE) for n in numbers]
    db.session.add_all(added)
    db.session.flush()
    return added


def _indicators(numbers: range, pool: list[Process], months: int, rng: random.Random) -> None:
    start = date(date.today().year - 2, date.today().month, 1)
    for n in numbers:
        kind = IndicatorKind.PERCEPTION if n % 3 == 0 else IndicatorKind.PERFORMANCE
        indicator = Indicator(code=f"X-IND-{n:03d}", name=f"Indicador ampliado {n}", process=pool[n % len(pool)],
                              unit="%" if n % 2 else "días", frequency=Frequency.MONTHLY, direction=Direction.HIGHER,
                              kind=kind, targets=[Target(valid_from=start, value=60)])
        db.session.add(indicator)
        period, level = start, rng.uniform(40, 80)
        for _ in range(months):
            level += rng.gauss(0, 3)
            db.session.add(Measurement(indicator=indicator, period=period, value=round(level, 2)))
            period = next_period(period, Frequency.MONTHLY)


def _interfaces(added: list[Process], rng: random.Random) -> None:
    for n in range(len(added) // 3):
        a, b = rng.sample(added, 2)
        if a.programme_id != b.programme_id:
            db.session.add(Interface(from_process=a, to_process=b, flow=f"Flujo {n}",
                                     problem="Retrasos" if n % 2 else None))
