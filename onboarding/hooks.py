"""What the setup adds to other pages: the pointer to it on the home, while the organisation is not set up."""

from flask import render_template
from markupsafe import Markup

from core import signals
from core.access import may
from onboarding import services


@signals.home_sections.connect
def _setup_pointer(sender, **kwargs):
    if not may("onboarding.setup"):
        return None
    steps = services.progress()
    if not any(state.pending for state in steps):
        return None
    return Markup(render_template("onboarding/_home.html", steps=steps))
