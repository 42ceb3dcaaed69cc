"""Views of the process map, one module per subject."""

from processes.views import data, indicators, interfaces, maps, programmes, sheets  # noqa: F401
