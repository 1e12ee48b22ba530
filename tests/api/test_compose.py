"""docker-compose.yml and the Dockerfile agree with each other and with the CLI.

No Docker engine runs on the test machines, so the files are checked as data.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import click
import typer
import yaml
from sqlalchemy.engine import make_url

from api.cli import app as cli_app
from api.core.settings import REPO_ROOT

COMPOSE = REPO_ROOT / "docker-compose.yml"


def load_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def shell_steps(command: list[str] | str) -> list[list[str]]:
    """Split `sh -c "a && b"` (or a plain command) into its argv steps."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] == ["sh", "-c"]:
        return [shlex.split(step) for step in argv[2].split("&&")]
    return [argv]


def resolve(argv: list[str]) -> Any:
    """Walk the typer/click tree; fail when a sub-command or option does not exist."""
    assert argv[0] == "qonys", argv
    group: Any = typer.main.get_command(cli_app)
    args = argv[1:]
    while hasattr(group, "list_commands") and args and not args[0].startswith("-"):
        sub = group.get_command(click.Context(group), args[0])
        assert sub is not None, f"`qonys` has no command {args[0]!r}"
        group, args = sub, args[1:]
    options = {opt for param in group.params for opt in getattr(param, "opts", [])}
    for arg in args:
        if arg.startswith("--"):
            assert arg.split("=")[0] in options, f"{argv}: unknown option {arg}"
    group.make_context(group.name or "qonys", list(args))  # raises on bad usage
    return group


def test_services_and_healthcheck() -> None:
    compose = load_compose()
    services = compose["services"]
    assert set(services) >= {"db", "api"}
    db = services["db"]
    assert db["image"].startswith("postgres")
    test = " ".join(db["healthcheck"]["test"])
    assert "pg_isready" in test
    env = db["environment"]
    assert f"-U {env['POSTGRES_USER']}" in test and f"-d {env['POSTGRES_DB']}" in test
    assert services["api"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_api_url_points_at_the_db_service() -> None:
    services = load_compose()["services"]
    url = make_url(services["api"]["environment"]["QONYS_DATABASE_URL"])
    env = services["db"]["environment"]
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "db"
    assert (url.username, url.password, url.database) == (
        env["POSTGRES_USER"],
        env["POSTGRES_PASSWORD"],
        env["POSTGRES_DB"],
    )


def test_api_command_migrates_then_serves_with_real_cli_commands() -> None:
    api = load_compose()["services"]["api"]
    steps = shell_steps(api["command"])
    names = [" ".join(step[1:3]) for step in steps]
    assert names[0] == "db upgrade", "migrations must run before anything else"
    assert steps[-1][1] == "serve"
    for step in steps:
        resolve(step)
    port = steps[-1][steps[-1].index("--port") + 1]
    assert any(mapping.endswith(f":{port}") for mapping in api["ports"])
    assert f":{port}/healthz" in " ".join(api["healthcheck"]["test"])


def test_dockerfile_runs_the_same_command() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    match = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert match, "Dockerfile has no exec-form CMD"
    cmd = yaml.safe_load(match.group(1))
    assert cmd == load_compose()["services"]["api"]["command"]
    for line in re.findall(r"^COPY (.+)$", dockerfile, re.MULTILINE):
        for path in line.split()[:-1]:
            assert (REPO_ROOT / path).exists(), f"Dockerfile copies missing {path}"


def test_resolver_rejects_unknown_commands() -> None:
    try:
        resolve(["qonys", "no-such-command"])
    except AssertionError:
        return
    raise AssertionError("an unknown command was accepted")
