"""The production shape (docker-compose.yml and the Dockerfile), read as data: the order things start
in, a health check on every long-running service that can have one, no secret written in the files,
and an image that runs as an unprivileged user. (No Docker on CI machines: scripts/prod-smoke.sh
runs the Dockerfile's commands themselves.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")
REFERENCE = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*(:?[?-][^}]*)?\}$")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|(^|_)KEY$", re.IGNORECASE)
URL_PASSWORD = re.compile(r"://[^:/@\s]+:(?P<password>[^@\s]+)@")


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_services_start_in_order():
    assert set(SERVICES) >= {"db", "redis", "migrate", *APP_SERVICES}
    assert SERVICES["migrate"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in APP_SERVICES:
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert SERVICES["migrate"].get("restart", "no") == "no"


@pytest.mark.parametrize("name", ["db", "redis", "web", "worker"])
def test_health_checks(name):
    check = SERVICES[name].get("healthcheck")
    assert check and check.get("test"), f"{name} has no health check"
    assert check["test"][0] in ("CMD", "CMD-SHELL")


def test_the_web_health_check_is_shipped_and_the_worker_check_pings_itself():
    assert SERVICES["web"]["healthcheck"]["test"] == ["CMD", "python", "scripts/healthcheck.py"]
    assert (ROOT / "scripts" / "healthcheck.py").exists()
    assert "inspect ping" in SERVICES["worker"]["healthcheck"]["test"][1]
    assert "$$HOSTNAME" in SERVICES["worker"]["healthcheck"]["test"][1]  # `$$`: the container's, not compose's


def _strings(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, str(i)))
    elif isinstance(node, str):
        yield path, node


def test_no_secret_is_written_in_the_compose_file():
    for path, value in _strings(COMPOSE):
        where = ".".join(path)
        if path and SECRET_NAME.search(path[-1]):
            assert REFERENCE.match(value), f"{where} is written in the file: {value!r}"
        match = URL_PASSWORD.search(value)
        if match:
            assert REFERENCE.match(match.group("password")), f"{where} has a password in a URL"
    assert SERVICES["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")
    assert "${POSTGRES_PASSWORD" in SERVICES["web"]["environment"]["DATABASE_URL"]
    for name in ("migrate", *APP_SERVICES):
        assert SERVICES[name]["env_file"] == ".env"  # SECRET_KEY and ALLOWED_HOSTS come from there
        assert "SECRET_KEY" not in SERVICES[name]["environment"]


def test_the_checker_catches_a_written_secret():
    # The checks above would fail on the old file's `POSTGRES_PASSWORD: postgres` and its URL.
    assert not REFERENCE.match("postgres")
    assert URL_PASSWORD.search("postgres://postgres:postgres@db:5432/x").group("password") == "postgres"
    assert REFERENCE.match("${POSTGRES_PASSWORD:?set it}")


def test_the_image_runs_as_an_unprivileged_user():
    steps = dockerfile()
    users = [args for instruction, args in steps if instruction == "USER"]
    assert users and users[-1] not in ("root", "0"), users
    last_user = max(i for i, (instruction, _) in enumerate(steps) if instruction == "USER")
    assert all(instruction not in ("RUN", "COPY", "ADD") for instruction, _ in steps[last_user + 1 :])
    assert any("chown" in args and "/app/media" in args for instruction, args in steps if instruction == "RUN")


def test_web_runs_the_images_command():
    (cmd,) = [args for instruction, args in dockerfile() if instruction == "CMD"]
    command = json.loads(cmd)
    assert command[:2] == ["gunicorn", "config.wsgi:application"] and "0.0.0.0:8000" in command
    assert "command" not in SERVICES["web"]  # the Dockerfile's CMD is the one definition
    assert SERVICES["web"]["ports"] == ["8000:8000"]


def test_the_build_context_leaves_out_local_state():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "*.sqlite3", "media", "staticfiles"} <= set(ignored)
