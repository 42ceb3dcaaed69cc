"""The home dashboard: the blocks each package gives about the signed-in person and the programme.

Core owns none of the data the home page shows. It asks the packages through the ``home_panels`` signal
(``core.signals``) and lays out what they answer, in the order of each panel's ``order``: certification
readiness and verdicts come from ``evidence``, tasks from ``improvements``, indicators and reviews from
``processes``, waves from ``surveys``. A package left out of ``app.HOOKS`` adds no block.
"""

from dataclasses import dataclass, field

from core import signals


@dataclass(frozen=True)
class Panel:
    """One block of the home page, rendered from its package's own template with ``data`` in its context."""

    #: A stable name, for the page (``data-testid="panel-<key>"``) and the tests.
    key: str
    #: Where it goes on the page: lower first.
    order: int
    #: The template that draws it (it reads ``data``).
    template: str
    data: dict = field(default_factory=dict)
    #: Nothing to show yet: the block draws its empty state with guidance. When every block is empty (a new
    #: organisation), the page shows the getting-started guidance instead of the blocks.
    empty: bool = False
    #: A notice across the page, above the blocks (the setup's steps while the organisation is not set up); it does
    #: not count among the blocks whose emptiness shows the getting-started guidance.
    wide: bool = False


def panels(user) -> list[Panel]:
    """The blocks the registered packages give for ``user``, in page order (each reads a fixed number of
    statements, so the page's count does not grow with the data)."""
    found = [panel for answer in signals.send(signals.home_panels, user=user) for panel in answer]
    return sorted(found, key=lambda panel: (panel.order, panel.key))
