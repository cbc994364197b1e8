"""Benchmark: the list API and every role's main pages at 10^5–10^6 suggestions, against
hand-written twins, in one run.

Usage (on a database filled by `manage.py generate_data --suggestions 1000000 --units 300`, then
`manage.py migrate`, `VACUUM ANALYZE` and `manage.py build_figures`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sugg_bench1m .venv/bin/python bench/lists.py [--rounds 15]

Requests go through the whole Django stack in process (test client: middleware, session auth,
DRF, templates). Every case is measured interleaved with its twin, round by round, so a noisy
neighbour slows both alike; the figure to read is the RATIO:

- `twin`: a hand-written view returning the same 50 rows as JSON with one `.values()` query on the
  index that serves the order (`sugg_created_id`), for the same user's visible set (staff: all;
  deputy: their own, by the lead-deputy and co-signer indexes; unit: its live assignments).
- `api`: `GET /api/v1/suggestions/?page_size=50` (its page 2,000 for staff), serializer, prefetch,
  capped count and all.
- pages: the HTML pages each role opens first, timed alone (median of the rounds).
Not part of `make test`.
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
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOW_INSECURE_SECRET", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import path  # noqa: E402

from accounts.models import Role, Unit, User  # noqa: E402
from dashboards import metrics as m  # noqa: E402
from suggestions.models import Assignment, CoSigner, Suggestion  # noqa: E402

COLUMNS = ("id", "number", "title", "status", "session_id", "category_id", "lead_deputy_id", "created_at")


def twin(request):
    """The hand-written equivalent: the caller's 50 newest visible rows, one query, no serializer."""
    user = request.user
    qs = Suggestion.objects.all()
    if user.is_deputy:
        qs = qs.filter(
            pk__in=Suggestion.objects.filter(lead_deputy=user)
            .order_by()
            .values("pk")
            .union(CoSigner.objects.filter(deputy=user).order_by().values("suggestion_id"))
        )
    elif user.is_unit_user:
        qs = qs.filter(
            pk__in=Assignment.objects.filter(unit_id=user.unit_id).exclude(status="returned").values("suggestion_id")
        )
    offset = int(request.GET.get("offset", 0))
    keys = qs.order_by("-created_at", "-id").values("pk")[offset : offset + 50]
    rows = list(Suggestion.objects.filter(pk__in=keys).order_by("-created_at", "-id").values(*COLUMNS))
    return JsonResponse({"results": rows}, json_dumps_params={"default": str})


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
    year = m.today().year

    units = list(
        Unit.objects.filter(code__startswith="GEN").annotate(n=Count("assignments")).order_by("-n").values("pk", "n")
    )
    big, small = units[0], units[len(units) // 2]
    staff = User.objects.filter(role=Role.STAFF).order_by("pk").first() or persona("bench_staff", Role.STAFF)
    deputy = (
        User.objects.filter(role=Role.DEPUTY, username__startswith="gen_deputy")
        .annotate(n=Count("led_suggestions"))
        .filter(n__gte=8)
        .order_by("pk")
        .first()
    )
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
    anonymous = Client()
    print(f"{total:,} suggestions; largest unit {big['n']:,} assignments, median unit {small['n']:,}")

    list_cases = [
        ("staff, page 1", "staff", "/api/v1/suggestions/?page_size=50", "/bench/twin/"),
        ("staff, page 2,000", "staff", "/api/v1/suggestions/?page_size=50&page=2000", "/bench/twin/?offset=99950"),
        ("deputy (own)", "deputy", "/api/v1/suggestions/?page_size=50&mine=true", "/bench/twin/"),
        ("unit handler (largest unit)", "unit (largest)", "/api/v1/suggestions/?page_size=50", "/bench/twin/"),
        ("unit handler (median unit)", "unit (median)", "/api/v1/suggestions/?page_size=50", "/bench/twin/"),
        ("staff ?search=排涝", "staff", "/api/v1/suggestions/?page_size=50&search=排涝", None),
        ("staff ?status=handling", "staff", "/api/v1/suggestions/?page_size=50&status=handling", None),
    ]
    pages = [
        ("staff", "/"),
        ("staff", "/suggestions/"),
        ("staff", "/suggestions/?page=2000"),
        ("staff", f"/dashboards/?year={year}"),
        ("staff", f"/dashboards/units/?year={year}"),
        ("staff", f"/api/v1/stats/units/?year={year}"),
        ("staff", "/api/v1/stats/overview/?year=" + str(year)),
        ("deputy", "/"),
        ("deputy", "/suggestions/"),
        ("unit (largest)", "/"),
        ("unit (largest)", "/inbox/"),
        ("unit (median)", "/inbox/"),
        ("anonymous", "/public/"),
    ]

    def client_of(who):
        return anonymous if who == "anonymous" else clients[who]

    # Warm up every URL twice.
    for _label, who, url, twin_url in list_cases:
        for _ in range(2 if twin_url else 1):
            timed(clients[who], url)
            if twin_url:
                timed(clients[who], twin_url)
    for who, url in pages:
        for _ in range(2):
            timed(client_of(who), url)

    print("\n| list request | API median | twin median | API req/s | twin req/s | ratio (API ÷ twin throughput) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, who, url, twin_url in list_cases:
        api_t, twin_t = [], []
        for _ in range(args.rounds if twin_url else 3):
            api_t.append(timed(clients[who], url))
            if twin_url:
                twin_t.append(timed(clients[who], twin_url))
        a = statistics.median(api_t)
        if twin_t:
            t = statistics.median(twin_t)
            print(f"| {label} | {a * 1000:.1f} ms | {t * 1000:.1f} ms | {1 / a:.0f} | {1 / t:.0f} | {t / a:.2f} |")
        else:
            print(f"| {label} | {a * 1000:.1f} ms | — | {1 / a:.0f} | — | — |")

    print("\n| page | who | median | p90 | queries |")
    print("|---|---|---:|---:|---:|")
    from django.test.utils import CaptureQueriesContext

    for who, url in pages:
        times = sorted(timed(client_of(who), url) for _ in range(args.rounds))
        with CaptureQueriesContext(connection) as queries:
            timed(client_of(who), url)
        p90 = times[int(len(times) * 0.9) - 1]
        print(f"| `{url}` | {who} | {statistics.median(times) * 1000:.1f} ms | {p90 * 1000:.1f} ms | {len(queries)} |")


if __name__ == "__main__":
    main()
