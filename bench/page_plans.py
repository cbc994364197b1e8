"""The plans of the pages' main reads (EXPLAIN ANALYZE), for docs/benchmarks.md "pages".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sugg_bench1m .venv/bin/python bench/page_plans.py

For the largest unit, the busiest deputy and the anonymous public list it prints each read's plan
(node, rows) and its execution time, so one can check that the cost follows the reader's own rows.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOW_INSECURE_SECRET", "true")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, Unit, User  # noqa: E402
from common.pagination import COUNT_LIMIT  # noqa: E402
from suggestions import selectors, worklists  # noqa: E402
from suggestions.models import Suggestion  # noqa: E402


def explain(label: str, queryset) -> None:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        lines = [line for (line,) in cursor.fetchall()]
    print(f"\n### {label}\n")
    print("\n".join("    " + line for line in lines if "->" in line or "Execution" in line or not line.startswith(" ")))


def main() -> None:
    today = timezone.localdate()
    big = Unit.objects.filter(code__startswith="GEN").annotate(n=Count("assignments")).order_by("-n").first()
    deputy = User.objects.get(
        pk=Suggestion.objects.values("lead_deputy")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_deputy")[0]["lead_deputy"]
    )
    with transaction.atomic():
        handler, _ = User.objects.update_or_create(
            username="bench_plans_handler", defaults={"role": Role.UNIT_HANDLER, "unit": big, "password": "!"}
        )
        for tab in ("to_sign", "handling", "overdue", "replied"):
            rows = worklists.inbox_rows(handler, tab, today)
            explain(f"inbox `{tab}`, largest unit, first page", rows.values("pk")[:20])
            explain(
                f"inbox `{tab}` count (capped at {COUNT_LIMIT})",
                rows.order_by().values("pk")[: COUNT_LIMIT + 1],
            )
        explain("deputy's own list, first page", worklists.suggestions_of_deputy(deputy).values("pk")[:20])
        published = selectors.published_suggestions()
        sessions = selectors.CongressSession.objects.order_by("-year", "-term", "-number")
        explain(
            "public list, newest session's part of page 1",
            published.filter(session=sessions[0]).order_by("number", "pk").values("pk")[:20],
        )
        explain("staff home counts", Suggestion.objects.filter(status__in=["submitted", "registered"]).values("pk"))
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
