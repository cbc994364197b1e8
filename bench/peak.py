"""The session peak load test's two Django-side steps (issue 13); `bench/peak.sh` runs the whole thing.

    .venv/bin/python bench/peak.py setup  --out DIR [--deputies 1000] [--units 30] [--staff 5]
    .venv/bin/python bench/peak.py report --out DIR [--write-docs] [...run facts]

`setup` fills the (fresh, migrated) database named by DATABASE_URL: one open congress session, a few
categories, the units each with one handler and one head, the staff and the deputies, and an API token
for every one of them, written to DIR/people.json for the locustfile. Tokens are made here, not
through POST /api/v1/auth/token/: that endpoint is throttled per address (TOKEN_THROTTLE_RATE,
20/min by default) and 1,000 deputies behind one load generator's address would trip it; real deputies
log in from their own addresses, so the throttle stays as it is.

`report` reads locust's CSV statistics (DIR/peak_stats.csv), checks the database (how many
suggestions were submitted, accepted, assigned, replied; no 5xx in gunicorn's log) and prints the
table; with --write-docs it replaces the `peak` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- peak:start -->", "<!-- peak:end -->"


def setup(args) -> None:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import DeputyProfile, Role, Unit, User
    from suggestions.models import Category, CongressSession

    today = timezone.localdate()
    password = make_password(None)  # unusable: the load test uses tokens only
    with transaction.atomic():
        session = CongressSession.objects.create(
            term=16, number=5, year=today.year, start_date=today, end_date=today + dt.timedelta(days=5)
        )
        categories = Category.objects.bulk_create([Category(name=n) for n in ("城乡建设", "教育", "医疗卫生", "交通")])
        units = Unit.objects.bulk_create([Unit(name=f"压测单位{i:03d}", code=f"P{i:03d}") for i in range(args.units)])
        users = []
        for u in units:
            users.append(User(username=f"handler{u.code}", role=Role.UNIT_HANDLER, unit=u, password=password))
            users.append(User(username=f"head{u.code}", role=Role.UNIT_HEAD, unit=u, password=password))
        users += [User(username=f"staff{i:02d}", role=Role.STAFF, password=password) for i in range(args.staff)]
        users += [
            User(username=f"deputy{i:04d}", role=Role.DEPUTY, full_name=f"代表{i:04d}", password=password)
            for i in range(args.deputies)
        ]
        users = User.objects.bulk_create(users, batch_size=1000)
        DeputyProfile.objects.bulk_create(
            [DeputyProfile(user=u, delegation="压测代表团", term=16) for u in users if u.role == Role.DEPUTY]
        )
        tokens = Token.objects.bulk_create([Token(key=Token.generate_key(), user=u) for u in users], batch_size=1000)
    by_user = {t.user_id: t.key for t in tokens}
    people = {
        "session": session.pk,
        "categories": [c.pk for c in categories],
        "units": [u.pk for u in units],
        "handlers": [{"token": by_user[u.pk], "unit": u.unit_id} for u in users if u.role == Role.UNIT_HANDLER],
        "heads": [{"token": by_user[u.pk], "unit": u.unit_id} for u in users if u.role == Role.UNIT_HEAD],
        "staff": [by_user[u.pk] for u in users if u.role == Role.STAFF],
        "deputies": [by_user[u.pk] for u in users if u.role == Role.DEPUTY],
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "people.json").write_text(json.dumps(people), encoding="utf-8")
    print(
        f"setup: {args.deputies} deputies, {args.units} units (handler + head each), {args.staff} staff, "
        f"{len(tokens)} tokens → {out / 'people.json'}"
    )


def _stats(out: Path) -> list[dict[str, str]]:
    with (out / "peak_stats.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def report(args) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from suggestions.models import Assignment, Reply, Suggestion

    out = Path(args.out)
    rows = _stats(out)
    by_status = dict(Suggestion.objects.values_list("status").annotate(n=Count("id")).order_by())
    drafted = sum(by_status.values())
    assigned = Assignment.objects.count()
    signed = Assignment.objects.exclude(status="pending").count()
    replied = Reply.objects.filter(status="released").count()
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM notifications_notification")
        notified = cur.fetchone()[0]
        cur.execute("SELECT status, count(*) FROM notifications_delivery GROUP BY status ORDER BY status")
        deliveries = ", ".join(f"{s} {n}" for s, n in cur.fetchall()) or "none"
    server_errors = 0
    log = out / "server.log"
    if log.exists():
        server_errors = sum(
            1 for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if "Traceback" in line
        )
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    endpoints = [r for r in rows if r["Name"] != "Aggregated"]
    errors = int(total["Failure Count"]) if total else -1

    lines = [
        START,
        "## The session peak under locust (`bench/peak.sh`, issue 13)",
        "",
        f"Run on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC for {args.duration}: {args.deputies:,} deputies "
        f"(spawned at {args.spawn_rate}/s) each draft a suggestion, edit it, look at their list and submit it, "
        f"then come back every 2–5 minutes to read it (and half the time their notifications); {args.staff} staff accept (立案) and assign (交办) what is "
        f"submitted; {args.units} units, each with a handler who signs (签收), logs a contact and drafts the "
        "reply and a head who signs it off (签发). REST API with tokens, gunicorn "
        f"({args.workers} sync workers, production settings: DEBUG off), a Celery worker on Redis, "
        f"PostgreSQL {pg}, all on one machine with {os.cpu_count()} CPU cores shared with other work and with "
        "locust itself: load average "
        f"{args.load_before} before the run and {args.load_after} at its end (1, 5, 15 min).",
        "",
        f"**Errors: {errors}** (locust failures: any non-2xx answer or a broken connection), "
        f"{server_errors} tracebacks in gunicorn's log. In the database afterwards: {drafted:,} suggestions "
        f"drafted ({', '.join(f'{k} {v:,}' for k, v in sorted(by_status.items()))}); {assigned:,} assignments, "
        f"{signed:,} signed, {replied:,} replies released; {notified:,} notifications; outbox: {deliveries}.",
        "",
        "| endpoint | requests | failures | median | 95th percentile | 99th percentile | max | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(endpoints, key=lambda r: (r["Name"], r["Type"])):
        lines.append(
            f"| `{r['Type']} {r['Name']}` | {int(r['Request Count']):,} | {int(r['Failure Count']):,} | "
            f"{r['50%']} ms | {r['95%']} ms | {r['99%']} ms | {float(r['Max Response Time']):.0f} ms | "
            f"{float(r['Requests/s']):.2f} |"
        )
    if total:
        lines.append(
            f"| **all** | {int(total['Request Count']):,} | {int(total['Failure Count']):,} | {total['50%']} ms | "
            f"{total['95%']} ms | {total['99%']} ms | {float(total['Max Response Time']):.0f} ms | "
            f"{float(total['Requests/s']):.2f} |"
        )
    submitted = drafted - by_status.get("draft", 0)
    if total and submitted < args.deputies:
        lines += [
            "",
            f"**Not met: the offered load exceeded what this machine served.** Only {submitted:,} of "
            f"{args.deputies:,} suggestions were submitted within the run. The server answered "
            f"{float(total['Requests/s']):.1f} requests per second in all; with {args.workers} sync workers on "
            "2 shared cores every request beyond that waited in gunicorn's queue, so the medians above are "
            "mostly queueing time, not the time to serve a request. The run shows that nothing fails "
            "under overload (0 errors), not that the peak is met; that needs more cores than this shared "
            "machine gives, or less work per request.",
        ]
    lines += [
        "",
        "Reproduce (PostgreSQL and Redis running; creates and drops its own database `sugg_peak`):",
        "",
        "```sh",
        f"PEAK_DEPUTIES={args.deputies} PEAK_UNITS={args.units} PEAK_STAFF={args.staff} PEAK_DURATION={args.duration} "
        f"PEAK_WORKERS={args.workers} bench/peak.sh --write-docs",
        "PEAK_DEPUTIES=50 PEAK_DURATION=1m bench/peak.sh            # the one-minute smoke",
        "```",
        "",
        "Tokens are created in the setup step (`bench/peak.py setup`), not through `POST /api/v1/auth/token/`:",
        "that endpoint is throttled per client address (`TOKEN_THROTTLE_RATE`, 20/min) and every simulated "
        "deputy comes from the load generator's one address. The throttle is left as it is.",
        "Percentiles are locust's (rounded to two significant digits above 100 ms); the times include the "
        "wait in gunicorn's queue, so they grow with the load on the shared machine.",
        END,
    ]
    section = "\n".join(lines)
    print(section)
    if args.write_docs:
        text = DOC.read_text(encoding="utf-8")
        if START in text and END in text:
            before, rest = text.split(START, 1)
            text = before + section + rest.split(END, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC}")
    if errors != 0 or server_errors:
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["setup", "report"])
    parser.add_argument("--out", required=True)
    parser.add_argument("--deputies", type=int, default=1000)
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--staff", type=int, default=5)
    parser.add_argument("--duration", default="10m")
    parser.add_argument("--spawn-rate", default="5")
    parser.add_argument("--workers", default="4")
    parser.add_argument("--load-before", default="?")
    parser.add_argument("--load-after", default="?")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    setup(args) if args.step == "setup" else report(args)


if __name__ == "__main__":
    main()
