"""Chinese full-text search over suggestions (issue 14, SPEC section 11).

Writes: `search_documents_refresh` segments the title, the body and the released replies with
jieba (search mode, domain dictionary) and stores them as `tsvector`s with PostgreSQL's `simple`
configuration, which only splits on the spaces we put between jieba's words. It runs inside the
transaction that changed the text (post-save receivers below), so the index never disagrees with
a committed suggestion; `manage.py rebuild_search_index` runs it over the whole table in batches.

Reads: `suggestions_search` keeps the rows whose words include every word of the query (any
order), or whose number is a number in the query, ranked by `ts_rank`. On SQLite (the
development default) the same words are matched with `icontains` (slower, same results for whole
words, unranked beyond "title matches first").
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.db.models.signals import post_save
from django.db.models.sql.where import WhereNode
from django.dispatch import receiver

from common.text.highlight import highlight
from common.text.segment import index_text, query_terms

from .models import CoSigner, CoSignerStatus, Reply, ReplyStatus, SearchDocument, Suggestion

RELEASED = Q(status__in=[ReplyStatus.RELEASED, ReplyStatus.SUPERSEDED], released_at__isnull=False)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


# --- writes ---------------------------------------------------------------------------------------

_UPSERT = """
INSERT INTO suggestions_searchdocument (suggestion_id, vector, public_vector)
SELECT x.id,
       setweight(to_tsvector('simple', x.t), 'A') || setweight(to_tsvector('simple', x.b), 'B')
         || setweight(to_tsvector('simple', x.r), 'C'),
       setweight(to_tsvector('simple', x.t), 'A') || setweight(to_tsvector('simple', x.b), 'B')
         || setweight(to_tsvector('simple', x.p), 'C')
FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[], %s::text[]) AS x(id, t, b, r, p)
ON CONFLICT (suggestion_id) DO UPDATE
SET vector = EXCLUDED.vector, public_vector = EXCLUDED.public_vector
"""


def document_texts(title: str, body: str, replies: list[str], public_replies: list[str]) -> tuple[str, str, str, str]:
    """The four space-separated word strings of one suggestion's search document: title, body,
    every released reply, the published replies. Pure (no database), so a process pool can run it."""
    return index_text(title), index_text(body), index_text("\n".join(replies)), index_text("\n".join(public_replies))


def released_replies(suggestion_ids: Iterable[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """(every released reply, the published ones) of these suggestions, by suggestion, oldest first.
    Published as in the public view (SPEC section 8): the current released reply marked public; a
    superseded one is no longer read by outsiders, so its words must not find the suggestion for them."""
    replies: dict[int, list[str]] = defaultdict(list)
    public: dict[int, list[str]] = defaultdict(list)
    for sid, body, is_public, status in (
        Reply.objects.filter(RELEASED, assignment__suggestion_id__in=suggestion_ids)
        .order_by("id")
        .values_list("assignment__suggestion_id", "body", "public", "status")
    ):
        replies[sid].append(body)
        if is_public and status == ReplyStatus.RELEASED:
            public[sid].append(body)
    return replies, public


def search_documents_refresh(*, suggestion_ids: Iterable[int]) -> int:
    """Re-segment and store the search words of these suggestions; returns how many were written.
    A no-op on SQLite, whose search reads the text columns directly."""
    ids = sorted(set(suggestion_ids))
    if not ids or not _postgres():
        return 0
    replies, public = released_replies(ids)
    rows = list(Suggestion.objects.filter(pk__in=ids).values_list("pk", "title", "body"))
    columns: tuple[list, list, list, list, list] = ([], [], [], [], [])
    for pk, title, body in rows:
        values = (pk, *document_texts(title, body, replies[pk], public[pk]))
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, list(columns))
    return len(rows)


_SUGGESTION_TEXT = {"title", "body"}
_REPLY_TEXT = {"status", "body", "public", "released_at"}


@receiver(post_save, sender=Suggestion, dispatch_uid="search_suggestion_saved")
def _suggestion_saved(sender, instance: Suggestion, created: bool, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not (_SUGGESTION_TEXT & set(update_fields)):
        return  # a state change: the words are unchanged
    search_documents_refresh(suggestion_ids=[instance.pk])


@receiver(post_save, sender=Reply, dispatch_uid="search_reply_saved")
def _reply_saved(sender, instance: Reply, created: bool, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not (_REPLY_TEXT & set(update_fields)):
        return
    if instance.status not in (ReplyStatus.RELEASED, ReplyStatus.SUPERSEDED):
        return  # a draft is nobody's search result yet
    search_documents_refresh(suggestion_ids=[instance.assignment.suggestion_id])


# --- reads ----------------------------------------------------------------------------------------


def _reads_all_released_replies(user) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_office_staff or user.is_unit_user))


def _own_q(user) -> Q:
    """The suggestions whose released non-public replies this reader may read (their own): lead
    deputy, or a co-signer who has not declined (one who declined is no participant)."""
    if user is None or not user.is_authenticated or not user.is_deputy:
        return Q(pk__in=[])
    cosigned = CoSigner.objects.filter(suggestion=OuterRef("pk"), deputy=user).exclude(status=CoSignerStatus.DECLINED)
    return Q(lead_deputy=user) | Q(Exists(cosigned))


def readable_replies_q(user) -> Q:
    """On Reply: the released replies whose words `user` may read in search results; the same
    replies as the index counts for them (`vector` or `public_vector`)."""
    if _reads_all_released_replies(user):
        return RELEASED
    published = Q(status=ReplyStatus.RELEASED, public=True, released_at__isnull=False)
    if user is None or not user.is_authenticated or not user.is_deputy:
        return published
    cosigned = CoSigner.objects.filter(suggestion=OuterRef("assignment__suggestion"), deputy=user).exclude(
        status=CoSignerStatus.DECLINED
    )
    return published | (RELEASED & (Q(assignment__suggestion__lead_deputy=user) | Q(Exists(cosigned))))


def _has_own(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_deputy)


def _words_match(
    query: SearchQuery, user, *, index_query: SearchQuery | None = None, prefix: str = "search_document__"
) -> Q:
    """The rows whose words, as `user` may read them, hold every word of `query`.

    Staff and units read every released reply (`vector`); a reader with no suggestion of their own
    only the published words (`public_vector`, one GIN index); a deputy the published words, or all
    words of their own suggestions. The public words are a subset of all words: one GIN scan on
    `vector` finds a deputy's candidates and only those are checked against `public_vector` (an OR
    of the two indexes would scan the table; both ANDed the planner takes for the product of two
    shares and reads every match instead of a slice).

    `index_query` (a word of `query`) is then the only condition the planner may take to the index,
    the whole query checked on its rows (`_Matches`), see `_ranked_window`. `prefix=""`: the same
    condition on SearchDocument itself (staff's unfiltered search, see `_ranked_window`)."""
    column = "vector" if _reads_all_released_replies(user) or _has_own(user) else "public_vector"
    if index_query is None:
        found = Q(**{f"{prefix}{column}": query})
    else:
        found = Q(**{f"{prefix}{column}": index_query}) & Q(_Matches(F(f"{prefix}{column}"), query))
    if _has_own(user):
        found &= Q(search_document__public_vector=query) | _own_q(user)
    return found


def _pg_match(words: list[str], user) -> tuple[Q, SearchQuery | None]:
    query: SearchQuery | None = None
    for word in words:
        part = SearchQuery(word, config="simple", search_type="plain")
        query = part if query is None else query & part
    if query is None:
        return Q(), None
    return _words_match(query, user), query


def _reply_contains(word: str, user) -> Q:
    replies = Reply.objects.filter(
        readable_replies_q(user), assignment__suggestion=OuterRef("pk"), body__icontains=word
    )
    return Q(Exists(replies))


# A search keeps the newest SEARCH_WINDOW matches the reader may see and ranks those: one query
# reads them with their rank (`_ranked_window`), and the page, its count and its rows then filter by
# these ids in that order. At a million suggestions a district's name matches tens of thousands:
# ranking, checking visibility for and sorting all of them took seconds, while nobody reads past
# the first pages. Every search takes this one path: a rarer word's matches (up to 10,000 expected)
# were ranked all and then read again for the count. A search expected to match few (by the index
# statistics) reads its matches in one GIN scan; one expected to match many reads the newest id
# slice first (docs/benchmarks.md "text").
# 500 rather than 1,000: in one run at 1M (load 12-16) every search request but a deputy's own page
# took 0.6-0.8 times as long (the window's rows are read, ranked, counted and ordered by id), and
# a word common enough to fill it still lists 25 pages of 20.
SEARCH_WINDOW = 500
# The window is found newest first, slice by slice of ids: the first slice is sized from the rarest
# word's share to hold the window twice over and is read as a `BitmapAnd` of the GIN index (on that
# word) and the primary key's range, so only that slice's matches are read from the table; a
# `UNION ALL … LIMIT` only runs the older part when the first did not fill the window. Below
# WINDOW_FACTOR windows of expected matches there is no slice: one GIN scan reads them all.
WINDOW_FACTOR = 2
SIMILAR_WINDOW = 300
SIMILAR_SLICES = (10_000, 100_000)


def _window_slices(terms: list[str], size: int) -> tuple[int, tuple[int, ...] | None, str | None]:
    """(the newest indexed id, the id slices to look in newest first or None when the expected
    matches are few enough to read in one scan, the rarest word). The expected matches are bounded
    by the rarest word's share (a word rarer than every one the statistics list counts as none).
    One query."""
    frequency, rows, newest = _term_statistics(terms)
    rarest = min(terms, key=lambda t: frequency.get(t, 0.0)) if terms else None
    share = frequency.get(rarest, 0.0) if rarest else 0.0
    if share * rows <= WINDOW_FACTOR * size:
        return newest, None, rarest
    first = int(2 * size / share)
    if 2 * first >= rows:
        return newest, None, rarest  # a slice of most of the table: ANDing its range costs more than it saves
    return newest, (first,), rarest


class _Matches(Func):
    """`ts_match_vq(vector, query)`: the same test as `vector @@ query`, in a form the planner does
    not take for an index condition. The first slice of a window finds its candidates by the rarest
    word (whose share the statistics know) and checks the whole query on those rows only: for words
    that go together ("老旧小区 加装电梯") the planner's estimate of the whole query (the product of
    the words' shares) is far too low, and it then read every match of the table (12,600 rows, 186
    ms at 1M) instead of ANDing the index with the slice's range."""

    function = "ts_match_vq"
    output_field = BooleanField()


def _ranked_window(
    queryset: QuerySet[Suggestion],
    *,
    match: Q,
    query: SearchQuery | None,
    column: str,
    size: int,
    newest: int,
    slices: tuple[int, ...] | None,
    first_match: Q | None = None,
    normalization: int = 1,
    direct: bool = False,
) -> list[int]:
    """The ids of the newest `size` rows of `queryset` that satisfy `match`, best first (by
    `ts_rank` of `column` against `query`, then newest; newest first when `query` is None), read
    with their rank in one query: the page, its count and its rows then filter by these ids instead
    of searching again. `first_match` (the same rows as `match`) finds the first slice's rows.

    `direct`: `queryset` has no condition at all (staff's unfiltered list) and `match`/`first_match`
    are conditions on SearchDocument (`prefix=""`): the window is read from the search documents
    alone, without joining each match to its suggestion (3,677 index probes, 30 ms, for one query
    at 1M); every search document has its suggestion (a cascading one-to-one key)."""
    prefix = "" if direct else "search_document__"
    sd_id = f"{prefix}suggestion_id"
    source = SearchDocument.objects.all() if direct else queryset
    rank = (
        SearchRank(F(f"{prefix}{column}"), query, normalization=Value(normalization))
        if query is not None
        else Value(0.0, output_field=FloatField())
    )
    parts: list[str] = []
    params: list = []
    bounds: list[int | None] = [0, *(slices or ()), None]
    for upper, lower in itertools.pairwise(bounds):
        assert upper is not None  # only the last bound is open
        condition = match
        if slices:
            # The range is put on the search document's key (not the suggestion's): that is the
            # column PostgreSQL can AND with the GIN index in one bitmap.
            in_slice = Q(**{f"{sd_id}__lte": newest - upper})
            if lower is not None:
                in_slice &= Q(**{f"{sd_id}__gt": newest - lower})
            condition = (first_match if upper == 0 and first_match is not None else match) & in_slice
        part = (
            source.filter(condition)
            .annotate(window_rank=rank)
            # `+ 0`: an order the primary key cannot give, or the planner walks the slice backwards
            # reading every row's vector, expecting the matches soon (it reads a whole slice).
            .order_by((F(sd_id) + 0).desc())
            .values_list(sd_id, "window_rank")[:size]
        )
        sql, part_params = part.query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(part_params)
        if lower is not None and lower >= newest:
            break  # this slice reaches the first id already
    with connection.cursor() as cursor:
        # The parts are the ORM's own SQL with their values in `params`; `size` is an int.
        sql = f"SELECT * FROM ({' UNION ALL '.join(parts)}) window_ids LIMIT {int(size)}"  # noqa: S608
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rows.sort(key=lambda row: (-(row[1] or 0.0), -row[0]))
    return [row[0] for row in rows]


def _id_array(ids: list[int]) -> RawSQL:
    # One array parameter rather than a thousand literals: the later queries plan in a fraction.
    return RawSQL("SELECT unnest(%s::bigint[])", [ids])


def _tables(queryset: QuerySet) -> int:
    """How many tables `queryset`'s SQL reads. A filter on a foreign key by an object
    (`lead_deputy=user`) leaves the joined table in `alias_map` with no reference (Django trims the
    join): counting those kept a deputy's whole visibility rule on the page and its count, checked
    again on every one of the window's rows (a third of a deputy's search at 1M)."""
    return sum(1 for count in queryset.query.alias_refcount.values() if count)


def _among(queryset: QuerySet[Suggestion], ids: list[int]) -> QuerySet[Suggestion]:
    """`queryset`'s rows among `ids`, which the window query read from `queryset` itself: its
    conditions (visibility, filters) were applied there, to the very rows, in this request, so
    the page, its count and its rows keep only `pk IN ids` instead of checking every one of the
    window's rows again (a published reply per row, for outsiders: 10-30 ms at 1M). Its
    annotations, related rows and order stay. A queryset whose conditions joined another table
    keeps them (dropping the condition would leave its join)."""
    if _tables(queryset) <= 1 and not queryset.query.combinator:
        queryset = queryset.all()
        queryset.query.where = WhereNode()
    return queryset.filter(pk__in=_id_array(ids))


def _in_order(queryset: QuerySet[Suggestion], ids: list[int]) -> QuerySet[Suggestion]:
    """`_among(queryset, ids)` in the order of `ids` (best first), so no later query (page, count,
    rows) ranks or reads a search document again. Each row's place is looked up in one `jsonb`
    parameter (id -> place; a key lookup is a binary search): `array_position` over the window's
    1,000 ids, per row, took 30 ms of the page's query at 1M."""
    places = Value({str(pk): place for place, pk in enumerate(ids)}, output_field=JSONField())
    place = Func(places, Cast(F("id"), TextField()), function="jsonb_extract_path_text", output_field=TextField())
    return _among(queryset, ids).annotate(search_position=Cast(place, IntegerField())).order_by("search_position")


def suggestions_search(queryset: QuerySet[Suggestion], *, user, text: str, rank: bool = True) -> QuerySet[Suggestion]:
    """The rows of `queryset` that match every word and number of `text`, best first when `rank`.

    `queryset` is already limited to what `user` may see; `user` only decides which replies'
    words count (a reader never finds a suggestion through a reply they may not read).
    On PostgreSQL the result is the newest SEARCH_WINDOW matches (see above), ranked.
    """
    terms, numbers = query_terms(text)
    if not terms and not numbers:
        return queryset
    for number in numbers:
        queryset = queryset.filter(Q(number=number) | _text_q([str(number)], user))
    if not terms:
        return queryset
    if _postgres():
        match, query = _pg_match(terms, user)
        column = "vector" if _reads_all_released_replies(user) else "public_vector"
        if not SEARCH_WINDOW:  # the window turned off (the benchmark's comparison): rank every match
            queryset = queryset.filter(match)
            if rank and query is not None:
                queryset = queryset.annotate(
                    search_rank=SearchRank(F(f"search_document__{column}"), query, normalization=Value(1))
                ).order_by("-search_rank", "-id")
            return queryset
        newest, slices, rarest = _window_slices(terms, SEARCH_WINDOW)
        # Staff's list without a filter: every suggestion, so the window is read from the index alone.
        direct = bool(
            _reads_all_released_replies(user)
            and not queryset.query.where
            and _tables(queryset) <= 1
            and not queryset.query.combinator
            and query is not None
        )
        prefix = "" if direct else "search_document__"
        if direct and query is not None:
            match = _words_match(query, user, prefix=prefix)
        first_match = None
        if slices and len(terms) > 1 and rarest is not None and query is not None:
            by_rarest = SearchQuery(rarest, config="simple", search_type="plain")
            first_match = _words_match(query, user, index_query=by_rarest, prefix=prefix)
        window = _ranked_window(
            queryset,
            direct=direct,
            match=match,
            query=query if rank else None,
            column=column,
            size=SEARCH_WINDOW,
            newest=newest,
            slices=slices,
            first_match=first_match,
        )
        return _in_order(queryset, window) if rank else _among(queryset, window)
    queryset = queryset.filter(_text_q(terms, user))
    if rank:
        in_title = Q()
        for term in terms:
            in_title &= Q(title__icontains=term)
        queryset = queryset.annotate(
            search_rank=Case(When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField())
        ).order_by("-search_rank", "-id")
    return queryset


def _text_q(terms: list[str], user) -> Q:
    if _postgres():
        return _pg_match(terms, user)[0]
    q = Q()
    for term in terms:
        q &= Q(title__icontains=term) | Q(body__icontains=term) | _reply_contains(term, user)
    return q


def search_highlight(suggestion: Suggestion, text: str, *, excerpt: int = 160) -> dict[str, str | None]:
    """The title and a body excerpt as safe HTML with the query's words in `<mark>` (one row, no
    query; lists use `search_highlights`, which adds the matching reply passage)."""
    marks = _marks(text)
    return {
        "title": highlight(suggestion.title, marks),
        "body": highlight(suggestion.body, marks, snippet=excerpt),
        "reply": None,
    }


def _marks(text: str) -> list[str]:
    terms, numbers = query_terms(text)
    return terms + [str(n) for n in numbers]


def search_highlights(rows, text: str, *, user, excerpt: int = 160) -> dict[int, dict[str, str | None]]:
    """For a page of search results: each row's title and body excerpt with the words marked, and
    the passage of the first reply the reader may read that holds one of the words (`reply`, else
    None), so a match found only in a reply shows why. One query for the whole page."""
    rows = list(rows)
    marks = _marks(text)
    if not rows or not marks:
        return {}
    pattern = re.compile("|".join(re.escape(m) for m in marks), re.IGNORECASE)
    passages: dict[int, str] = {}
    replies = (
        Reply.objects.filter(readable_replies_q(user), assignment__suggestion_id__in=[r.pk for r in rows])
        .order_by("-released_at", "-id")  # the newest reply first: what the unit says now
        .values_list("assignment__suggestion_id", "body")
    )
    for sid, body in replies:
        if sid not in passages and pattern.search(body or ""):
            passages[sid] = highlight(body, marks, snippet=excerpt)
    return {
        r.pk: {
            "title": highlight(r.title, marks),
            "body": highlight(r.body, marks, snippet=excerpt),
            "reply": passages.get(r.pk),
        }
        for r in rows
    }


def mark_reply_passages(rows, text: str, *, user) -> None:
    """Sets `search_reply` (safe HTML or None) on each row of a search results page, for the pages."""
    from django.utils.safestring import mark_safe

    rows = list(rows)
    highlights = search_highlights(rows, text, user=user)
    for row in rows:
        passage = highlights.get(row.pk, {}).get("reply")
        # highlight() escapes every piece it does not wrap in <mark>.
        row.search_reply = mark_safe(passage) if passage else None  # noqa: S308


_TERM_STATISTICS = """
SELECT c.reltuples,
       (SELECT array_agg(COALESCE(s.most_common_elem_freqs[array_position(s.most_common_elems::text::text[], t)], 0))
        FROM unnest(%s::text[]) AS t),
       (SELECT max(suggestion_id) FROM suggestions_searchdocument)
FROM pg_class c
LEFT JOIN pg_stats s ON s.tablename = 'suggestions_searchdocument' AND s.attname = 'vector'
WHERE c.relname = 'suggestions_searchdocument'
"""


def _term_statistics(terms: list[str]) -> tuple[dict[str, float], float, int]:
    """`term_frequencies` and the newest indexed id (one indexed read), in one query."""
    if not _postgres():
        return {}, 0.0, 0
    with connection.cursor() as cursor:
        cursor.execute(_TERM_STATISTICS, [list(terms)])
        row = cursor.fetchone()
    if not row:
        return {}, 0.0, 0
    rows, freqs, newest = row
    frequency = dict(zip(terms, [float(f) for f in freqs or []], strict=False))
    return frequency, max(0.0, float(rows or 0)), int(newest or 0)


def term_frequencies(terms: list[str]) -> tuple[dict[str, float], float]:
    """(the share of suggestions holding each of `terms`, the table's row estimate), from
    PostgreSQL's own statistics of the index column: `ANALYZE` keeps the most common lexemes with
    their frequencies. A word not listed is rarer than every listed one (0). One small query;
    nothing on SQLite."""
    if not terms or not _postgres():
        return {}, 0.0
    frequency, rows, _newest = _term_statistics(terms)
    return frequency, rows


def _quoted(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "") + "'"


def suggestions_sharing_words(
    queryset: QuerySet[Suggestion], *, user, words: list[str], limit: int = 30
) -> list[Suggestion]:
    """Rows sharing at least two of `words` (or the one, if only one is given), by rank: the
    candidates for "similar suggestions". Pairs keep a common word alone from matching half the
    table; the GIN index answers each pair."""
    words = [w for w in dict.fromkeys(words) if w.strip()][:6]
    if not words:
        return []
    if _postgres():
        if len(words) == 1:
            raw = _quoted(words[0])
        else:
            raw = " | ".join(f"({_quoted(a)} & {_quoted(b)})" for i, a in enumerate(words) for b in words[i + 1 :])
        query = SearchQuery(raw, config="simple", search_type="raw")
        column = "vector" if _reads_all_released_replies(user) else "public_vector"
        match = _words_match(query, user)
        # Only the newest SIMILAR_WINDOW rows sharing a pair are ranked: bounded work at any size.
        _frequency, _rows, newest = _term_statistics([])
        ids = _ranked_window(
            queryset,
            match=match,
            query=query,
            column=column,
            size=SIMILAR_WINDOW,
            newest=newest,
            slices=SIMILAR_SLICES,
            normalization=0,
        )[:limit]
        by_id = {row.pk: row for row in queryset.filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]
    any_title = Q(pk__in=[])
    for word in words:
        any_title |= Q(title__icontains=word)
    return list(queryset.filter(any_title).order_by("-id")[:limit])
