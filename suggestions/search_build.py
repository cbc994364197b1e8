"""Building the whole search index fast (issue 14): `manage.py rebuild_search_index`.

Segmenting a million suggestions with jieba is CPU work in Python; writing a million tsvectors
one upsert at a time also pays for updating both GIN indexes row by row. So:

- the main process reads the suggestions by keyset (`id > last ORDER BY id LIMIT n`: every chunk
  costs the same, unlike OFFSET) with their released replies, and hands each chunk to a pool of
  worker processes that only segment (pure Python, no database);
- it keeps a few chunks in flight (bounded memory), and writes each segmented chunk with COPY
  into a temporary table and one INSERT … SELECT that builds both vectors in PostgreSQL;
- from empty (`full=True`, or a table with no rows) the GIN indexes are dropped first and created
  once after the load, which is several times faster than maintaining them row by row.
  Otherwise each chunk is upserted with the indexes in place, so search keeps working meanwhile.

Each chunk commits on its own: a crash loses at most the chunks in flight, and a re-run (which
upserts) redoes them.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, connections, transaction

from common.text.segment import tokenizer

from .search import document_texts, released_replies

GIN_INDEXES = {
    "searchdoc_vector_gin": "vector",
    "searchdoc_public_vector_gin": "public_vector",
}

_READ = "SELECT id, title, body FROM suggestions_suggestion WHERE id > %s ORDER BY id LIMIT %s"
_STAGE = "CREATE TEMPORARY TABLE IF NOT EXISTS search_load (id int, t text, b text, r text, p text)"
_VECTORS = """
SELECT x.id,
       setweight(to_tsvector('simple', x.t), 'A') || setweight(to_tsvector('simple', x.b), 'B')
         || setweight(to_tsvector('simple', x.r), 'C'),
       setweight(to_tsvector('simple', x.t), 'A') || setweight(to_tsvector('simple', x.b), 'B')
         || setweight(to_tsvector('simple', x.p), 'C')
FROM search_load x
"""
_INTO = f"INSERT INTO suggestions_searchdocument (suggestion_id, vector, public_vector) {_VECTORS}"
# From empty, a row already there was written meanwhile by a save (the receivers): it is as new.
_INSERT = _INTO + " ON CONFLICT (suggestion_id) DO NOTHING"
_UPSERT = (
    _INTO + " ON CONFLICT (suggestion_id) DO UPDATE"
    " SET vector = EXCLUDED.vector, public_vector = EXCLUDED.public_vector"
)

Row = tuple[int, str, str, list[str], list[str]]


def _segment(rows: list[Row]) -> list[tuple[int, str, str, str, str]]:
    """Worker: the four word strings of each row (see `search.document_texts`)."""
    return [(pk, *document_texts(title, body, replies, public)) for pk, title, body, replies, public in rows]


def _copy_field(value: str) -> str:
    # COPY's text format: backslash, tab and newlines are escaped. jieba's words hold none of the
    # latter, but a title may hold a backslash.
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


class _Inline:
    """The pool's interface in this process (one worker: no fork, no pickling)."""

    class _Done:
        def __init__(self, value):
            self.value = value

        def get(self):
            return self.value

    def apply_async(self, fn, args):
        return self._Done(fn(*args))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@dataclass
class BuildResult:
    rows: int
    seconds: float
    from_empty: bool
    index_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _write(cursor, segmented: list[tuple[int, str, str, str, str]], *, upsert: bool) -> None:
    buffer = io.StringIO()
    for pk, *texts in segmented:
        buffer.write(str(pk))
        for text in texts:
            buffer.write("\t")
            buffer.write(_copy_field(text))
        buffer.write("\n")
    buffer.seek(0)
    cursor.execute("TRUNCATE search_load")
    cursor.copy_expert("COPY search_load (id, t, b, r, p) FROM STDIN", buffer)
    cursor.execute(_UPSERT if upsert else _INSERT)


def _read_chunk(last: int, size: int) -> list[Row]:
    with connection.cursor() as cursor:
        cursor.execute(_READ, [last, size])
        rows = cursor.fetchall()
    if not rows:
        return []
    replies, public = released_replies([pk for pk, _t, _b in rows])
    return [(pk, title, body, replies.get(pk, []), public.get(pk, [])) for pk, title, body in rows]


def search_index_rebuild(
    *, full: bool = False, workers: int | None = None, chunk: int = 2000, progress: Callable[[int], None] | None = None
) -> BuildResult:
    """Segment every suggestion and store its search words; see the module's docstring."""
    workers = max(1, workers or os.cpu_count() or 1)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM suggestions_searchdocument)")
        empty = bool(cursor.fetchone()[0])
    from_empty = full or empty
    in_transaction = connection.in_atomic_block
    if from_empty:
        with transaction.atomic(), connection.cursor() as cursor:
            if not empty:
                # TRUNCATE is instant at a million rows, but refused inside a transaction with
                # pending deferred checks (the tests'); DELETE there.
                verb = "DELETE FROM" if in_transaction else "TRUNCATE"
                cursor.execute(f"{verb} suggestions_searchdocument")
            if not in_transaction:
                # Inside a caller's transaction (the tests') PostgreSQL refuses CREATE INDEX while
                # deferred checks are pending; the indexes then stay and are maintained row by row.
                for name in GIN_INDEXES:
                    cursor.execute(f"DROP INDEX IF EXISTS {name}")
    tokenizer()  # load the dictionary once, before forking: the workers inherit it
    if workers > 1 and not in_transaction:
        # The workers never touch the database; closing first keeps them from inheriting a live socket.
        connections.close_all()
    done = 0
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) if workers > 1 else _Inline() as pool:
        in_flight: deque = deque()
        last = 0

        def drain(keep: int) -> None:
            nonlocal done
            while len(in_flight) > keep:
                segmented = in_flight.popleft().get()
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(_STAGE)
                    _write(cursor, segmented, upsert=not from_empty)
                done += len(segmented)
                if progress:
                    progress(len(segmented))

        while True:
            rows = _read_chunk(last, chunk)
            if not rows:
                break
            last = rows[-1][0]
            in_flight.append(pool.apply_async(_segment, (rows,)))
            drain(keep=workers * 2)  # a few chunks ahead of the writer, never the whole table in memory
        drain(keep=0)
    index_seconds = 0.0
    if from_empty and not in_transaction:
        index_started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for name, column in GIN_INDEXES.items():
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON suggestions_searchdocument USING gin ({column})")
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("ANALYZE suggestions_searchdocument")
        index_seconds = time.perf_counter() - index_started
    return BuildResult(done, time.perf_counter() - started, from_empty, index_seconds)
