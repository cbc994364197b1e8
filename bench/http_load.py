"""Benchmark: issue 13's table re-measured the way it was measured, over HTTP against gunicorn.

Usage (on any database made by `manage.py generate_data`, after `manage.py build_figures`; the first
run collects the static files into $STATIC_ROOT, /tmp/bench-http-static by default: minutes):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sugg_1m .venv/bin/python bench/http_load.py
        [--duration 10] [--warmup 2] [--connections 8] [--workers 2] [--port N] [--only TEXT] [--slices 3]

It starts gunicorn as production runs it (`config.wsgi` with config/gunicorn.py, sync workers, 2 by
default, DEBUG off) with bench/http_settings.py, whose URLconf (bench/http_urls.py) adds two views to
the project's: `bench/bare/`, a tiny JsonResponse, and `bench/twin/`, the hand-written 50-row
`.values()` list (bench/twin.py), so both are served by the same server as the API. Then, for each
URL, --connections client threads each send GET requests in a loop on their own connection for
--duration seconds after a --warmup of the same, and the table gives throughput, median and 90th
percentile latency (of the 200 answers), and errors (any answer other than 200, and any failed
connection, counted apart and not in req/s).

The personas are signed in without passwords: a session is written for each directly (the keys
django.contrib.auth's login writes) and its cookie sent; GET needs no CSRF token, and the API accepts
the session (SessionAuthentication). Staff and the deputy are the database's own (the first staff
user; the first gen_deputy* leading 8 or more suggestions); the unit handlers of the largest and the
median GEN unit are bench users (`bench_http_*`), deleted at the end with every session made here.

The API rows and their twin are measured interleaved (--slices alternating slices of each, both
warmed first), so a noisy neighbour slows both alike; the ratio printed below the table (API req/s
÷ twin req/s) is the figure to compare between runs.

How to read it:
- gunicorn's sync worker closes the connection after every response, so "keep-alive" is the
  client's: it reconnects (loopback TCP, well under a millisecond) before each request, as wrk does.
- Every request sent before the deadline is waited for (so the next slice or row starts on an idle
  server) and its latency counted; req/s counts the 200 answers while the server was saturated
  (until fewer requests were outstanding than it has workers), so neither a slow row's last
  requests are cut off nor its drain, with workers idle, counted against it.
- The server opens a new PostgreSQL connection for every request that reads the database, as
  production does with CONN_MAX_AGE 0 (the project sets none); the bare view reads none. To see
  the server with persistent connections, add `?conn_max_age=600` to DATABASE_URL.
- The client is Python (threads, one GIL): about 0.4 ms of CPU a request, so it cannot send much
  more than 2,000-2,500 requests a second, and the bare row is then the ceiling of this client, not
  of the server. The client's CPU use is printed beside each row: near 1 core, the client is the cap.
- The machine's cores are shared by the client, gunicorn's workers and PostgreSQL (and whatever
  else runs): the load average is printed at the start and the end.
Not part of `make test`; nothing here is asserted as a time. (Not named http.py: the scripts here run
with this folder first on the path, where an http.py would stand in for the standard library's.)
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.http_settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOW_INSECURE_SECRET", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# DEBUG off serves the hashed static names of a manifest, collected here (the server reads it) when
# missing or older than a source file: collecting and compressing takes minutes on a busy machine.
os.environ.setdefault("STATIC_ROOT", "/tmp/bench-http-static")

import django

django.setup()

from importlib import import_module  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.core.management import call_command  # noqa: E402

from accounts.models import Role, Unit, User  # noqa: E402
from bench.twin import largest_and_median_units, list_deputy  # noqa: E402
from suggestions.models import CongressSession, Suggestion  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "bench_http_"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def collect_static() -> None:
    from django.contrib.staticfiles import finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        built = manifest.stat().st_mtime
        if all(
            Path(storage.path(name)).stat().st_mtime <= built
            for finder in finders.get_finders()
            for name, storage in finder.list([])
        ):
            return
    print(f"collecting static files into {settings.STATIC_ROOT} (once)", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", "config/gunicorn.py",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--access-logfile", "/dev/null", "--error-logfile", str(log),
    ]  # fmt: skip
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.http_settings"}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    started = time.monotonic()
    while time.monotonic() - started < 180:  # preloading the app takes seconds, more on a busy machine
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            status, _ = get(port, "/bench/bare/", "")
        except OSError:
            time.sleep(0.5)
            continue
        if status == 200:
            return server
        raise SystemExit(f"gunicorn answered {status} to /bench/bare/:\n{log.read_text()[-3000:]}")
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 180 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop: workers finish their request
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def get(port: int, url: str, cookie: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", url, headers=headers(url, cookie))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def headers(url: str, cookie: str) -> dict[str, str]:
    accept = "application/json" if url.startswith(("/api/", "/bench/")) else "text/html,application/xhtml+xml"
    h = {"Host": "localhost", "Accept": accept, "Accept-Encoding": "identity"}
    if cookie:
        h["Cookie"] = cookie
    return h


# --- the people -------------------------------------------------------------------------------


def persona(name: str, role: str, unit: Unit | None = None) -> User:
    user, _ = User.objects.get_or_create(
        username=PREFIX + name, defaults={"role": role, "unit": unit, "full_name": PREFIX + name, "password": "!"}
    )
    return user


def sign_in(user: User, keys: list[str]) -> str:
    """A session for `user` as django.contrib.auth.login writes it; returns the Cookie header."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = AUTH_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    keys.append(store.session_key)
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def sign_out(keys: list[str]) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    for key in keys:
        engine.SessionStore(session_key=key).delete()
    deleted, _ = User.objects.filter(username__startswith=PREFIX).delete()
    print(f"cleaned up: {len(keys)} sessions, {deleted} rows of bench users")


def pick_people() -> dict:
    big, mid = largest_and_median_units()
    staff = User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first() or persona("staff", Role.STAFF)
    deputy = list_deputy()
    return {
        "big": big,
        "mid": mid,
        "users": {
            "anonymous": None,
            "staff": staff,
            "deputy": deputy,
            "unit (largest)": persona("big_handler", Role.UNIT_HANDLER, Unit.objects.get(pk=big["pk"])),
            "unit (median)": persona("mid_handler", Role.UNIT_HANDLER, Unit.objects.get(pk=mid["pk"])),
        },
    }


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)  # of every 200 answer
    statuses: Counter = field(default_factory=Counter)  # of every answer (or the exception's name)
    answered: int = 0  # 200 answers within `seconds`
    seconds: float = 0.0  # while the server was saturated (see `load`)
    wall: float = 0.0  # from the first request sent to the last answer
    cpu: float = 0.0  # this process's CPU seconds over `wall`

    def add(self, other: Sample) -> None:
        self.latencies += other.latencies
        self.statuses += other.statuses
        self.answered += other.answered
        self.seconds += other.seconds
        self.wall += other.wall
        self.cpu += other.cpu

    @property
    def errors(self) -> int:
        return sum(self.statuses.values()) - self.statuses[200]

    @property
    def throughput(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def load(port: int, url: str, cookie: str, seconds: float, connections: int, workers: int) -> Sample:
    """`connections` threads, each on its own connection, sending GET `url` until `seconds` have passed.

    Every request sent before the deadline is waited for and its latency kept. The throughput's time
    ends at the answer after which fewer requests were outstanding than the server has workers: the
    drain after the deadline, with workers idle, would otherwise count against slow URLs (whose last
    request can take longer than a slice) and not against fast ones.
    """
    sample = Sample()
    answers: list[tuple[float, bool]] = []  # (when, whether 200), of every request
    lock = threading.Lock()
    h = headers(url, cookie)

    def client(deadline: float) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        latencies: list[float] = []
        mine: list[tuple[float, bool]] = []
        statuses: Counter = Counter()
        now = time.perf_counter()
        while now < deadline:
            try:
                conn.request("GET", url, headers=h)
                response = conn.getresponse()
                response.read()  # the whole body, as a client would; the server closes after it
                status: int | str = response.status
            except (OSError, http.client.HTTPException) as e:
                status = type(e).__name__
                conn.close()
            end = time.perf_counter()
            if status == 200:
                latencies.append(end - now)
            mine.append((end, status == 200))
            statuses[status] += 1
            now = end
        conn.close()
        with lock:
            sample.latencies.extend(latencies)
            sample.statuses.update(statuses)
            answers.extend(mine)

    cpu = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(start + seconds,)) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    answers.sort()
    saturated = answers[: max(1, len(answers) - min(connections, workers) + 1)]
    sample.answered = sum(ok for _, ok in saturated)
    sample.seconds = saturated[-1][0] - start
    sample.wall = answers[-1][0] - start
    sample.cpu = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
    return sample


def measure(port: int, urls: list[tuple[str, str]], args) -> list[Sample]:
    """Warm each URL, then measure them in alternating slices (one URL: one slice of --duration)."""
    for url, cookie in urls:
        load(port, url, cookie, args.warmup, args.connections, args.workers)
    samples = [Sample() for _ in urls]
    slices = args.slices if len(urls) > 1 else 1
    for _ in range(slices):
        for sample, (url, cookie) in zip(samples, urls, strict=True):
            sample.add(load(port, url, cookie, args.duration / slices, args.connections, args.workers))
    return samples


# --- the table --------------------------------------------------------------------------------


def fmt_time(seconds: float) -> str:
    if seconds != seconds:  # no 200 answer: no latency
        return "—"
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def fmt_rate(rate: float) -> str:
    return f"{rate:,.0f}" if rate >= 100 else f"{rate:,.1f}" if rate >= 10 else f"{rate:.2f}"


def row(label: str, sample: Sample) -> str:
    errors = str(sample.errors)
    if sample.errors:
        errors += " (" + ", ".join(f"{k}: {v}" for k, v in sample.statuses.items() if k != 200) + ")"
    cpu = sample.cpu / sample.wall if sample.wall else 0.0
    return (
        f"| {label} | {fmt_rate(sample.throughput)} | {fmt_time(sample.percentile(0.5))} "
        f"| {fmt_time(sample.percentile(0.9))} | {errors} | {cpu:.2f} |"
    )


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per URL (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per URL (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    parser.add_argument("--only", default="", help="measure only the rows whose label or URL contains this")
    parser.add_argument("--slices", type=int, default=3, help="alternating slices of an API row and its twin")
    args = parser.parse_args()

    collect_static()
    total = Suggestion.objects.count()
    people = pick_people()
    big, mid = people["big"], people["mid"]
    years = sorted(set(CongressSession.objects.values_list("year", flat=True)))
    year = 2023 if 2023 in years else years[len(years) // 2]
    deep = min(2000, max(1, total // 100))  # page 2,000, or half-way down a smaller table
    api = "/api/v1/suggestions/?page_size=50"
    twin = "/bench/twin/"

    # (label, who, url, twin label, twin url): a row with a twin is measured interleaved with it.
    cases: list[tuple[str, str, str, str, str]] = [
        ("a bare JSON view on the same server", "anonymous", "/bench/bare/", "", ""),
        (f"`GET {api}` as staff", "staff", api,
         "a hand-written 50-row `.values()` list, newest first (staff)", twin),
        (f"the same, page {deep:,}", "staff", f"{api}&page={deep}", "", ""),
        ("the same as a deputy (their own suggestions) (`&mine=true`)", "deputy", f"{api}&mine=true",
         "the hand-written list as the deputy", twin),
        (f"the same as a unit handler (largest unit, {big['n']:,} assignments)", "unit (largest)", api,
         "the hand-written list as that unit handler", twin),
        (f"the same as a unit handler (median unit, {mid['n']:,} assignments)", "unit (median)", api,
         "the hand-written list as that unit handler", twin),
        ("`?search=排涝` as staff", "staff", f"{api}&search=排涝", "", ""),
        ("`/dashboards/` as staff", "staff", "/dashboards/", "", ""),
        (f"`/dashboards/units/?year={year}` as staff", "staff", f"/dashboards/units/?year={year}", "", ""),
        ("`/public/` (anonymous)", "anonymous", "/public/", "", ""),
        ("`/suggestions/` as the deputy", "deputy", "/suggestions/", "", ""),
        ("`/suggestions/` as staff", "staff", "/suggestions/", "", ""),
        ("the deputy's home `/`", "deputy", "/", "", ""),
        ("the largest unit's inbox `/inbox/` (handler)", "unit (largest)", "/inbox/", "", ""),
    ]  # fmt: skip
    if args.only:
        cases = [c for c in cases if any(args.only in part for part in (c[0], c[2], c[3], c[4]) if part)]

    # Stopped by SIGTERM (or Ctrl-C), still stop the server and remove the sessions and bench users.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    keys: list[str] = []
    server = None
    log = Path(tempfile.mkstemp(prefix="bench-http-gunicorn-", suffix=".log")[1])
    try:
        cookies = {who: sign_in(user, keys) if user else "" for who, user in people["users"].items()}
        port = args.port or free_port()
        server = start_server(port, args.workers, log)
        print(
            f"{total:,} suggestions; largest unit {big['n']:,} assignments, median unit {mid['n']:,}; "
            f"deputy {people['users']['deputy'].username}; gunicorn {args.workers} sync workers on :{port} "
            f"(CONN_MAX_AGE {settings.DATABASES['default'].get('CONN_MAX_AGE', 0)}); "
            f"{args.connections} connections, {args.duration:g} s per URL after {args.warmup:g} s"
        )
        # Each session is the persona it should be, and the API takes it.
        for who, cookie in cookies.items():
            if cookie:
                status, body = get(port, "/api/v1/me/", cookie)
                name = people["users"][who].username
                if status != 200 or name.encode() not in body:
                    raise SystemExit(f"the session of {who} ({name}) is not accepted: {status} {body[:200]!r}")
        print(f"load average at start: {loadavg()}")
        print("\n| what | req/s | median | p90 | errors | client CPU (cores) |\n|---|---:|---:|---:|---:|---:|")
        ratios = []
        for label, who, url, twin_label, twin_url in cases:
            cookie = cookies[who]
            path = quote(url, safe="/?&=")
            if twin_url:
                a, t = measure(port, [(path, cookie), (twin_url, cookie)], args)
                print(row(twin_label, t), flush=True)
                print(row(label, a), flush=True)
                ratios.append((who, a.throughput / t.throughput if t.throughput else float("nan")))
            else:
                (s,) = measure(port, [(path, cookie)], args)
                print(row(label, s), flush=True)
        print(f"\nload average at end: {loadavg()}")
        if ratios:
            print("\nAPI ÷ twin throughput, measured interleaved in this run:")
            for who, ratio in ratios:
                print(f"- {who}: {ratio:.2f}")
    finally:
        if server is not None:
            stop_server(server)
        sign_out(keys)
        errors = [line for line in log.read_text().splitlines() if "Error" in line or "Traceback" in line]
        if errors:
            print(f"gunicorn's error log ({log}) has {len(errors)} error lines, e.g.: {errors[0][:300]}")
        else:
            log.unlink()


if __name__ == "__main__":
    main()
