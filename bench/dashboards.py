"""Benchmark: the units dashboard against one hand-written SQL aggregate over the same rows.

Usage (on a database filled by `manage.py generate_data --suggestions 1000000 --units 300`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_dashboards_bench .venv/bin/python bench/dashboards.py

It measures, in one run and on the same warm database:
- `sql`:   one hand-written SQL statement computing every per-unit figure of the units table;
- `table`: the units table's data as the page builds it (`selectors.units_table`, all its queries);
- `page`:  the whole `/dashboards/units/?year=` request through Django's test client (auth,
           queries, 300-row template, flags), the thing a user waits for;
- `api`:   `/api/v1/stats/units/?year=&page_size=200`;
- `delivery`: the one GROUP BY the delivery rate (落实率) adds to a live units table (commitments).
It checks that the hand-written SQL and the dashboard agree on every number before timing.
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")  # plain HTTP test client, no SECRET_KEY needed

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from dashboards import metrics as m  # noqa: E402
from dashboards import selectors  # noqa: E402

HAND_SQL = """
WITH lead AS (
    SELECT a.id, a.unit_id, a.due_date, a.original_due_date,
           s.status AS s_status, s.round AS s_round, s.no_evaluation,
           COALESCE(r1.released_at, rc.released_at) AS first_release,
           rc.result_class AS current_class,
           e1.result AS result_first,
           COALESCE(ec.result, ep.result) AS result_final
    FROM suggestions_assignment a
    JOIN suggestions_suggestion s ON s.id = a.suggestion_id
    JOIN suggestions_congresssession cs ON cs.id = s.session_id
    LEFT JOIN suggestions_reply r1 ON r1.assignment_id = a.id AND r1.round = 1 AND r1.released_at IS NOT NULL
    LEFT JOIN suggestions_reply rc ON rc.assignment_id = a.id AND rc.status = 'released'
    LEFT JOIN suggestions_evaluation e1 ON e1.suggestion_id = s.id AND e1.is_lead AND e1.round = 1
    LEFT JOIN suggestions_evaluation ec ON ec.suggestion_id = s.id AND ec.is_lead AND ec.round = s.round
    LEFT JOIN suggestions_evaluation ep ON ep.suggestion_id = s.id AND ep.is_lead AND ep.round = s.round - 1
    WHERE a.role = 'lead' AND a.status <> 'returned' AND s.number IS NOT NULL
      AND s.status NOT IN ('withdrawn', 'merged', 'not_accepted') AND cs.year = %(year)s
), per_unit AS (
    SELECT unit_id,
        count(*) AS assigned,
        count(*) FILTER (WHERE first_release IS NOT NULL OR due_date < %(today)s) AS due,
        count(*) FILTER (WHERE first_release IS NOT NULL) AS replied,
        count(*) FILTER (WHERE (first_release AT TIME ZONE 'Asia/Shanghai')::date <= original_due_date)
            AS replied_on_time,
        count(*) FILTER (WHERE first_release IS NOT NULL AND EXISTS (
            SELECT 1 FROM suggestions_contact c WHERE c.assignment_id = lead.id
              AND c.phase IN ('before', 'during') AND c.contacted_at <= lead.first_release)) AS contacted,
        count(*) FILTER (WHERE first_release IS NOT NULL AND current_class = 'A') AS class_a,
        count(*) AS registered,
        count(*) FILTER (WHERE s_status = 'closed') AS closed,
        count(*) FILTER (WHERE s_status = 'closed' AND no_evaluation) AS closed_unrated,
        count(*) FILTER (WHERE first_release IS NOT NULL AND result_first IS NOT NULL AND NOT no_evaluation)
            AS replied_rated,
        count(*) FILTER (WHERE result_first IS NOT NULL AND NOT no_evaluation) AS rated_first,
        count(*) FILTER (WHERE result_first IN ('satisfied', 'basically_satisfied') AND NOT no_evaluation)
            AS satisfied_first,
        count(*) FILTER (WHERE result_final IS NOT NULL AND NOT no_evaluation) AS rated_final,
        count(*) FILTER (WHERE result_final IN ('satisfied', 'basically_satisfied') AND NOT no_evaluation)
            AS satisfied_final,
        count(*) FILTER (WHERE s_round >= 2 OR s_status = 'rehandling') AS rehandled
    FROM lead GROUP BY unit_id
), commitments AS (
    -- 落实: each commitment of a live lead assignment once, by its latest confirmation.
    SELECT lead.unit_id,
        count(*) FILTER (
            WHERE c.target_date <= %(today)s OR c.fulfilled_at IS NOT NULL OR c.delivery IN ('delivered', 'not_delivered')
        ) AS commitments_due,
        count(*) FILTER (WHERE c.delivery IN ('delivered', 'not_delivered')) AS delivery_confirmed,
        count(*) FILTER (WHERE c.delivery = 'delivered') AS delivered
    FROM suggestions_commitment c
    JOIN suggestions_reply r ON r.id = c.reply_id
    JOIN lead ON lead.id = r.assignment_id
    GROUP BY lead.unit_id
), deadlines AS (
    SELECT d.unit_id,
        count(*) FILTER (WHERE d.due_date < %(today)s) AS overdue,
        count(*) FILTER (WHERE d.due_date BETWEEN %(today)s AND %(soon)s) AS due_soon
    FROM suggestions_deadline d
    JOIN suggestions_suggestion s ON s.id = d.suggestion_id
    JOIN suggestions_congresssession cs ON cs.id = s.session_id
    WHERE d.kind IN ('reply', 'rehandling_reply') AND d.satisfied_at IS NULL AND d.cancelled_at IS NULL
      AND s.number IS NOT NULL AND s.status NOT IN ('withdrawn', 'merged', 'not_accepted') AND cs.year = %(year)s
    GROUP BY d.unit_id
), co AS (
    SELECT a.unit_id, count(*) AS co_assigned
    FROM suggestions_assignment a
    JOIN suggestions_suggestion s ON s.id = a.suggestion_id
    JOIN suggestions_congresssession cs ON cs.id = s.session_id
    WHERE a.role = 'co' AND a.status <> 'returned' AND s.number IS NOT NULL
      AND s.status NOT IN ('withdrawn', 'merged', 'not_accepted') AND cs.year = %(year)s
    GROUP BY a.unit_id
)
SELECT u.id, u.code, u.name, p.*, cm.commitments_due, cm.delivery_confirmed, cm.delivered, d.overdue, d.due_soon, co.co_assigned
FROM per_unit p
LEFT JOIN commitments cm ON cm.unit_id = p.unit_id
FULL JOIN deadlines d ON d.unit_id = p.unit_id
FULL JOIN co ON co.unit_id = COALESCE(p.unit_id, d.unit_id)
JOIN accounts_unit u ON u.id = COALESCE(p.unit_id, d.unit_id, co.unit_id)
ORDER BY u.code
"""


def hand_sql(period: m.Period) -> list[dict]:
    params = {"year": period.year, "today": period.today, "soon": period.today + dt.timedelta(days=m.DUE_SOON_DAYS)}
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, params)
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def timed(fn, repeat: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", type=int, default=None, help="default: the year with the most suggestions")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()  # lets the test client use "testserver"

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM suggestions_suggestion")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM accounts_unit")
        units = cursor.fetchone()[0]
        if args.year is None:
            cursor.execute(
                "SELECT cs.year FROM suggestions_suggestion s JOIN suggestions_congresssession cs"
                " ON cs.id = s.session_id GROUP BY cs.year ORDER BY count(*) DESC, cs.year DESC LIMIT 1"
            )
            args.year = cursor.fetchone()[0]
    period = m.Period(year=args.year)
    settings = selectors.dashboard_settings()

    # Same numbers first: otherwise the comparison would mean nothing.
    table = {r["key"]: r for r in selectors.units_table(period, settings)}
    hand = {r["id"]: r for r in hand_sql(period)}
    assert set(table) == set(hand), "different units"
    for key, row in hand.items():
        for name in [*m.COUNTS, "co_assigned"]:
            assert (row[name] or 0) == table[key][name], (key, name, row[name], table[key][name])
    rows_in_year = sum(r["assigned"] for r in table.values())

    staff, _ = User.objects.get_or_create(username="bench_staff", defaults={"role": Role.STAFF})
    client = Client()
    client.force_login(staff)

    def page():
        response = client.get("/dashboards/units/", {"year": args.year})
        assert response.status_code == 200

    def api():
        response = client.get("/api/v1/stats/units/", {"year": args.year, "page_size": 200})
        assert response.status_code == 200

    for fn in (lambda: hand_sql(period), page):  # warm the caches once
        fn()
    sql_t, sql_runs = timed(lambda: hand_sql(period), args.repeat)
    table_t, _ = timed(lambda: selectors.units_table(period, settings), args.repeat)
    page_t, page_runs = timed(page, args.repeat)
    api_t, _ = timed(api, args.repeat)

    def delivery():
        facts = m.commitment_facts(period).filter(reply__assignment__unit__isnull=False)
        aggregates = m._aggregates(m.COMMITMENT_COUNTS, period, m.suggestion_prefix(m.COMMITMENT))
        return list(facts.values("reply__assignment__unit").annotate(**aggregates).order_by())

    delivery_t, _ = timed(delivery, args.repeat)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE delivery <> '') FROM suggestions_commitment")
        commitments, confirmed = cursor.fetchone()

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(
        f"suggestions: {total}, units: {units}, year {args.year}: {rows_in_year} lead assignments in {len(table)} units"
    )
    print(f"commitments: {commitments}, of which confirmed: {confirmed}")
    print(f"runs per measure: {args.repeat} (median shown)")
    print("| measure | median (s) | ratio to hand-written SQL |")
    print("|---|---|---|")
    print(f"| hand-written SQL aggregate | {sql_t:.3f} | 1.00 |")
    print(f"| units table data (`selectors.units_table`) | {table_t:.3f} | {table_t / sql_t:.2f} |")
    print(f"| units page `/dashboards/units/?year={args.year}` | {page_t:.3f} | {page_t / sql_t:.2f} |")
    print(f"| API `stats/units/?year={args.year}&page_size=200` | {api_t:.3f} | {api_t / sql_t:.2f} |")
    print(
        f"| the commitments GROUP BY alone (落实, part of the table data) | {delivery_t:.3f} | {delivery_t / sql_t:.2f} |"
    )
    print(f"sql runs: {[round(x, 3) for x in sql_runs]}; page runs: {[round(x, 3) for x in page_runs]}")


if __name__ == "__main__":
    main()
