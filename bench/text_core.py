"""The search itself, both ways in one run (issue 14): the bounded window of the newest matches
against ranking every match, for a few words, without the HTTP layer (what the views call:
`suggestions_search`, the capped count and one page through `common.pagination`).

    DATABASE_URL=… .venv/bin/python bench/text_core.py 群众 台山 "低保 台山"   # ROLE=deputy for a deputy

Prints the number of matches of each query, the medians of three runs each way and the ratio,
and the load average before and after. Not part of `make test`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402
from common.pagination import capped_count, page_rows  # noqa: E402
from common.text.segment import query_terms, tokenizer  # noqa: E402
from suggestions import search, selectors  # noqa: E402


def run(words: str, user) -> float:
    started = time.perf_counter()
    queryset = search.suggestions_search(selectors.suggestion_list(user), user=user, text=words)
    capped_count(queryset)
    list(page_rows(queryset, 0, 21))
    return (time.perf_counter() - started) * 1000


def main() -> None:
    tokenizer()
    print("load average", Path("/proc/loadavg").read_text().split()[:3])
    user = User.objects.filter(role=os.environ.get("ROLE", "staff")).order_by("pk").first()
    window = search.SEARCH_WINDOW
    for words in sys.argv[1:]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM suggestions_searchdocument WHERE vector @@ plainto_tsquery('simple', %s)",
                [" ".join(query_terms(words)[0])],
            )
            matches = cursor.fetchone()[0]
        medians = {}
        for mode, size in (("window", window), ("all", None)):
            search.SEARCH_WINDOW = size
            run(words, user)  # warm
            medians[mode] = statistics.median(run(words, user) for _ in range(3))
        search.SEARCH_WINDOW = window
        print(
            f"{words}: {matches} matches; window {medians['window']:.0f} ms, every match ranked "
            f"{medians['all']:.0f} ms, ratio {medians['all'] / medians['window']:.1f}x"
        )
    print("load average", Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
