"""Benchmark: the reminder sweep over 100,000 open deadlines of which 20,000 have a stage due today.

Usage (needs PostgreSQL; creates and drops its own database `h_reminders_bench`):

    .venv/bin/python bench/reminders.py [--deadlines 100000] [--due 20000] [--batch 500 1000] [--write-docs]

For each batch size it resets the data, then runs `notifications.services.reminders_sweep_batch`
until nothing is due, timing every batch and counting its queries. It checks that exactly one
reminder per due deadline was recorded (and one e-mail outbox row each) before reporting.
With --write-docs it replaces the reminders section of docs/benchmarks.md in place.
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("BENCH_DB", "h_reminders_bench")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{SERVER}/{BENCH_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("LOG_LEVEL", "WARNING")

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- reminders:start -->", "<!-- reminders:end -->"


def recreate_database() -> None:
    import psycopg2

    conn = psycopg2.connect(f"{SERVER}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        cur.execute(f"CREATE DATABASE {BENCH_DB}")
    conn.close()


def drop_database() -> None:
    import psycopg2

    conn = psycopg2.connect(f"{SERVER}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=20_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--batch", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]

    recreate_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)

    from accounts.models import DeputyProfile, Role, Unit, User
    from notifications import services
    from notifications.models import Delivery, Notification
    from notifications.stages import stage_due
    from suggestions.models import CongressSession, Deadline, DeadlineKind, Party, Suggestion, SuggestionStatus
    from suggestions.workdays import Calendar

    today = timezone.localdate()
    cal = Calendar.load(today - dt.timedelta(days=120), today + dt.timedelta(days=120))
    # Due dates whose current stage reaches exactly one person (handler): due soon, due today, < 7 days overdue.
    firing = []
    for k in range(-6, 12):
        due = today + dt.timedelta(days=k)
        stage, _n = stage_due(cal, due=due, starts_on=today - dt.timedelta(days=90), today=today)
        if stage is not None and stage.days_overdue < 7:
            firing.append(due)

    t0 = time.perf_counter()
    units = Unit.objects.bulk_create(
        [Unit(name=f"单位{i:04d}", code=f"B{i:04d}") for i in range(args.units)], batch_size=1000
    )
    User.objects.bulk_create(
        [
            User(username=f"h{u.code}", role=Role.UNIT_HANDLER, unit=u, email=f"h{u.code}@bench.example", password="!")
            for u in units
        ]
        + [User(username=f"head{u.code}", role=Role.UNIT_HEAD, unit=u, password="!") for u in units],
        batch_size=2000,
    )
    deputy = User.objects.create(username="deputy", role=Role.DEPUTY, password="!")
    DeputyProfile.objects.create(user=deputy)
    session = CongressSession.objects.create(term=16, number=4, year=today.year)
    suggestions = Suggestion.objects.bulk_create(
        [
            Suggestion(
                title=f"关于第{i}项民生工程的建议",
                body="…",
                session=session,
                lead_deputy=deputy,
                status=SuggestionStatus.HANDLING,
                number=i + 1,
            )
            for i in range(1000)
        ],
        batch_size=1000,
    )

    def deadline(i: int, due_now: bool) -> Deadline:
        if due_now:
            due, next_on = firing[i % len(firing)], today - dt.timedelta(days=i % 3)
        else:
            due = today + dt.timedelta(days=30 + i % 150)
            next_on = today + dt.timedelta(days=1 + i % 29)
        return Deadline(
            kind=DeadlineKind.REPLY, party=Party.UNIT, unit=units[i % len(units)],
            suggestion=suggestions[i % len(suggestions)], starts_on=today - dt.timedelta(days=90), due_date=due,
            original_due_date=due, next_reminder_on=next_on,
        )  # fmt: skip

    Deadline.objects.bulk_create(
        [deadline(i, i < args.due) for i in range(args.deadlines)],
        batch_size=5000,
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    setup_seconds = time.perf_counter() - t0
    print(f"setup: {args.deadlines} deadlines ({args.due} due), {args.units} units in {setup_seconds:.1f} s")

    # Nothing due: every open deadline's next stage lies in the future. The sweep must find that
    # from the partial index alone, whatever the number of open deadlines.
    due_ids = list(Deadline.objects.filter(next_reminder_on__lte=today).values_list("pk", flat=True))
    Deadline.objects.filter(pk__in=due_ids).update(next_reminder_on=today + dt.timedelta(days=1))
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE suggestions_deadline")
    idle = []
    for _ in range(5):
        t = time.perf_counter()
        result = services.reminders_sweep(batch_size=args.batch[0])
        idle.append(time.perf_counter() - t)
        assert result.deadlines == []
    args.idle_ms = statistics.median(idle) * 1000
    print(f"nothing due among {args.deadlines} open deadlines: sweep in {args.idle_ms:.1f} ms (median of 5)")
    Deadline.objects.filter(pk__in=due_ids).update(next_reminder_on=today)

    rows = []
    for batch in args.batch:
        Notification.objects.all().delete()
        Delivery.objects.all().delete()
        Deadline.objects.filter(pk__in=Deadline.objects.order_by("id").values("id")[: args.due]).update(
            next_reminder_on=today - dt.timedelta(days=1)
        )
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE suggestions_deadline")
        per_batch_queries, per_batch_seconds, handled = [], [], 0
        started = time.perf_counter()
        while True:
            reset_queries()  # DEBUG keeps at most 9,000 queries; start each batch's count from empty
            t = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                done = services.reminders_sweep_batch(batch_size=batch)
            if not done:
                break
            per_batch_seconds.append(time.perf_counter() - t)
            per_batch_queries.append(len(ctx.captured_queries))
            handled += len(done)
        total = time.perf_counter() - started
        recorded = Notification.objects.count()
        outbox = Delivery.objects.count()
        assert handled == args.due, (handled, args.due)
        assert recorded == args.due, f"expected one reminder per due deadline, got {recorded}"
        assert outbox == args.due, f"expected one e-mail outbox row per reminder, got {outbox}"
        rerun = services.reminders_sweep(batch_size=batch)
        assert rerun.deadlines == [] and Notification.objects.count() == recorded  # nothing twice

        t = time.perf_counter()
        sent = services.deliveries_send(limit=2000)
        send_rate = sent / (time.perf_counter() - t)
        row = {
            "batch": batch,
            "batches": len(per_batch_queries),
            "seconds": total,
            "rate": recorded / total,
            "queries": sorted(set(per_batch_queries)),
            "median_batch_ms": statistics.median(per_batch_seconds) * 1000,
            "send_rate": send_rate,
        }
        rows.append(row)
        print(
            f"batch {batch}: {recorded} reminders in {total:.2f} s = {row['rate']:.0f}/s; "
            f"{row['batches']} batches, queries per batch {row['queries']}, "
            f"median batch {row['median_batch_ms']:.0f} ms; outbox sending {send_rate:.0f} e-mails/s"
        )

    if args.write_docs:
        write_docs(args, rows, setup_seconds)
    if not args.keep:
        connection.close()
        drop_database()


def write_docs(args, rows, setup_seconds) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    lines = [
        START,
        "## Reminders: the sweep (`bench/reminders.py`)",
        "",
        f"Run on {dt.date.today().isoformat()}: {args.deadlines:,} open deadlines, of which {args.due:,} have a reminder "
        f"stage due today (each reaches one handler, who has an e-mail address); {args.units} units; "
        f"PostgreSQL {pg}, Python {platform.python_version()}, {os.cpu_count()} CPU cores, "
        f"load average {args.load_before:.1f} when the benchmark started.",
        "",
        "| deadlines per batch | batches | sweep time | reminders recorded per second | queries per batch (incl. BEGIN/COMMIT) | "
        "median batch | outbox sending (locmem e-mail, first 2,000) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        queries = ", ".join(str(q) for q in r["queries"])
        lines.append(
            f"| {r['batch']:,} | {r['batches']} | {r['seconds']:.1f} s | {r['rate']:,.0f} | {queries} | "
            f"{r['median_batch_ms']:.0f} ms | {r['send_rate']:,.0f} per second |"
        )
    lines += [
        "",
        f"With nothing due among the {args.deadlines:,} open deadlines a sweep takes {args.idle_ms:.1f} ms "
        "(median of 5): one probe of the partial index on `next_reminder_on`.",
        "",
        "Each batch is one transaction with a fixed number of queries whatever its size (pinned by "
        "`notifications/tests/test_sweep.py::test_queries_per_batch_do_not_grow_with_the_batch`): claim the due "
        "deadlines (`SELECT … FOR UPDATE SKIP LOCKED` on the partial index of open rows), load the holiday "
        "overrides for the window once, load the units' users, bulk-insert the notifications with "
        "`ON CONFLICT DO NOTHING` on the (deadline, due date, stage, recipient) constraint, read them back, "
        "load the recipients' preferences, bulk-insert the outbox rows (again `ON CONFLICT DO NOTHING`), and "
        "advance `next_reminder_on` with one `UPDATE … FROM (VALUES …)`. The deadlines not due are never read. "
        "The benchmark checks that exactly one reminder and one outbox row per due deadline were recorded and "
        "that a second sweep adds nothing. Sending is one transaction per message (the row stays locked while "
        "it is sent), so its rate is bounded by the channel, not the database.",
        "",
        f"Reproduce: `.venv/bin/python bench/reminders.py --deadlines {args.deadlines} --due {args.due} "
        f"--batch {' '.join(str(b) for b in args.batch)} --write-docs` (setup took {setup_seconds:.0f} s).",
        END,
    ]
    section = "\n".join(lines)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
