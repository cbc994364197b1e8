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

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.signals import post_save
from django.dispatch import receiver

from common.text.highlight import highlight
from common.text.segment import index_text, query_terms

from .models import CoSigner, Reply, ReplyStatus, Suggestion

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


def search_documents_refresh(*, suggestion_ids: Iterable[int]) -> int:
    """Re-segment and store the search words of these suggestions; returns how many were written.
    A no-op on SQLite, whose search reads the text columns directly."""
    ids = sorted(set(suggestion_ids))
    if not ids or not _postgres():
        return 0
    replies: dict[int, list[str]] = defaultdict(list)
    public: dict[int, list[str]] = defaultdict(list)
    for sid, body, is_public in (
        Reply.objects.filter(RELEASED, assignment__suggestion_id__in=ids)
        .order_by("id")
        .values_list("assignment__suggestion_id", "body", "public")
    ):
        replies[sid].append(body)
        if is_public:
            public[sid].append(body)
    rows = list(Suggestion.objects.filter(pk__in=ids).values_list("pk", "title", "body"))
    columns: tuple[list, list, list, list, list] = ([], [], [], [], [])
    for pk, title, body in rows:
        for column, value in zip(
            columns,
            (
                pk,
                index_text(title),
                index_text(body),
                index_text("\n".join(replies[pk])),
                index_text("\n".join(public[pk])),
            ),
            strict=True,
        ):
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
    """The suggestions whose released non-public replies this reader may read (their own)."""
    if user is None or not user.is_authenticated or not user.is_deputy:
        return Q(pk__in=[])
    cosigned = CoSigner.objects.filter(suggestion=OuterRef("pk"), deputy=user)
    return Q(lead_deputy=user) | Q(Exists(cosigned))


def _pg_match(words: list[str], user) -> tuple[Q, SearchQuery | None]:
    query: SearchQuery | None = None
    for word in words:
        part = SearchQuery(word, config="simple", search_type="plain")
        query = part if query is None else query & part
    if query is None:
        return Q(), None
    if _reads_all_released_replies(user):
        return Q(search_document__vector=query), query
    # The public words are a subset of all words: one GIN scan on `vector` finds the candidates,
    # and only those are checked against `public_vector` (an OR of the two would scan the table).
    return Q(search_document__vector=query) & (Q(search_document__public_vector=query) | _own_q(user)), query


def _reply_contains(word: str, user) -> Q:
    replies = Reply.objects.filter(RELEASED, assignment__suggestion=OuterRef("pk"), body__icontains=word)
    if _reads_all_released_replies(user):
        return Q(Exists(replies))
    return Q(Exists(replies.filter(public=True))) | (_own_q(user) & Q(Exists(replies)))


def suggestions_search(queryset: QuerySet[Suggestion], *, user, text: str, rank: bool = True) -> QuerySet[Suggestion]:
    """The rows of `queryset` that match every word and number of `text`, best first when `rank`.

    `queryset` is already limited to what `user` may see; `user` only decides which replies'
    words count (a reader never finds a suggestion through a reply they may not read).
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
        queryset = queryset.filter(match)
        if rank and query is not None:
            column = "vector" if _reads_all_released_replies(user) else "public_vector"
            queryset = queryset.annotate(
                search_rank=SearchRank(F(f"search_document__{column}"), query, normalization=Value(1))
            ).order_by("-search_rank", "-id")
        return queryset
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


def search_highlight(suggestion: Suggestion, text: str, *, excerpt: int = 160) -> dict[str, str]:
    """The title and a body excerpt as safe HTML with the query's words in `<mark>`."""
    terms, numbers = query_terms(text)
    terms = terms + [str(n) for n in numbers]
    return {"title": highlight(suggestion.title, terms), "body": highlight(suggestion.body, terms, snippet=excerpt)}


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
        if _reads_all_released_replies(user):
            match, column = Q(search_document__vector=query), "vector"
        else:
            match = Q(search_document__vector=query) & (Q(search_document__public_vector=query) | _own_q(user))
            column = "public_vector"
        rows = (
            queryset.filter(match)
            .annotate(search_rank=SearchRank(F(f"search_document__{column}"), query))
            .order_by("-search_rank", "-id")
        )
        return list(rows[:limit])
    any_title = Q(pk__in=[])
    for word in words:
        any_title |= Q(title__icontains=word)
    return list(queryset.filter(any_title).order_by("-id")[:limit])
