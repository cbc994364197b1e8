"""Benchmark of the text features (issue 14): search, similar suggestions, routing, index build.

Usage, on a database filled by `manage.py generate_data --suggestions N --units 41`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sugg_text_bench .venv/bin/python bench/text.py --prepare

`--prepare` (once) gives the generated rows text to read: the generator writes one of a few
dozen template titles and the body "（生成数据）", which would make every search match a
twentieth of the table. It gives the generated units the duties of textanalysis/data/units.json
and rewrites each suggestion's title and body from its lead unit's duty phrases, a place name and
filler sentences (seeded), as one UPDATE per batch. Then it measures, in one run:
- `index`: `manage.py rebuild_search_index --full` over the whole table (a pool of jieba
  processes, COPY, GIN indexes built after the load);
- `search`: the API list `?search=` and the pages `?q=` as staff and as the deputy with the most
  suggestions, the public page and the open-data list anonymously, ranking the bounded window of
  newest matches (`SEARCH_WINDOW`); with `--compare` also ranking every match (the former way) in
  the same run, so the ratio is measured under the same load;
- `similar`: `POST /api/v1/suggestions/similar/` with a draft's title and body;
- `routing`: `train_router` once, then `POST /api/v1/routing/suggest/` per suggestion.
Medians over several queries, all through Django's test client (the whole request).
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# DEBUG off as in production (cached templates, no query log); the static manifest the pages'
# {% static %} tags need is collected into a scratch directory first (as bench/pages.py does).
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_ROOT", "/tmp/bench-text-static")
os.environ.setdefault("ALLOW_INSECURE_SECRET", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings as _settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

if not _settings.DEBUG:
    call_command("collectstatic", interactive=False, verbosity=0)

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import Role, Unit, User  # noqa: E402
from common.text.router import duty_clauses  # noqa: E402
from suggestions import search  # noqa: E402
from suggestions.models import Assignment, Suggestion  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PLACES = [
    "蓬江",
    "江海",
    "新会",
    "台山",
    "开平",
    "鹤山",
    "恩平",
    "南冲",
    "外海",
    "礼乐",
    "会城",
    "司前",
    "大泽",
    "睦洲",
    "崖门",
    "杜阮",
    "棠下",
    "荷塘",
    "都斛",
    "斗山",
    "端芬",
    "川岛",
    "赤坎",
    "水口",
    "沙坪",
    "古劳",
    "恩城",
    "君堂",
]
FILLER = [
    "群众反映强烈，多次向代表提出意见。",
    "该问题已存在多年，影响周边居民的正常生活。",
    "经实地调研，发现相关设施老化，管理不到位。",
    "建议相关部门加大投入，尽快研究解决。",
    "希望政府统筹安排资金，明确责任单位和完成时限。",
]
SEARCHES = [
    "南冲 电排站",
    "排涝",
    "低保 台山",
    "学位",
    "公交线路",
    "农村公路 开平",
    "老旧小区 加装电梯",
    "医保 异地就医",
]


def prepare(rng: random.Random) -> None:
    listed = json.loads((ROOT / "textanalysis/data/units.json").read_text(encoding="utf-8"))
    units = list(Unit.objects.order_by("pk"))
    clauses = {}
    for unit, spec in zip(units, listed * (len(units) // len(listed) + 1), strict=False):
        Unit.objects.filter(pk=unit.pk).update(duties=spec["duties"])
        clauses[unit.pk] = [c for c in duty_clauses(spec["duties"]) if 4 <= len(c) <= 30] or [spec["name"]]
    lead = dict(Assignment.objects.filter(role="lead").values_list("suggestion_id", "unit_id"))
    ids = list(Suggestion.objects.order_by("pk").values_list("pk", flat=True))
    fallback = list(clauses)
    started = time.perf_counter()
    for start in range(0, len(ids), 5000):
        batch = ids[start : start + 5000]
        titles, bodies = [], []
        for pk in batch:
            own = clauses[lead.get(pk) or rng.choice(fallback)]
            place = rng.choice(PLACES)
            titles.append(f"关于{place}{rng.choice(own)[:24]}的建议")
            picks = rng.sample(own, k=min(3, len(own)))
            bodies.append(
                f"{place}{picks[0]}方面存在问题。"
                + "".join(rng.sample(FILLER, 2))
                + "建议：一、"
                + "；二、".join(picks)
                + "。"
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE suggestions_suggestion s SET title = x.t, body = x.b "
                "FROM unnest(%s::int[], %s::text[], %s::text[]) AS x(id, t, b) WHERE s.id = x.id",
                [batch, titles, bodies],
            )
    print(f"prepared {len(ids)} suggestions in {time.perf_counter() - started:.1f} s")


def _load_search(path: str):
    """Another version of `suggestions/search.py` as a module of the `suggestions` package, for a
    comparison in the same run (its receivers share the current module's `dispatch_uid`s)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("suggestions.search_against", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name: str, samples: list[float]) -> None:
    print(
        f"{name:<28} median {statistics.median(samples):7.1f} ms   p90 {sorted(samples)[int(len(samples) * 0.9) - 1]:7.1f} ms"
        f"   n={len(samples)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", action="store_true", help="give the generated rows text first")
    parser.add_argument("--skip-index", action="store_true", help="do not rebuild the search index")
    parser.add_argument("--skip-search", action="store_true", help="do not measure search")
    parser.add_argument("--window", type=int, default=0, help="SEARCH_WINDOW to measure (default: the code's)")
    parser.add_argument("--skip-similar", action="store_true", help="do not measure similar suggestions")
    parser.add_argument("--skip-routing", action="store_true", help="do not measure routing")
    parser.add_argument("--skip-train", action="store_true", help="use the stored router model")
    parser.add_argument("--train-limit", type=int, default=0, help="train_router --limit (default: the command's)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per query and mode")
    parser.add_argument("--workers", type=int, default=0, help="segmenting processes for the index build")
    parser.add_argument("--compare", action="store_true", help="also rank every match (the former way), same run")
    parser.add_argument(
        "--against",
        default="",
        help="another version of suggestions/search.py (e.g. from `git show REV:suggestions/search.py`), "
        "measured in the same run, query by query alternately with this one",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    total = Suggestion.objects.count()
    print(f"{total} suggestions, {Unit.objects.count()} units, PostgreSQL {connection.pg_version}")
    if args.prepare:
        prepare(rng)
    if not args.skip_index:
        t = time.perf_counter()
        call_command("rebuild_search_index", batch=2000, full=True, workers=args.workers)
        print(f"index build: {time.perf_counter() - t:.1f} s for {total} suggestions")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE suggestions_searchdocument")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('suggestions_searchdocument'))")
        print(f"index table with GIN indexes: {cursor.fetchone()[0]}")

    setup_test_environment()
    staff = User.objects.filter(role=Role.STAFF).first() or User.objects.create(username="bench_staff", role=Role.STAFF)
    # The deputy with the most suggestions of their own: the heaviest visible set a deputy has.
    busiest = (
        Suggestion.objects.values("lead_deputy")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("lead_deputy", flat=True)
    )
    deputy = User.objects.get(pk=busiest[0])
    clients = {"anonymous": Client()}
    for name, user in (("staff", staff), ("deputy", deputy)):
        c = Client()
        c.force_login(user)
        clients[name] = c
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}")

    def get(client, url, params):
        r = client.get(url, params)
        assert r.status_code == 200, (url, r.status_code, r.content[:200])
        return r

    targets = [
        ("api staff", "staff", "/api/v1/suggestions/", "search"),
        ("api deputy", "deputy", "/api/v1/suggestions/", "search"),
        ("page staff", "staff", "/suggestions/", "q"),
        ("page deputy", "deputy", "/suggestions/", "q"),
        ("public page", "anonymous", "/public/", "q"),
        ("open data", "anonymous", "/api/v1/public/suggestions/", "search"),
    ]
    window_size = args.window or search.SEARCH_WINDOW or 1000
    versions = {"window": (search.suggestions_search, search.suggestions_sharing_words)}
    if args.against:
        other = _load_search(args.against)
        versions["against"] = (other.suggestions_search, other.suggestions_sharing_words)

    def use(version: str) -> None:
        from suggestions import filters
        from textanalysis import similar as similar_module

        filters.suggestions_search, similar_module.suggestions_sharing_words = versions[version]  # type: ignore[assignment]

    for label, who, url, param in [] if args.skip_search else targets:
        client = clients[who]
        modes = [("window", window_size)]
        if args.compare:
            modes.append(("all matches", None))
        samples: dict[str, list[float]] = {}
        for words in SEARCHES[:2]:
            get(client, url, {param: words})  # warm
        # Alternately, query by query: both ways see the same load.
        for words in SEARCHES:
            for run in range(args.runs):
                order = [*modes, *([("against", window_size)] if args.against else [])]
                # Each run in the other order: the first of a pair reads the rows into the cache.
                for mode, window in order if run % 2 == 0 else order[::-1]:
                    use("against" if mode == "against" else "window")
                    search.SEARCH_WINDOW = window
                    samples.setdefault(mode, []).extend(
                        timed(lambda w=words, c=client, u=url, p=param: get(c, u, {p: w, "page_size": 20}), 1)
                    )
        use("window")
        search.SEARCH_WINDOW = window_size
        for mode, values in samples.items():
            report(f"search {label} ({mode})", values)
        for mode in samples:
            if mode != "window":
                ratio = statistics.median(samples[mode]) / statistics.median(samples["window"])
                print(f"   ratio {mode} / window: {ratio:.1f}x")
    if not args.skip_search:
        search.SEARCH_WINDOW = window_size
        counts = [
            get(clients["staff"], "/api/v1/suggestions/", {"search": w, "page_size": 1}).json()["count"]
            for w in SEARCHES
        ]
        print(f"   staff results per query (window {search.SEARCH_WINDOW}): {counts}")

    # Ten drafts spread over the table (ORDER BY random() would sort a million rows).
    last = Suggestion.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = [rng.randint(1, last) for _ in range(10)]
    drafts = [
        row
        for pk in picks
        for row in Suggestion.objects.filter(pk__gte=pk).order_by("pk").values_list("title", "body")[:1]
    ]
    if args.skip_similar:
        drafts = drafts[:0]

    def similar(title, body):
        r = clients["staff"].post(
            "/api/v1/suggestions/similar/", {"title": title, "body": body}, content_type="application/json"
        )
        assert r.status_code == 200, r.content[:200]

    if drafts:
        similar(*drafts[0])
        runs: dict[str, list[float]] = {}
        for t, b in drafts:
            for run in range(2):
                for version in list(versions) if run % 2 == 0 else list(versions)[::-1]:
                    use(version)
                    runs.setdefault(version, []).extend(timed(lambda t=t, b=b: similar(t, b), 1))
        use("window")
        for version, values in runs.items():
            report(f"similar (staff, {version})", values)

    if args.skip_routing:
        return
    drafts = drafts or [tuple(row) for row in Suggestion.objects.order_by("-pk").values_list("title", "body")[:10]]
    if not args.skip_train:
        t = time.perf_counter()
        call_command("train_router", **({"limit": args.train_limit} if args.train_limit else {}))
        print(f"train_router: {time.perf_counter() - t:.1f} s")

    def route(title, body):
        r = clients["staff"].post(
            "/api/v1/routing/suggest/", {"title": title, "body": body}, content_type="application/json"
        )
        assert r.status_code == 200, r.content[:200]

    route(*drafts[0])  # loads the model into the process
    report("routing per suggestion", [s for t, b in drafts for s in timed(lambda t=t, b=b: route(t, b), 2)])
    print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
