"""What the evidence package gives the others through ``core.signals``: its part of the demo (the checklist in
use, self-assessments, verdicts and manual evidence)."""

from core import signals
from core.demo import DemoLoader
from evidence import demo


@signals.demo_loaders.connect
def _demo_loaders(sender, **kwargs):
    return {"evidence": DemoLoader(demo.load, after=("processes",))}
