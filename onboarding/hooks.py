"""What the setup adds to other pages: the pointer to it on the home, while the organisation is not set up."""

from core import signals
from core.access import may
from core.home import Panel
from onboarding import services


@signals.home_panels.connect
def _setup_pointer(sender, user=None, **kwargs):
    """The setup's steps across the top of the home, for those who may set up, while a step is left."""
    if not may("onboarding.setup"):
        return []
    steps = services.progress()
    if not any(state.pending for state in steps):
        return []
    return [Panel("setup", 0, "onboarding/_home.html", {"steps": steps}, wide=True)]
