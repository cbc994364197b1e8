"""A development checkout just works: `make run` gives it a `.env` with DEBUG on and a generated key
(scripts/dev_env.py), after which `manage.py` runs there with no further settings; a server without
a key still refuses to start (test_settings.py)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "dev_env.py"


def dev_env(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--path", str(path)], capture_output=True, text=True, timeout=30
    )


def values(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            found.setdefault(name.strip(), []).append(value)
    return found


def manage(env_file: Path, *args: str) -> subprocess.CompletedProcess:
    # A developer's shell: no DEBUG, no SECRET_KEY, not under pytest; only the .env file.
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "ENV_FILE": str(env_file),
        "DATABASE_URL": f"sqlite:///{env_file.parent / 'db.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_writes_debug_and_a_strong_key_when_there_is_no_env(tmp_path):
    path = tmp_path / ".env"
    assert dev_env(path).returncode == 0
    found = values(path)
    assert found["DEBUG"] == ["true"]
    (key,) = found["SECRET_KEY"]
    # What `check --deploy` asks of a key (security.W009), and safe in a .env file unquoted.
    assert len(key) >= 50 and len(set(key)) >= 5 and not key.startswith("django-insecure")
    assert set(key) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds a secret

    # A second run keeps it; a fresh checkout gets its own key.
    assert dev_env(path).returncode == 0
    assert values(path)["SECRET_KEY"] == [key]
    other = tmp_path / "other.env"
    dev_env(other)
    assert values(other)["SECRET_KEY"] != [key]


def test_adds_a_key_to_an_env_without_one_and_keeps_the_rest(tmp_path):
    path = tmp_path / ".env"
    path.write_text("DEBUG=true\nREMINDER_SWEEP_SECONDS=5\n")
    dev_env(path)
    found = values(path)
    assert found["REMINDER_SWEEP_SECONDS"] == ["5"] and found["DEBUG"] == ["true"]
    assert len(found["SECRET_KEY"]) == 1 and len(found["SECRET_KEY"][0]) >= 50

    # An empty key is replaced in place (the first SECRET_KEY line is the one that counts).
    path.write_text("SECRET_KEY=\nDEBUG=true\n")
    dev_env(path)
    assert len(values(path)["SECRET_KEY"]) == 1 and len(values(path)["SECRET_KEY"][0]) >= 50

    path.write_text("SECRET_KEY=mine-k7#Qm2@vL9!pR4$wX8^zT1&nB6*cY3(hJ5)fD0-sG2+aE7\n")
    dev_env(path)
    assert path.read_text() == "SECRET_KEY=mine-k7#Qm2@vL9!pR4$wX8^zT1&nB6*cY3(hJ5)fD0-sG2+aE7\n"


def test_manage_py_runs_in_a_checkout_with_that_env(tmp_path):
    path = tmp_path / ".env"
    bare = manage(path, "check")  # before `make run`: no .env, DEBUG off, no key
    assert bare.returncode != 0 and "SECRET_KEY must be set when DEBUG is off" in bare.stderr
    dev_env(path)
    result = manage(path, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
