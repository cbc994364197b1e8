"""Production settings from the environment: `check --deploy` is clean with DEBUG off, and a
server without a SECRET_KEY refuses to start instead of running on a published one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # A server's environment, not the test run's (which has PYTEST_VERSION, and the browser tests'
    # DJANGO_ALLOW_ASYNC_UNSAFE). SECRET_KEY is set empty rather than unset, so that a developer's
    # .env file cannot fill it in.
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "SECRET_KEY": ""}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_debug_off():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k7#Qm2@vL9!pR4$wX8^zT1&nB6*cY3(hJ5)fD0-sG2+aE7=uK9",
        ALLOWED_HOSTS="rd.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_development_key_is_what_check_deploy_catches():
    # With DEBUG on the built-in development key is used, and the deploy check names it.
    result = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="true")
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout  # SECRET_KEY too weak / insecure


def test_no_secret_key_with_debug_off_refuses_to_start():
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def _database_setting(name: str, **env: str) -> str:
    code = f"from django.conf import settings; print(settings.DATABASES['default'].get({name!r}))"
    result = manage("shell", "-c", code, DEBUG="true", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's "N objects imported" line


def test_postgresql_connections_persist_and_are_checked_before_reuse():
    url = "postgres://app@db:5432/rd"
    assert _database_setting("CONN_MAX_AGE", DATABASE_URL=url) == "60"
    assert _database_setting("CONN_HEALTH_CHECKS", DATABASE_URL=url) == "True"
    assert _database_setting("CONN_MAX_AGE", DATABASE_URL=url, DB_CONN_MAX_AGE="0") == "0"
    assert _database_setting("CONN_MAX_AGE", DATABASE_URL=url + "?conn_max_age=600") == "600"
