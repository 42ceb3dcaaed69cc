"""Certification cycles: what is certified over which period and when the visit is, the reviewers' findings
within a cycle, and the coordinators' answers to them (root cause, corrective action), closed by the reviewer
once verified.

The package sits above ``evidence`` (it reads the criteria, the verdicts and the packs) and above
``improvements`` (a corrective action is worked as an improvement action, with its tasks and board). The pack,
which lives in ``evidence``, learns a cycle's scope, period and findings through signals.
"""

from flask import Blueprint

bp = Blueprint("certification", __name__)

from certification import views  # noqa: E402,F401  (registers the routes on bp)
