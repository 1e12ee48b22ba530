"""The pure libraries stay pure: no web framework, database, settings or service imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICE_ONLY = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "pydantic_settings",
    "uvicorn",
    "psycopg",
    "api",
)
FORBIDDEN = {
    "taxonomy": (*SERVICE_ONLY, "matching"),
    "matching": SERVICE_ONLY,
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_library_imports_point_downward(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    violations = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for line, module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN[package]
    ]
    assert not violations, "layering broken:\n" + "\n".join(violations)


def test_checker_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import os\nfrom sqlalchemy.orm import Session\nif True:\n    import api.core.settings\n"
    )
    modules = [m.split(".")[0] for _, m in imported_modules(bad)]
    assert "sqlalchemy" in modules and "api" in modules


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_importing_a_library_loads_no_service_module(package: str) -> None:
    # Transitive imports count too: load the whole package in a clean interpreter.
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module('{package}')\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        f"bad = sorted({{n.split('.')[0] for n in sys.modules}} & set({FORBIDDEN[package]!r}))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"{package} pulls in {out.stdout.strip()}"


# The service: api/ is one package per feature over a shared core --------------------------

API = ROOT / "api"
SHARED = ("core", "models")
TOP_LEVEL = ("app", "cli", "migrations")  # the composition roots and Alembic's scripts
# The pages core: every feature's pages use it (templates, sessions, forms); its mount.py is
# the pages' composition root and includes each feature's ``pages`` router.
WEB = "web"
WEB_ROOT = ("web", "mount.py")
MAX_LINES = 400


def _api_imports(path: Path) -> list[tuple[int, str]]:
    """Absolute ``api.*`` modules imported by ``path``, ``from api.x import y`` as ``api.x.y``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names if a.name.startswith("api."))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "api" or node.module.startswith("api."):
                parts = node.module.split(".")
                if len(parts) == 2:  # from api.feature import module
                    found.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
                else:
                    found.append((node.lineno, node.module))
    return found


def feature_violations(root: Path) -> list[str]:
    """Imports across feature packages that bypass the other feature's ``service`` module."""
    out = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if len(parts) < 2 or parts[0] in TOP_LEVEL:
            continue
        own = parts[0]
        if parts[:2] == WEB_ROOT:
            continue
        for line, module in _api_imports(path):
            target = module.split(".")
            other = target[1] if len(target) > 1 else ""
            if other == own:
                continue
            where = f"{path.relative_to(root.parent)}:{line} imports {module}"
            if own in SHARED and other not in SHARED:
                out.append(where + f" (api/{own}/ is below every feature)")
            elif own == "models" and other != "models":
                out.append(where + " (api/models/ imports only itself)")
            elif other in TOP_LEVEL:
                out.append(where + " (features do not import the composition roots)")
            elif other not in (*SHARED, WEB) and target[2:3] != ["service"]:
                out.append(where + f" (use api.{other}.service)")
    return out


def test_features_meet_only_through_their_service() -> None:
    violations = feature_violations(API)
    assert not violations, "feature packages cross:\n" + "\n".join(violations)


def test_feature_checker_catches_a_violation(tmp_path: Path) -> None:
    (tmp_path / "homes").mkdir()
    (tmp_path / "core").mkdir()
    (tmp_path / "homes" / "routes.py").write_text(
        "from api.households.mappers import x\nfrom api.households.service import y\n"
        "from api.core.db import z\nfrom api.households import service\n"
    )
    (tmp_path / "core" / "deps.py").write_text("from api.auth.service import Principal\n")
    found = feature_violations(tmp_path)
    assert len(found) == 2, found
    assert "api.households.mappers" in found[1] and "api.auth.service" in found[0]


def test_no_module_in_api_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in sorted(API.rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules (over {MAX_LINES} lines): {long}"
