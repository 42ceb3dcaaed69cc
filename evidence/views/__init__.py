"""Views of the evidence blueprint, one module per subject."""

from evidence import models  # noqa: F401  (the tables exist for migrations before any view uses them)
from evidence.views import checklist, common, dashboard, files, packs  # noqa: F401
