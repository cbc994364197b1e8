"""Private Redis and PostgreSQL servers for the reliability drills, which restart them: the shared
servers on 6379/5432 belong to everyone else and are never touched. Each drill skips, saying why,
when the server binaries are not installed."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
REDIS_PORT = int(os.environ.get("DRILL_REDIS_PORT", "6391"))
PG_PORT = int(os.environ.get("DRILL_PG_PORT", "5491"))


def _wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class PrivateRedis:
    """redis-server on its own port with no persistence: a restart loses every queued message."""

    def __init__(self, workdir: Path, port: int = REDIS_PORT):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            pytest.skip("redis-server is not installed: the Redis drills need a private server to restart")
        if not _port_free(port):
            pytest.skip(f"port {port} is taken: the drill needs its own Redis there")
        self.port, self.workdir, self.proc = port, workdir, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def restart(self) -> None:
        self.kill()
        self.start()


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (initdb into a temp dir) on its own port, run as `postgres`
    when the tests run as root (PostgreSQL refuses to run as root)."""

    def __init__(self, port: int = PG_PORT):
        self.initdb, self.pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            pytest.skip(
                "PostgreSQL server binaries (initdb, pg_ctl) are not installed: the drill needs a private cluster"
            )
        if not _port_free(port):
            pytest.skip(f"port {port} is taken: the drill needs its own PostgreSQL there")
        self.port = port
        # Not under pytest's tmp_path: that is private to root, and the server runs as `postgres`.
        workdir = self.workdir = Path(tempfile.mkdtemp(prefix="drill-pg-"))
        self.data = workdir / "pgdata"
        self.sockets = workdir / "pgsock"
        self.log = workdir / "pg.log"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if not runuser:
                pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
            self.prefix = [runuser, "-u", "postgres", "--"]
        for path in (self.data, self.sockets):
            path.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        if self.prefix:
            shutil.chown(workdir, "postgres")
            for path in (self.data, self.sockets, self.log):
                shutil.chown(path, "postgres")
        subprocess.run([*self.prefix, self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                        "--no-sync"], check=True, capture_output=True)  # fmt: skip

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run([*self.prefix, self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                        *args], check=True, capture_output=True, timeout=60)  # fmt: skip

    def start(self) -> None:
        self._ctl("start")
        _wait_port(self.port)

    def restart(self) -> None:
        # "immediate": every backend is killed at once, as in a crash; open transactions are lost.
        self._ctl("restart", "-m", "immediate")
        _wait_port(self.port)

    def stop(self) -> None:
        try:
            self._ctl("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall() if cur.description else ""
        finally:
            conn.close()


def celery_process(tmp_path: Path, name: str, *, kind: str, redis_url: str, database_url: str, **env_extra):
    """A real `celery worker` or `celery beat` on the given broker and database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "notifications.tests.worker_settings",
        "ALLOW_INSECURE_SECRET": "true",
        **env_extra,
    }
    env.pop("PYTEST_VERSION", None)
    log = open(tmp_path / f"{name}.log", "w")
    if kind == "worker":
        cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "-c", "2",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h", "-l", "INFO"]  # fmt: skip
    else:
        cmd = [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "INFO",
               "-s", str(tmp_path / f"{name}-schedule"), "--pidfile="]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(*procs) -> None:
    for proc in procs:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        if proc is not None:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")
