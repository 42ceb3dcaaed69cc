"""Views of the process map, one module per subject."""

from processes.views import data, diagrams, indicators, interfaces, maps, programmes, sheets  # noqa: F401
