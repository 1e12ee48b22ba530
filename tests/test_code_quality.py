"""The pure libraries stay lint- and type-clean (ruff and mypy, as configured in pyproject)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed: it is part of the test extras (pip install -e '.[test]')"
        )
    return path


@pytest.mark.parametrize("package", ["taxonomy", "matching"])
def test_ruff_clean(package: str) -> None:
    result = subprocess.run(
        [tool("ruff"), "check", package], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_clean() -> None:
    result = subprocess.run(
        [tool("mypy"), "taxonomy", "matching"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
