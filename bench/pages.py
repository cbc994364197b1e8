"""Benchmark: every page each role can open, at the database given by DATABASE_URL (issue 13).

Usage (on a database filled by `manage.py generate_data --suggestions N --units 300`, then
`manage.py migrate`, `VACUUM ANALYZE` and `manage.py build_figures`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sugg_bench1m .venv/bin/python bench/pages.py [--rounds 7]
        [--only URL-PART] [--who ROLE-PART] [--skip URL-PART] [--slowest [--explain]] [--queries] [--match REGEX] [--profile N] [--no-gc-freeze]

Requests go through the whole Django stack in process (test client: middleware, session auth,
templates; no HTTP server), one client per role, warm (each URL is requested twice first). For
each page it prints the median and the 90th percentile of `--rounds` requests (one only for a
page whose second request took over 2 s) and the number of queries and the SQL time of one more
request; `--slowest` adds the slowest SQL statement of that request.

The generated data has deputies, units and staff only. What the other roles need (a supervising
leader attached to suggestions and leading a key item of the largest unit, a deputies'
professional group supervising one category, a campaign, an inspection) is made through the
services inside one transaction that is rolled back at the end, so the shared database keeps
nothing of it, nor of the personas (`bench_pages_*` users).
As config/gunicorn.py does after preloading, the objects alive after start-up (Django, the views,
the segmenter) are frozen out of the cycle collector before measuring (`--no-gc-freeze` leaves them).
Not part of `make test`; nothing here is asserted as a time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# DEBUG off as in production (cached templates, no debug context); the static manifest the pages'
# {% static %} tags need is collected into a scratch directory first.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_ROOT", "/tmp/bench-pages-static")
os.environ.setdefault("ALLOW_INSECURE_SECRET", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings as _settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

if not _settings.DEBUG:
    call_command("collectstatic", interactive=False, verbosity=0)

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import update_last_login  # noqa: E402
from django.contrib.auth.signals import user_logged_in  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, Unit, User  # noqa: E402
from bench.twin import largest_and_median_units  # noqa: E402
from dashboards import metrics as m  # noqa: E402
from suggestions import selectors  # noqa: E402
from suggestions.models import Assignment, AssignmentRole, Category, Suggestion, SuggestionStatus  # noqa: E402
from supervision import committees  # noqa: E402
from supervision import services as supervision  # noqa: E402
from supervision.models import InspectionKind  # noqa: E402


def persona(username: str, role: str, unit: Unit | None = None) -> User:
    """A bench user (made inside the rolled-back transaction, so never kept)."""
    user, _ = User.objects.update_or_create(
        username=username, defaults={"role": role, "unit": unit, "full_name": username, "password": "!"}
    )
    return user


class Rollback(Exception):
    """Raised at the end to roll the fixture transaction back."""


def request(client: Client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code in (200, 302), (url, response.status_code, response.content[:300])
    return elapsed, response.status_code


def pick_people() -> dict:
    """The personas and the objects their pages are about."""
    big, mid = largest_and_median_units()
    big_unit, mid_unit = Unit.objects.get(pk=big["pk"]), Unit.objects.get(pk=mid["pk"])
    staff = User.objects.filter(role=Role.STAFF).order_by("pk").first() or persona("bench_pages_staff", Role.STAFF)
    # The busiest generated deputy: their home and list are the longest a deputy has.
    deputy = User.objects.get(
        pk=Suggestion.objects.values("lead_deputy")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_deputy")[0]["lead_deputy"]
    )
    return {
        "big": big,
        "mid": mid,
        "staff": staff,
        "deputy": deputy,
        "big_handler": persona("bench_pages_big_handler", Role.UNIT_HANDLER, big_unit),
        "big_head": persona("bench_pages_big_head", Role.UNIT_HEAD, big_unit),
        "mid_handler": persona("bench_pages_mid_handler", Role.UNIT_HANDLER, mid_unit),
        "supervisor": persona("bench_pages_supervisor", Role.SUPERVISOR),
        "member": persona("bench_pages_member", Role.DEPUTY),
    }


def make_fixture(p: dict) -> dict:
    """Supervision objects for the supervisor and the committee member (rolled back at the end)."""
    staff, supervisor, member = p["staff"], p["supervisor"], p["member"]
    year = m.today().year
    held = list(
        Suggestion.objects.filter(
            assignments__unit_id=p["big"]["pk"],
            assignments__role=AssignmentRole.LEAD,
            status__in=[SuggestionStatus.ASSIGNED, SuggestionStatus.HANDLING],
        ).order_by("-pk")[:60]
    )
    for suggestion in held[:20]:
        supervision.supervisor_attach(suggestion=suggestion, user=supervisor, actor=staff)
    item = supervision.key_item_create(
        actor=staff, year=year, topic="基准:排水防涝", suggestions=held[20:60], leaders=[supervisor]
    )
    category = Category.objects.filter(parent__isnull=True).annotate(n=Count("suggestions")).order_by("-n").first()
    group = committees.committee_save(
        actor=staff,
        name="基准专业小组",
        kind="deputy_group",
        members=[member, supervisor],
        categories=[category] if category else [],
    )
    inspection = supervision.inspection_create(
        actor=staff,
        kind=InspectionKind.SITE_VISIT,
        held_on=timezone.localdate() - dt.timedelta(days=3),
        key_item=item,
        suggestion=held[20] if len(held) > 20 else None,
        findings="基准",
        report="基准",
    )
    supervision.campaign_save(
        actor=staff,
        name="基准督办周",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=6),
        key_items=[item],
    )
    return {"item": item, "group": group, "inspection": inspection, "held": held}


def cases(p: dict, f: dict) -> list[tuple[str, str]]:
    year = m.today().year
    deputy = p["deputy"]
    own = selectors.own_suggestion_ids(deputy)
    own_pk = (
        Suggestion.objects.filter(pk__in=own).exclude(status="draft").order_by("-pk").values_list("pk", flat=True)[0]
    )
    big_assignment = (
        Assignment.objects.filter(
            unit_id=p["big"]["pk"], role=AssignmentRole.LEAD, status="accepted", suggestion__status="handling"
        )
        .order_by("-pk")
        .values_list("pk", "suggestion_id")[0]
    )
    published = selectors.published_suggestions().order_by("-created_at", "-id").values_list("pk", flat=True)[0]
    item, group, inspection = f["item"].pk, f["group"].pk, f["inspection"].pk
    return [
        ("anonymous", "/public/"),
        ("anonymous", "/public/?page=500"),
        ("anonymous", f"/public/{published}/"),
        ("anonymous", "/public/report/"),
        ("anonymous", "/accounts/login/"),
        ("deputy", "/"),
        ("deputy", "/suggestions/"),
        ("deputy", "/suggestions/mine/"),
        ("deputy", f"/suggestions/{own_pk}/"),
        ("deputy", "/suggestions/new/"),
        # The co-signer search of the form (JSON): many matches (the first 20 by name), and few.
        ("deputy", "/suggestions/deputies/?q=代表"),
        ("deputy", "/suggestions/deputies/?q=代表0833"),
        ("deputy", f"/deputies/{deputy.pk}/record/"),
        ("deputy", "/supervision/mine/"),
        ("deputy", "/supervision/inspections/"),
        ("deputy", "/supervision/committees/"),
        ("deputy", "/handling/consultations/"),
        ("deputy", "/notifications/"),
        ("deputy", "/notifications/preferences/"),
        ("deputy", f"/public/{published}/"),
        ("committee member", "/"),
        ("committee member", "/suggestions/"),
        ("committee member", "/supervision/committees/"),
        ("committee member", f"/supervision/committees/{group}/"),
        ("unit handler (largest)", "/"),
        ("unit handler (largest)", "/inbox/"),
        *[("unit handler (largest)", f"/inbox/?tab={tab}") for tab in ("handling", "due_soon", "overdue", "replied")],
        ("unit handler (largest)", "/inbox/?tab=replied&page=200"),
        ("unit handler (largest)", "/suggestions/"),
        ("unit handler (largest)", f"/suggestions/{big_assignment[1]}/"),
        ("unit handler (largest)", f"/handling/assignments/{big_assignment[0]}/plan/"),
        ("unit handler (largest)", "/supervision/unit/"),
        ("unit handler (largest)", "/supervision/inspections/"),
        ("unit handler (largest)", "/handling/consultations/"),
        ("unit handler (largest)", "/notifications/"),
        ("unit head (largest)", "/"),
        ("unit head (largest)", "/inbox/?tab=awaiting_signoff"),
        ("unit handler (median)", "/"),
        ("unit handler (median)", "/inbox/"),
        ("unit handler (median)", "/suggestions/"),
        ("staff", "/"),
        ("staff", "/suggestions/"),
        ("staff", "/suggestions/?page=2000"),
        ("staff", "/suggestions/?status=handling"),
        ("staff", f"/suggestions/{big_assignment[1]}/"),
        ("staff", f"/suggestions/{big_assignment[1]}/assign/"),
        ("staff", "/intake/"),
        ("staff", "/requests/"),
        ("staff", f"/dashboards/?year={year}"),
        ("staff", f"/dashboards/units/?year={year}"),
        ("staff", f"/dashboards/units/{p['big']['pk']}/?year={year}"),
        ("staff", f"/dashboards/categories/?year={year}"),
        ("staff", f"/dashboards/key-items/?year={year}"),
        ("staff", f"/dashboards/assessment/?year={year}"),
        ("staff", f"/dashboards/report/?year={year}"),
        ("staff", f"/dashboards/drill/?metric=registered&year={year}"),
        ("staff", "/dashboards/settings/"),
        ("staff", "/dashboards/snapshots/"),
        ("staff", "/dashboards/report/publish/"),
        ("staff", "/supervision/"),
        ("staff", f"/supervision/key-items/{item}/"),
        ("staff", f"/supervision/suggestions/{big_assignment[1]}/"),
        ("staff", "/supervision/inspections/"),
        ("staff", f"/supervision/inspections/{inspection}/"),
        ("staff", "/supervision/campaigns/"),
        ("staff", "/supervision/committees/"),
        ("staff", f"/supervision/committees/{group}/"),
        ("staff", "/deputies/"),
        ("staff", f"/deputies/{deputy.pk}/record/"),
        ("staff", "/text/chronic/"),
        ("staff", "/text/routing-accuracy/"),
        ("staff", "/notifications/deliveries/"),
        ("staff", "/audit/"),
        ("staff", "/audit/lockouts/"),
        ("supervisor", "/"),
        ("supervisor", "/suggestions/"),
        ("supervisor", "/supervision/"),
        ("supervisor", f"/supervision/key-items/{item}/"),
        ("supervisor", f"/dashboards/?year={year}"),
        ("supervisor", "/supervision/campaigns/"),
        ("supervisor", "/text/chronic/"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", default="", help="measure only URLs containing this")
    parser.add_argument("--skip", action="append", default=[], help="leave out URLs containing this")
    parser.add_argument("--who", default="", help="measure only the roles whose name contains this")
    parser.add_argument("--match", default="", help="measure only URLs matching this regular expression (whole URL)")
    parser.add_argument("--slowest", action="store_true", help="print each page's slowest SQL statement")
    parser.add_argument("--explain", action="store_true", help="and EXPLAIN ANALYZE it")
    parser.add_argument("--queries", action="store_true", help="print every SQL statement of the measured request")
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="leave the start-up objects to the cycle collector (gunicorn's config freezes them in the master)",
    )
    parser.add_argument(
        "--profile", type=int, default=0, help="print the N costliest functions (cProfile) of one more request"
    )
    args = parser.parse_args()
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = True  # the query log (times) for --slowest

    total = Suggestion.objects.count()
    with open("/proc/loadavg") as load:
        print(f"load average at start: {load.read().split()[0]}")
    # Signing in must not write to the shared users' rows: the transaction below would hold the
    # row lock on `last_login` until the end and block anyone else signing the same user in.
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    try:
        with transaction.atomic():
            p = pick_people()
            print(
                f"{total:,} suggestions; largest unit {p['big']['n']:,} assignments, median unit {p['mid']['n']:,}; "
                f"deputy {p['deputy'].username} ({selectors.own_suggestion_ids(p['deputy']).count()} own)"
            )
            f = make_fixture(p)
            clients: dict[str, Client] = {"anonymous": Client()}
            for who, key in [
                ("staff", "staff"),
                ("deputy", "deputy"),
                ("committee member", "member"),
                ("unit handler (largest)", "big_handler"),
                ("unit head (largest)", "big_head"),
                ("unit handler (median)", "mid_handler"),
                ("supervisor", "supervisor"),
            ]:
                clients[who] = Client()
                clients[who].force_login(p[key])
            if not args.no_gc_freeze:
                # As config/gunicorn.py does after preloading: what start-up loaded (Django, the URLconf's
                # modules, the segmenter) is never collected, so collections walk only what requests make.
                request(clients["anonymous"], "/public/?q=排涝")  # loads the segmenter, as the master does
                gc.freeze()
            todo = [
                (who, url)
                for who, url in cases(p, f)
                if args.only in url
                and args.who in who
                and not any(skip in url for skip in args.skip)
                and (not args.match or re.fullmatch(args.match, url))
            ]
            print("\n| page | who | median | p90 | queries | SQL time |")
            print("|---|---|---:|---:|---:|---:|")
            for who, url in todo:
                client = clients[who]
                request(client, url)
                warm = request(client, url)[0]
                # A page taking seconds when warm is timed once more only (the figure is what matters there).
                times = sorted(request(client, url)[0] for _ in range(args.rounds if warm < 2 else 1))
                with CaptureQueriesContext(connection) as queries:
                    _elapsed, status = request(client, url)
                p90 = times[max(0, round(len(times) * 0.9) - 1)]
                note = " (302)" if status == 302 else ""
                sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
                print(
                    f"| `{url}`{note} | {who} | {statistics.median(times) * 1000:.1f} ms | {p90 * 1000:.1f} ms "
                    f"| {len(queries)} | {sql_ms:.0f} ms |",
                    flush=True,
                )
                if args.queries:
                    for q in queries.captured_queries:
                        print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:300]}", flush=True)
                if args.profile:
                    profiler = cProfile.Profile()
                    profiler.runcall(request, client, url)
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats(
                        os.environ.get("BENCH_PROFILE_SORT", "tottime")
                    ).print_stats(args.profile)
                    print("\n".join("    " + line for line in out.getvalue().splitlines()[6:]), flush=True)
                if args.slowest and queries.captured_queries:
                    slow = max(queries.captured_queries, key=lambda q: float(q["time"]))
                    sql = slow["sql"]
                    print(
                        f"    slowest {float(slow['time']) * 1000:.1f} ms: {sql[sql.find(' FROM ') :][:400]}",
                        flush=True,
                    )
                    if args.explain:
                        with connection.cursor() as cursor:
                            cursor.execute("EXPLAIN ANALYZE " + sql)
                            print("\n".join("      " + line for (line,) in cursor.fetchall()), flush=True)
            raise Rollback
    except Rollback:
        pass
    with open("/proc/loadavg") as load:
        print(f"\nload average at end: {load.read().split()[0]}")


if __name__ == "__main__":
    main()
