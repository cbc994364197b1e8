"""Unit routing (智能交办) for the office: training from its own history, suggesting at 交办.

The model learns from final assignments: for each suggestion, the lead unit that holds it now,
after any return (a returned assignment is not live) or reassignment. Units' duties (三定职责)
and the seed corpus's example suggestions (`seeds.py`, for the units with a standard code) give the
cold start. The newest `RouterModel` row is used; each process keeps it in memory and
reloads when a newer one appears (one indexed query per call).
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import time
from dataclasses import dataclass, field

import joblib
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Unit
from common.text.router import Router, features
from suggestions.models import Assignment, AssignmentRole, Suggestion

from .models import RouterModel
from .seeds import seed_examples, seed_vectors

log = logging.getLogger(__name__)

TRAINING_LIMIT = 20_000  # the most recent final assignments; older habits matter less, and it bounds training time
KEEP_MODELS = 3
SUGGESTED_UNIT_BONUS = 0.1
CLOSE_RATIO = 0.8  # the second is within 80% of the first: a person must decide


def unit_texts() -> dict[str, str]:
    """Each active unit's words for the duty match: its name and its duties."""
    return {
        code: f"{name}。{duties}"
        for code, name, duties in Unit.objects.filter(active=True).values_list("code", "name", "duties")
    }


def training_examples(limit: int = TRAINING_LIMIT) -> tuple[list[int], list[str], list[str]]:
    """(suggestion ids, texts, final lead unit codes) of the latest assigned suggestions."""
    rows = (
        Assignment.objects.live()
        .filter(role=AssignmentRole.LEAD, unit__active=True)
        .order_by("-suggestion_id")
        .values_list("suggestion_id", "suggestion__title", "suggestion__body", "unit__code")[:limit]
    )
    ids, texts, labels = [], [], []
    seen: set[int] = set()
    for sid, title, body, code in rows:
        if sid in seen:  # several lead units: learn from the first
            continue
        seen.add(sid)
        ids.append(sid)
        texts.append(f"{title}\n{body[:500]}")
        labels.append(code)
    return ids, texts, labels


def router_train(*, limit: int = TRAINING_LIMIT) -> RouterModel | None:
    """Fit a router on the duties and the office's final assignments and store it; None when there
    is nothing to learn from yet (no unit with words in its name or duties, no past suggestion)."""
    started = time.perf_counter()
    units = unit_texts()
    ids, texts, labels = training_examples(limit)
    if not any(features(text) for text in [*units.values(), *texts]):
        return None
    weight_at = getattr(settings, "ROUTER_HISTORY_WEIGHT_AT", Router.history_weight_at)
    # The seed corpus's shipped vectors and the last stored model's: only titles new since are embedded.
    vectors = seed_vectors() | _stored_vectors()
    router = Router(history_weight_at=weight_at).fit(
        units, texts, labels, ids, examples=seed_examples(units), vectors=vectors
    )
    buffer = io.BytesIO()
    joblib.dump(router, buffer, compress=3)
    seconds = time.perf_counter() - started
    with transaction.atomic():
        row = RouterModel.objects.create(
            trained_on=router.trained_on, units=len(units), seconds=seconds, blob=buffer.getvalue()
        )
        stale = RouterModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[KEEP_MODELS:]
        RouterModel.objects.filter(pk__in=list(stale)).delete()
    return row


def _stored_vectors() -> dict:
    """The sentence vectors of the newest stored model, by text (none when there is no model yet, or
    when it cannot be read: a retrain then embeds everything, it never fails for the old model)."""
    blob = RouterModel.objects.order_by("-created_at", "-id").values_list("blob", flat=True).first()
    if blob is None:
        return {}
    try:
        return joblib.load(io.BytesIO(bytes(blob))).semantic_vectors()
    except Exception:
        log.warning("the stored router could not be read; embedding every title afresh", exc_info=True)
        return {}


@dataclass
class _Cache:
    key: object = None
    router: Router | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_cache = _Cache()


def current_router() -> Router:
    newest = RouterModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True).first()
    if newest is not None:
        key: object = ("model", newest)
    else:
        units = unit_texts()
        key = ("cold", hashlib.sha256(repr(sorted(units.items())).encode()).hexdigest())
    if _cache.key != key or _cache.router is None:
        with _cache.lock:
            if _cache.key != key or _cache.router is None:
                if newest is not None:
                    blob = RouterModel.objects.values_list("blob", flat=True).get(pk=newest)
                    router = joblib.load(io.BytesIO(bytes(blob)))
                else:
                    router = Router().fit(units, examples=seed_examples(units), vectors=seed_vectors())
                _cache.router, _cache.key = router, key
    assert _cache.router is not None
    return _cache.router


def routing_suggest(*, title: str, body: str = "", suggested_unit: Unit | None = None, co_limit: int = 2) -> dict:
    """SPEC section 11: candidates best first (three leads, then likely co-units) with evidence."""
    router = current_router()
    ranked = router.rank(f"{title}\n{body}")
    if not ranked:
        return {"candidates": [], "needs_human": True}
    by_code = {u.code: u for u in Unit.objects.filter(code__in=[c.unit for c in ranked[:8]])}
    if suggested_unit is not None:
        for c in ranked:
            if c.unit == suggested_unit.code:
                c.score += SUGGESTED_UNIT_BONUS
        ranked.sort(key=lambda c: -c.score)
    history_ids = {router.history_ids[j] for c in ranked[:6] for j in c.history}
    titles = dict(Suggestion.objects.filter(pk__in=history_ids).values_list("pk", "title"))
    leads = [c for c in ranked if c.unit in by_code][:3]
    top = leads[0].score if leads else 0.0
    cos = [c for c in ranked if c.unit in by_code and c not in leads and c.score >= 0.25 * top][:co_limit]
    candidates = []
    for role, group in (("lead", leads), ("co", cos)):
        for c in group:
            unit = by_code[c.unit]
            evidence: list[dict] = [{"kind": "duty", "text": phrase} for phrase in c.duty_phrases]
            for j in c.history:
                sid = router.history_ids[j]
                if sid in titles:
                    evidence.append({"kind": "history", "text": titles[sid], "suggestion": sid})
            if suggested_unit is not None and suggested_unit.pk == unit.pk:
                evidence.append({"kind": "suggested_unit", "text": _("The deputy suggested this unit.")})
            candidates.append(
                {
                    "unit": unit.pk,
                    "unit_name": unit.name,
                    "role": role,
                    "score": round(c.score, 4),
                    "evidence": evidence,
                }
            )
    needs_human = len(leads) < 2 or leads[1].score >= CLOSE_RATIO * leads[0].score
    return {"candidates": candidates, "needs_human": needs_human}
