"""Benchmark: the list API at 10^5–10^6 suggestions against a hand-written twin, in one run.

Usage (on a database filled by `manage.py generate_data --suggestions 1000000 --units 300`, then
`manage.py migrate`, `VACUUM ANALYZE` and `manage.py build_figures`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sugg_bench1m .venv/bin/python bench/lists.py [--rounds 15]

Requests go through the whole Django stack in process (test client: middleware, session auth,
DRF), with DEBUG off as in production. Every case is measured interleaved with its twin, round by
round, so a noisy neighbour slows both alike; the figure to read is the RATIO:

- `twin` (bench/twin.py): a hand-written view returning the same 50 rows as JSON with one
  `.values()` query on the index that serves the order (`sugg_created_id`), for the same user's
  visible set (staff: all; deputy: their own, by the lead-deputy and co-signer indexes; unit: its
  live assignments, a unit with at most 5,000 of them read from its own rows and sorted, as the
  API does, its size counted once outside the timed requests).
- `api`: `GET /api/v1/suggestions/?page_size=50` (its page 2,000 for staff), filters, rows,
  count and all.
- filtered lists (every filter the list offers but `search`, which bench/text measures) are timed
  alone, with their query count.
The HTML pages moved to bench/pages.py. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOW_INSECURE_SECRET", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import path  # noqa: E402

from accounts.models import Role, Unit, User  # noqa: E402
from bench.twin import largest_and_median_units, list_deputy, twin  # noqa: E402
from suggestions.models import Category, CongressSession, Suggestion  # noqa: E402

urlpatterns = [path("bench/twin/", twin)]


def _urlconf():
    import importlib

    base = importlib.import_module(settings.ROOT_URLCONF)
    module = type(sys)("bench_urls")
    module.urlpatterns = urlpatterns + list(base.urlpatterns)  # type: ignore[attr-defined]
    sys.modules["bench_urls"] = module
    return "bench_urls"


def persona(username: str, role: str, unit: Unit | None = None) -> User:
    user, _ = User.objects.get_or_create(
        username=username, defaults={"role": role, "unit": unit, "full_name": username, "password": "!"}
    )
    return user


def timed(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    setup_test_environment()
    settings.ROOT_URLCONF = _urlconf()
    settings.ALLOWED_HOSTS = ["*"]
    total = Suggestion.objects.count()

    big, small = largest_and_median_units()
    staff = User.objects.filter(role=Role.STAFF).order_by("pk").first() or persona("bench_staff", Role.STAFF)
    deputy = list_deputy()
    people = {
        "staff": staff,
        "deputy": deputy,
        "unit (largest)": persona("bench_big_handler", Role.UNIT_HANDLER, Unit.objects.get(pk=big["pk"])),
        "unit (median)": persona("bench_mid_handler", Role.UNIT_HANDLER, Unit.objects.get(pk=small["pk"])),
    }
    clients = {}
    for name, user in people.items():
        clients[name] = Client()
        clients[name].force_login(user)
    session = CongressSession.objects.order_by("year").values_list("pk", flat=True)
    older = list(session)[len(session) // 2]  # a session in the middle: newer rows of others come first
    category = Category.objects.order_by("pk").values_list("pk", flat=True).first()
    print(f"{total:,} suggestions; largest unit {big['n']:,} assignments, median unit {small['n']:,}")
    print(f"load average at start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")

    api = "/api/v1/suggestions/?page_size=50"
    deep = min(2000, max(1, total // 100))  # page 2,000, or half-way down a smaller table
    list_cases = [
        ("staff, page 1", "staff", api, "/bench/twin/"),
        (f"staff, page {deep:,}", "staff", f"{api}&page={deep}", f"/bench/twin/?offset={(deep - 1) * 50}"),
        ("deputy (own)", "deputy", f"{api}&mine=true", "/bench/twin/"),
        ("unit handler (largest unit)", "unit (largest)", api, "/bench/twin/"),
        ("unit handler (median unit)", "unit (median)", api, "/bench/twin/"),
        ("staff ?status=handling", "staff", f"{api}&status=handling", "/bench/twin/?status=handling"),
        (f"staff ?session={older}", "staff", f"{api}&session={older}", None),
        (f"staff ?category={category}", "staff", f"{api}&category={category}", None),
        ("staff ?confidential=true", "staff", f"{api}&confidential=true", None),
        ("staff ?unit= (median unit)", "staff", f"{api}&unit={small['pk']}", None),
        ("staff ?unit= (largest unit)", "staff", f"{api}&unit={big['pk']}", None),
        ("staff ?overdue=true", "staff", f"{api}&overdue=true", None),
        ("staff ?status=registered&category=…&session=…", "staff",
         f"{api}&status=registered&category={category}&session={older}", None),
    ]  # fmt: skip

    # Warm up every URL twice.
    for _label, who, url, twin_url in list_cases:
        for _ in range(2):
            timed(clients[who], url)
            if twin_url:
                timed(clients[who], twin_url)

    from django.test.utils import CaptureQueriesContext

    print(
        "\n| list request | API median | twin median | API req/s | twin req/s | ratio (API ÷ twin throughput) | API queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, who, url, twin_url in list_cases:
        api_t, twin_t = [], []
        for _ in range(args.rounds if twin_url else max(5, args.rounds // 2)):
            api_t.append(timed(clients[who], url))
            if twin_url:
                twin_t.append(timed(clients[who], twin_url))
        with CaptureQueriesContext(connection) as queries:
            timed(clients[who], url)
        a = statistics.median(api_t)
        if twin_t:
            t = statistics.median(twin_t)
            print(
                f"| {label} | {a * 1000:.1f} ms | {t * 1000:.1f} ms | {1 / a:.0f} | {1 / t:.0f} | {t / a:.2f} "
                f"| {len(queries)} |"
            )
        else:
            print(f"| {label} | {a * 1000:.1f} ms | — | {1 / a:.0f} | — | — | {len(queries)} |")
    print(f"\nload average at end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
