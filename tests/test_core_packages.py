"""Each capability package can be imported on its own (a script, a benchmark, a worker) and its models
configure: a relationship naming another package's model must import that package itself."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package", ["processes", "loyalty", "voice", "surveys", "improvements", "evidence"])
def test_a_package_imported_alone_configures_its_models(package):
    code = f"import {package}; from sqlalchemy.orm import configure_mappers; configure_mappers()"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
