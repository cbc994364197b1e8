"""Similar suggestions (SPEC section 11): for a deputy drafting, staff at intake (并案 candidates)
and the "looks like a repeat of №… (2017, 2019, …)" hint. Only what the caller may see."""

from __future__ import annotations

from collections import Counter

from common.text.segment import words
from suggestions.models import Assignment, AssignmentRole, Reply, ReplyStatus
from suggestions.search import suggestions_sharing_words, term_frequencies
from suggestions.selectors import suggestions_visible_to

RESULT_LIMIT = 10


# A word in more than this share of all suggestions says little about any one of them.
COMMON_WORD = 0.02


def key_words(title: str, body: str, limit: int = 6) -> list[str]:
    """The words that say what the text is about: the title's; the body's most frequent only when
    the title has fewer than three (a body's common words would match half the table). The most
    informative first (rarest in the office's suggestions, by the index's statistics), and words
    common to the whole table dropped while three others remain: the candidates come from the
    GIN index by pairs of these words, and a pair of common words would match tens of thousands."""
    ordered = list(dict.fromkeys(w for w in words(title) if len(w) >= 2))
    if len(ordered) < 3:
        body_counts = Counter(w for w in words((body or "")[:2000]) if len(w) >= 2)
        ordered += [w for w, _ in body_counts.most_common() if w not in ordered][: 3 - len(ordered)]
    frequency, _rows = term_frequencies(ordered)
    ordered.sort(key=lambda w: frequency.get(w, 0.0))  # stable: the title's order among equals
    rare = [w for w in ordered if frequency.get(w, 0.0) <= COMMON_WORD]
    if len(rare) >= 3:
        ordered = rare
    return ordered[:limit]


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def similar_suggestions(
    *, user, title: str, body: str = "", limit: int = RESULT_LIMIT, exclude: int | None = None
) -> list[dict]:
    """Most similar first, each with id, display_number, title, year, status and score (0..1):
    the candidates share at least two key words (by the search index), then are scored by the
    overlap of their title and opening words with the draft's."""
    keys = key_words(title, body)
    if not keys:
        return []
    queryset = suggestions_visible_to(user).select_related("session")
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    candidates = suggestions_sharing_words(queryset, user=user, words=keys, limit=limit * 3)
    mine_title = set(words(title))
    mine_all = mine_title | set(keys)
    scored = []
    for s in candidates:
        theirs_title = set(words(s.title))
        score = 0.6 * _dice(mine_title, theirs_title) + 0.4 * _dice(mine_all, theirs_title | set(words(s.body[:300])))
        scored.append((score, s))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return [
        {
            "id": s.pk,
            "display_number": s.display_number,
            "title": s.title,
            "year": s.session.year,
            "status": s.status,
            "score": round(score, 3),
            "suggestion": s,
        }
        for score, s in scored[:limit]
        if score > 0.05
    ]


def with_reply_classes(results: list[dict]) -> list[dict]:
    """Adds each row's latest released reply class and lead unit (one query for all rows)."""
    ids = [r["id"] for r in results]
    replies = {}
    for sid, result_class in (
        Reply.objects.filter(assignment__suggestion_id__in=ids, status=ReplyStatus.RELEASED)
        .order_by("released_at")
        .values_list("assignment__suggestion_id", "result_class")
    ):
        replies[sid] = result_class
    leads = {}
    for sid, name in (
        Assignment.objects.live()
        .filter(suggestion_id__in=ids, role=AssignmentRole.LEAD)
        .values_list("suggestion_id", "unit__name")
    ):
        leads.setdefault(sid, name)
    for r in results:
        r["result_class"] = replies.get(r["id"], "")
        r["lead_unit"] = leads.get(r["id"], "")
    return results


def repeat_years(results: list[dict], threshold: float = 0.5) -> list[dict]:
    """The close matches from earlier years: "looks like a repeat of №… (2017, 2019, …)"."""
    return [r for r in results if r["score"] >= threshold]


__all__ = ["key_words", "repeat_years", "similar_suggestions", "with_reply_classes"]
