#!/usr/bin/env python3
"""Production-mode smoke run (called by scripts/prod-smoke.sh from .ci/run; no Docker needed).

It runs what the image runs, as the Dockerfile says it: static files collected with DEBUG=false and
no key, then the Dockerfile's own CMD (gunicorn, read from the file) with DEBUG=false, a generated
key, PostgreSQL and Redis, on a free loopback port. Requests come as the TLS proxy in front of it
would send them (X-Forwarded-Proto: https, so production's HTTPS redirect and secure cookies apply).
Checked: the login page with its CSS and JS served by WhiteNoise (200, content types, hashed and
cached), the demo deputy logs in and sees their home, the OpenAPI schema, the public pages.
gunicorn is stopped at the end whatever happens.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
TIMEOUT = 15
DEMO_PASSWORD = "jiangmen2020"
started = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)


def server_env(**extra: str) -> dict[str, str]:
    """A server's environment: only what the compose file and .env would give the container."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ENV_FILE"] = os.devnull  # a developer's .env in this checkout must not leak in
    return {**env, **extra}


def run(args: list[str], env: dict[str, str], what: str) -> None:
    t0 = time.monotonic()
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
    if result.returncode != 0:
        sys.exit(f"FAILED: {what}\n{result.stdout}\n{result.stderr}")
    say(f"{what}: ok ({time.monotonic() - t0:.1f}s)")


def dockerfile_cmd() -> list[str]:
    (line,) = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")]
    return json.loads(line[4:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"FAILED: gunicorn exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"FAILED: nothing listens on port {port} after {limit:.0f}s")


def client(base: str) -> requests.Session:
    session = requests.Session()
    session.headers.update({"X-Forwarded-Proto": "https", "Accept-Language": "zh-hans"})
    session.base = base  # type: ignore[attr-defined]
    return session


def cookies(session: requests.Session) -> dict[str, str]:
    """The client stands where the TLS proxy is, so it sends the server's Secure cookies back over
    the loopback itself (requests would keep them for https:// addresses only)."""
    return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies)} if session.cookies else {}


def get(session: requests.Session, path: str, expect: int = 200) -> requests.Response:
    t0 = time.monotonic()
    response = session.get(
        session.base + path,  # type: ignore[attr-defined]
        headers=cookies(session),
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    if response.status_code != expect:
        sys.exit(f"FAILED: GET {path} answered {response.status_code}, expected {expect}\n{response.text[:2000]}")
    say(f"GET {path}: {response.status_code} {response.headers.get('Content-Type', '')} "
        f"{len(response.content)} bytes ({(time.monotonic() - t0) * 1000:.0f} ms)")  # fmt: skip
    return response


def check(condition: bool, message: str) -> None:
    if not condition:
        sys.exit(f"FAILED: {message}")


def smoke(base: str) -> None:
    anonymous = client(base)
    login = get(anonymous, "/accounts/login/")
    check("text/html" in login.headers["Content-Type"], "login page is not HTML")
    check("Strict-Transport-Security" in login.headers, "no HSTS header: not in production mode")
    css = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="(/static/[^"]+)"', login.text)
    js = re.findall(r'<script[^>]+src="(/static/[^"]+)"', login.text)
    check(bool(css) and bool(js), f"login page links no local CSS or JS: {css} {js}")
    for urls, kind in ((css, "text/css"), (js, "javascript")):
        for url in urls:
            # Hashed names from the manifest, served by WhiteNoise with a long cache life.
            check(re.search(r"\.[0-9a-f]{12}\.(css|js)$", url) is not None, f"{url} is not a hashed name")
            response = get(anonymous, url)
            check(kind in response.headers["Content-Type"], f"{url} served as {response.headers['Content-Type']}")
            check("immutable" in response.headers.get("Cache-Control", ""), f"{url} is not cached as immutable")
            # requests asks for gzip (and br when the brotli package is installed, as locust's dependencies
            # bring it); WhiteNoise answers with a copy compressed at build time.
            encoding = response.headers.get("Content-Encoding")
            check(encoding in ("gzip", "br"), f"{url} has no compressed copy (Content-Encoding: {encoding})")

    deputy = client(base)
    form = get(deputy, "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    check(token is not None, "no CSRF token on the login form")
    t0 = time.monotonic()
    response = deputy.post(
        base + "/accounts/login/",
        data={"username": "deputy", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": base.replace("http://", "https://") + "/accounts/login/", **cookies(deputy)},
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    check(response.status_code == 302, f"login answered {response.status_code}: {response.text[:1500]}")
    check(response.headers["Location"] == "/", f"login sent to {response.headers['Location']}")
    say(f"POST /accounts/login/ as deputy: 302 -> / ({(time.monotonic() - t0) * 1000:.0f} ms)")
    home = get(deputy, "/")
    check("黄代表" in home.text, "the deputy's home does not name 黄代表")
    check("南冲" in home.text, "the deputy's home lists none of their demo suggestions")

    schema = get(deputy, "/api/schema/")
    check("openapi" in schema.headers["Content-Type"], f"schema served as {schema.headers['Content-Type']}")
    check("/api/v1/suggestions/" in schema.text, "the schema lacks the suggestions endpoint")
    public = get(client(base), "/public/")
    check("text/html" in public.headers["Content-Type"], "/public/ is not HTML")


def main() -> None:
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL (Redis) for the smoke run")
    with tempfile.TemporaryDirectory(prefix="prod-smoke-") as tmp:
        static_root = str(Path(tmp) / "static")
        runtime = server_env(
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            STATIC_ROOT=static_root,
            MEDIA_ROOT=str(Path(tmp) / "media"),
        )
        # The image's build step (no key, DEBUG off) runs beside the migrate job and the demo data.
        build = threading.Thread(
            target=run,
            args=([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                  server_env(DEBUG="false", ALLOW_INSECURE_SECRET="true", STATIC_ROOT=static_root),
                  "collectstatic with DEBUG=false (the Dockerfile's build step)"),
        )  # fmt: skip
        build.start()
        run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], runtime, "migrate (the migrate job)")
        run([sys.executable, "manage.py", "load_demo"], runtime, "load_demo")
        build.join()
        check((Path(static_root) / "staticfiles.json").exists(), "collectstatic wrote no manifest")

        port = free_port()
        command = [arg.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for arg in dockerfile_cmd()]
        check(f"127.0.0.1:{port}" in command, f"the Dockerfile's CMD binds no 0.0.0.0:8000: {command}")
        say("starting the Dockerfile's CMD: " + " ".join(command))
        log = open(Path(tmp) / "gunicorn.log", "w+")  # noqa: SIM115 - read back after the run
        proc = subprocess.Popen(command, cwd=ROOT, env=runtime, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                                start_new_session=True)  # fmt: skip
        ok = False
        try:
            wait_for_port(port, proc)
            say(f"gunicorn listens on 127.0.0.1:{port}")
            smoke(f"http://127.0.0.1:{port}")
            ok = True
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            say(f"gunicorn stopped (exit {proc.returncode})")
            if not ok:
                log.seek(0)
                print("--- gunicorn log (last 80 lines) ---\n" + "".join(log.readlines()[-80:]), file=sys.stderr)
            log.close()
    say("production smoke run passed")


if __name__ == "__main__":
    main()
