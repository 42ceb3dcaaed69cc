"""schemathesis against the live app: every operation of ``/api/v1/openapi.json``, every check, a bounded number of
examples, with a coordinator's write token on real records. No server error, no answer outside the document.

The app is served on a free port of the loopback interface, in a thread, for the run of schemathesis's command
line (a child process: its event loop and Hypothesis database stay out of this test run).
"""

import shutil
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from accounts import tokens
from core.extensions import db
from core.models import User
from evidence.criteria_sets import ensure_builtin_sets
from processes.models import Benchmark, Measurement, Target
from tests.test_api_reads import groups, voice  # noqa: F401  (fixtures: real records for the reads' paths)

#: Each operation's examples: enough to reach every check, few enough to keep the test near half a minute.
EXAMPLES = 3
#: A schema-valid batch may still name an indicator that does not exist or a period that is not one: the domain's
#: rules answer 422 with the refused rows (docs/api.md), as the import does; every other check keeps its defaults.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429"]

[parameters]
"path.process_id" = {process}
"path.indicator_id" = {indicator}
"path.measurement_id" = {measurement}
"path.client_id" = {client}
"path.complaint_id" = {complaint}
"path.requirement_id" = {requirement}
"path.activity_id" = {activity}
"path.survey_id" = {survey}
"path.wave_id" = {wave}
"path.improvement_id" = {improvement}
"path.group_id" = {group}
"""


def _command() -> list[str]:
    found = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    if found is None:
        pytest.fail("schemathesis is not installed: pip install -r requirements-dev.txt", pytrace=False)
    return [found]


@pytest.fixture
def records(app, make_user, make_process, make_indicator, voice, groups, make_survey, make_wave):  # noqa: F811
    """A coordinator's write token, and a process, an indicator with a target, a comparison and measurements; a
    client, complaints, requirements and listening; a survey and its wave; an improvement group and its work.
    (Pack snapshots are asked for with the ids schemathesis makes up: their 404s are in the document too.)"""
    coordinator = make_user("coordinator")
    process = make_process(code="A-01", owner_id=make_user("member").id)
    indicator = make_indicator(process, code="IND-A", values={date(2026, 1, 1): 4.0, date(2026, 2, 1): 4.4})
    with app.app_context():
        db.session.add_all([Target(indicator_id=indicator, valid_from=date(2026, 1, 1), value=4.2),
                            Benchmark(indicator_id=indicator, source="Sector", period=date(2026, 1, 1), value=4.1)])
        ensure_builtin_sets()
        _token, secret = tokens.create_token(db.session.get(User, coordinator.id), name="schemathesis",
                                             scope="write", days=30)
        measurement = db.session.scalar(db.select(Measurement.id).where(Measurement.indicator_id == indicator))
        db.session.commit()
    wave = make_wave(make_survey(title="Satisfaction"), name="2026")
    with app.app_context():
        from surveys.models import Wave

        survey = db.session.get(Wave, wave).survey_id
    return {"secret": secret, "process": process, "indicator": indicator, "measurement": measurement,
            "client": voice["client"], "complaint": voice["late"], "requirement": voice["written"],
            "activity": voice["activity"], "survey": survey, "wave": wave, "improvement": groups["checked"],
            "group": groups["own"]}


class _Quiet(WSGIRequestHandler):
    """No line per request: schemathesis sends hundreds, and its own report says what failed."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_schemathesis_finds_no_server_error_and_no_schema_violation(served, records, tmp_path):
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(**records))
    run = subprocess.run(
        [*_command(), "--config-file", str(config), "run", f"{served}/api/v1/openapi.json", "--checks", "all",
         "--max-examples", str(EXAMPLES), "--seed", "20", "--no-shrink", "--generation-deterministic",
         "--header", f"Authorization: Bearer {records['secret']}", "--request-timeout", "20"],
        cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False)
    output = run.stdout + run.stderr
    (tmp_path / "report.txt").write_text(output)
    assert run.returncode == 0, output[-6000:]
    assert "Tested: 37" in output, output[-3000:]
