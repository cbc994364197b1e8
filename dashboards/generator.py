"""Synthetic handling records for benchmarks and demos (`manage.py generate_data`).

Writes suggestions with their assignments, replies, contacts, evaluations and deadlines in
chunks with `bulk_create`. Primary keys are assigned here (from the table's current maximum) so
children can point at their parents without a round trip per row; sequences are reset at the end.
The spread is realistic rather than uniform: past years are mostly closed, the current year is
mid-flight; units get skewed workloads; about a quarter of replies are late; a few suggestions
go through re-handling; some are withdrawn, merged or not accepted. B/C replies carry one or two
commitments; most of those fallen due are confirmed (落实), about four in five delivered. Commitments
get no deadline rows, so the reminder sweeps' workload is what it was before they were generated.

It bypasses the services on purpose (a million suggestions through the state machine would take
hours) and writes no timeline events; it is for load, not for realism of the audit trail.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Role, Unit, User
from suggestions.models import (
    Assignment,
    Category,
    Commitment,
    CongressSession,
    Contact,
    CoSigner,
    Deadline,
    Evaluation,
    Reply,
    Suggestion,
)

SH = ZoneInfo("Asia/Shanghai")
CATEGORIES = ["财政经济", "城乡建设", "农业农村", "教科文卫", "内务司法", "其他"]
TOPICS = [
    "排水防涝",
    "道路改造",
    "学校扩建",
    "医疗服务",
    "农村供水",
    "停车管理",
    "养老服务",
    "河道整治",
    "公交线路",
    "垃圾分类",
]


@dataclass
class Stats:
    suggestions: int = 0
    assignments: int = 0
    replies: int = 0
    contacts: int = 0
    evaluations: int = 0
    commitments: int = 0
    deadlines: int = 0
    cosigners: int = 0
    units: int = 0
    extra: dict = field(default_factory=dict)


class Row(dict):
    """A row to insert, by attribute name; far cheaper to build by the million than model instances."""

    __getattr__ = dict.__getitem__
    __setattr__ = dict.__setitem__


class _Ids:
    """Hands out primary keys above the table's current maximum."""

    def __init__(self, model: type[models.Model]):
        self.next = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1

    def __call__(self) -> int:
        value = self.next
        self.next += 1
        return value


def _units(count: int) -> list[Unit]:
    existing = list(Unit.objects.filter(code__startswith="GEN").order_by("code")[:count])
    missing = count - len(existing)
    if missing > 0:
        start = len(existing)
        Unit.objects.bulk_create(
            [Unit(code=f"GEN{i:04d}", name=f"承办单位{i:04d}") for i in range(start, start + missing)],
            batch_size=1000,
        )
        existing = list(Unit.objects.filter(code__startswith="GEN").order_by("code")[:count])
    return existing


def _deputies(count: int) -> list[int]:
    names = [f"gen_deputy_{i:06d}" for i in range(count)]
    have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=n, full_name=f"代表{n[-5:]}", role=Role.DEPUTY, password="!") for n in names if n not in have],
        batch_size=1000,
    )
    return list(User.objects.filter(username__in=names).values_list("pk", flat=True))


def _staff() -> User:
    user, _created = User.objects.get_or_create(
        username="gen_staff", defaults={"role": Role.STAFF, "full_name": "生成数据", "password": "!"}
    )
    return user


def _sessions(years: list[int]) -> dict[int, CongressSession]:
    sessions = {}
    for year in years:
        session = CongressSession.objects.filter(year=year).order_by("term", "number").first()
        if session is None:
            session, _created = CongressSession.objects.get_or_create(
                term=16, number=max(1, year - 2020), defaults={"year": year, "start_date": dt.date(year, 1, 10)}
            )
        sessions[year] = session
    return sessions


def _aware(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=SH)


def generate(
    *,
    suggestions: int,
    units: int = 300,
    years: int = 5,
    seed: int = 1,
    chunk: int = 10000,
    progress: Callable[[int], None] | None = None,
) -> Stats:
    rng = random.Random(seed)
    today = timezone.localdate()
    year_list = list(range(today.year - years + 1, today.year + 1))
    unit_rows = _units(units)
    unit_ids = [u.pk for u in unit_rows]
    unit_weights = unit_workloads(len(unit_ids))
    # Deputies make a few suggestions each (about a dozen over the years, a few busy ones more):
    # a deputy's list is small whatever the size of the table.
    deputies = _deputies(max(20, suggestions // DEPUTY_SUGGESTIONS))
    deputy_weights = [1.0 / (1 + i % 97) ** 0.5 for i in range(len(deputies))]
    staff = _staff()
    categories = [Category.objects.get_or_create(name=name)[0].pk for name in CATEGORIES]
    sessions = _sessions(year_list)
    numbers = {
        year: (Suggestion.objects.filter(session=s).aggregate(m=models.Max("number"))["m"] or 0)
        for year, s in sessions.items()
    }
    ids = {model: _Ids(model) for model in (Suggestion, Assignment, Reply, Contact, Evaluation, Deadline, Commitment)}
    stats = Stats(units=len(unit_ids))

    ids[CoSigner] = _Ids(CoSigner)
    deputy_pick = _Picker(rng, deputies, deputy_weights)
    unit_pick = _Picker(rng, unit_ids, unit_weights)
    # Commitments draw from their own stream, so the rest of a seed's data is what it was without them.
    crng = random.Random(seed * 7919 + 17)
    made = 0
    while made < suggestions:
        size = min(chunk, suggestions - made)
        with transaction.atomic():
            _chunk(size, rng, today, year_list, sessions, numbers, unit_pick, deputy_pick, staff,
                   categories, ids, stats, crng)  # fmt: skip
        made += size
        if progress:
            progress(size)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(ids)):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            # Fresh statistics, so the first benchmark run is planned on the real row counts.
            for model in ids:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return stats


# Average suggestions per deputy over the generated years.
DEPUTY_SUGGESTIONS = 12


def unit_workloads(count: int) -> list[float]:
    """Relative workload per unit: three very large bureaus (about a tenth of all assignments each
    at 300 units: 水利, 交通, 住建), then a long tail where most units handle a modest share."""
    tail = [1.0 / (1 + i) ** 0.8 for i in range(count)]
    big = min(3, count)
    total_tail = sum(tail[big:]) or 1.0
    weights = [total_tail * 0.12] * big + tail[big:]
    return weights


class _Picker:
    """Weighted choice by bisection over precomputed cumulative weights (rng.choices rebuilds them per call)."""

    def __init__(self, rng: random.Random, values: list[int], weights: list[float]):
        self.rng, self.values = rng, values
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self) -> int:
        return self.values[bisect.bisect(self.cum, self.rng.random() * self.total, hi=len(self.cum) - 1)]


PAST_STATES = [
    ("closed", 80), ("follow_up", 5), ("replied", 2), ("rehandling", 1), ("handling", 2), ("withdrawn", 2),
    ("not_accepted", 2), ("merged", 1), ("closed_rehandled", 5),
]  # fmt: skip
CURRENT_STATES = [
    ("registered", 3), ("assigned", 6), ("handling", 30), ("replied", 15), ("closed", 30), ("follow_up", 5),
    ("rehandling", 3), ("withdrawn", 2), ("not_accepted", 3), ("merged", 1), ("closed_rehandled", 2),
]  # fmt: skip


def _pick(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([s for s, _w in table], weights=[w for _s, w in table])[0]


def _chunk(size, rng, today, year_list, sessions, numbers, unit_pick, deputy_pick, staff, categories, ids,
           stats, crng):  # fmt: skip
    now = timezone.now()
    sugg, assigns, replies, contacts, evals, deadlines, cosigners = [], [], [], [], [], [], []
    commitments: list[Row] = []
    for _ in range(size):
        year = rng.choice(year_list)
        session = sessions[year]
        current = year == today.year
        state = _pick(rng, CURRENT_STATES if current else PAST_STATES)
        rehandled = state in ("rehandling", "closed_rehandled")
        status = "closed" if state == "closed_rehandled" else state
        latest = min(today - dt.timedelta(days=45), dt.date(year, 12, 31))
        start = min(dt.date(year, 1, 15), latest)
        span = max(1, (latest - start).days)
        registered_day = start + dt.timedelta(days=int(rng.random() ** 2 * min(span, 200)))
        numbered = status not in ("not_accepted", "merged")
        if numbered:
            numbers[year] += 1
        deputy = deputy_pick()
        submitted = _aware(registered_day - dt.timedelta(days=3), rng)
        s = Row(
            id=ids[Suggestion](),
            title=f"关于{rng.choice(TOPICS)}的建议",
            body="（生成数据）",
            category_id=rng.choice(categories),
            session_id=session.pk,
            lead_deputy_id=deputy,
            status=status,
            number=numbers[year] if numbered else None,
            complex=rng.random() < 0.1,
            round=2 if rehandled else 1,
            submitted_at=submitted,
            created_at=submitted - dt.timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600)),
            updated_at=now,
            registered_at=_aware(registered_day, rng) if numbered else None,
        )
        sugg.append(s)
        # About a third are joint suggestions (联名) with one to four co-signers.
        if rng.random() < 0.3:
            for co in {deputy_pick() for _c in range(rng.randint(1, 4))} - {deputy}:
                cosigners.append(Row(id=ids[CoSigner](), suggestion_id=s.id, deputy_id=co, status="confirmed",
                                     responded_at=submitted))  # fmt: skip
        if status in ("not_accepted", "merged", "registered"):
            continue
        assigned_day = registered_day + dt.timedelta(days=rng.randint(2, 10))
        s.assigned_at = _aware(assigned_day, rng)
        original_due = assigned_day + relativedelta(months=6 if s.complex else 3)
        lead_count = 2 if rng.random() < 0.12 else 1
        co_count = rng.choices([0, 1, 2], weights=[60, 30, 10])[0]
        chosen_list = list(dict.fromkeys(unit_pick() for _u in range(lead_count + co_count + 2)))
        chosen_list = chosen_list[: lead_count + co_count]
        replied_state = status in ("replied", "closed", "follow_up", "rehandling")
        latest_release = None
        for index, unit_id in enumerate(chosen_list):
            lead = index < lead_count
            extended = lead and rng.random() < 0.08
            due = original_due + relativedelta(months=1) if extended else original_due
            a = Row(
                id=ids[Assignment](),
                suggestion_id=s.id,
                unit_id=unit_id,
                role="lead" if lead else "co",
                assigned_at=s.assigned_at,
                assigned_by_id=staff.pk,
                due_date=due,
                original_due_date=original_due,
                status="pending" if status == "assigned" else "accepted",
            )
            if status != "assigned":
                a.signed_at = _aware(assigned_day + dt.timedelta(days=rng.randint(0, 3)), rng)
            assigns.append(a)
            if not lead:
                if replied_state and rng.random() < 0.9:
                    a.status = "opinion_sent"
                    a.replied_at = _aware(assigned_day + dt.timedelta(days=rng.randint(10, 40)), rng)
                continue
            if not replied_state:
                deadline = _deadline(ids, "reply", a, s, assigned_day, due, None)
                if status == "withdrawn":
                    deadline.cancelled_at, deadline.next_reminder_on = now, None
                deadlines.append(deadline)
                continue
            # About three in four replies are on time.
            late = rng.random() < 0.25
            days = (
                rng.randint(20, (original_due - assigned_day).days)
                if not late
                else rng.randint((original_due - assigned_day).days + 1, (original_due - assigned_day).days + 60)
            )
            release_day = max(
                assigned_day + dt.timedelta(days=1),
                min(assigned_day + dt.timedelta(days=days), today - dt.timedelta(days=1)),
            )
            released = _aware(release_day, rng)
            latest_release = max(latest_release or released, released)
            a.status, a.replied_at = "replied", released
            result_class = rng.choices("ABCD", weights=[45, 35, 15, 5])[0]
            replies.append(Row(
                id=ids[Reply](), assignment_id=a.id, round=1, body="（生成答复）", result_class=result_class,
                adoption="adopted", status="superseded" if state == "closed_rehandled" else "released",
                drafted_by_id=staff.pk, signer_id=staff.pk, released_at=released,
                on_time=release_day <= original_due,
            ))  # fmt: skip
            deadlines.append(_deadline(ids, "reply", a, s, assigned_day, due, released))
            if result_class in "BC":
                commitments += _commitments(crng, ids, replies[-1].id, release_day, today, deputy)
            for _c in range(rng.choices([0, 1, 2, 3], weights=[5, 50, 35, 10])[0]):
                phase = rng.choices(["before", "during", "after"], weights=[50, 40, 10])[0]
                offset = rng.randint(1, max(1, days - 1))
                contacts.append(Row(
                    id=ids[Contact](), assignment_id=a.id, phase=phase, method="phone", met_by="division",
                    contacted_at=_aware(assigned_day + dt.timedelta(days=offset), rng), summary="（生成）",
                    created_by_id=staff.pk,
                ))  # fmt: skip
            if rehandled:
                rehandle_start = release_day + dt.timedelta(days=rng.randint(5, 20))
                re_due = rehandle_start + relativedelta(months=1)
                a.due_date = re_due
                if state == "closed_rehandled":
                    re_release = _aware(min(rehandle_start + dt.timedelta(days=rng.randint(10, 35)), today), rng)
                    replies.append(Row(
                        id=ids[Reply](), assignment_id=a.id, round=2, body="（重新办理答复）",
                        result_class=rng.choices("AB", weights=[70, 30])[0], adoption="adopted", status="released",
                        drafted_by_id=staff.pk, signer_id=staff.pk, released_at=re_release,
                        on_time=re_release.date() <= re_due,
                    ))  # fmt: skip
                    deadlines.append(_deadline(ids, "rehandling_reply", a, s, rehandle_start, re_due, re_release))
                else:
                    a.status = "accepted"
                    deadlines.append(_deadline(ids, "rehandling_reply", a, s, rehandle_start, re_due, None))
        if latest_release is not None:
            s.replied_at = latest_release
        rated = status in ("closed", "follow_up") or rehandled
        if rated and latest_release is not None:
            if state == "closed" and rng.random() < 0.12:
                s.no_evaluation = True
            else:
                first = (
                    "unsatisfied"
                    if rehandled
                    else rng.choices(["satisfied", "basically_satisfied", "unsatisfied"], weights=[72, 24, 4])[0]
                )
                evals.append(Row(
                    id=ids[Evaluation](), suggestion_id=s.id, deputy_id=deputy, round=1, is_lead=True,
                    attitude="satisfied", result=first, comment="（生成）" if first == "unsatisfied" else "",
                ))  # fmt: skip
                if state == "closed_rehandled":
                    evals.append(Row(
                        id=ids[Evaluation](), suggestion_id=s.id, deputy_id=deputy, round=2, is_lead=True,
                        attitude="satisfied", result=rng.choices(["satisfied", "basically_satisfied", "unsatisfied"],
                                                                 weights=[60, 30, 10])[0],
                    ))  # fmt: skip
        if status == "closed":
            s.closed_at = min(now, (latest_release or s.assigned_at) + dt.timedelta(days=rng.randint(5, 30)))
    for model, rows in (
        (Suggestion, sugg),
        (Assignment, assigns),
        (Reply, replies),
        (Contact, contacts),
        (Evaluation, evals),
        (Deadline, deadlines),
        (CoSigner, cosigners),
        (Commitment, commitments),
    ):
        bulk_insert(model, rows, now)
    stats.suggestions += len(sugg)
    stats.assignments += len(assigns)
    stats.replies += len(replies)
    stats.contacts += len(contacts)
    stats.evaluations += len(evals)
    stats.deadlines += len(deadlines)
    stats.cosigners += len(cosigners)
    stats.commitments += len(commitments)


def _commitments(
    crng: random.Random, ids, reply_id: int, release_day: dt.date, today: dt.date, deputy: int
) -> list[Row]:
    """One or two commitments of a B/C reply; once fallen due most are confirmed, most of those delivered."""
    rows = []
    for _c in range(crng.choice((1, 1, 2))):
        target = release_day + dt.timedelta(days=crng.randint(30, 240))
        c = Row(id=ids[Commitment](), reply_id=reply_id, description="（生成承诺）", target_date=target)
        if target <= today and crng.random() < 0.85:
            c.delivery = "delivered" if crng.random() < 0.8 else "not_delivered"
            c.delivery_confirmed_at = _aware(min(today, target + dt.timedelta(days=crng.randint(0, 20))), crng)
            c.delivery_confirmed_by_id = deputy
        rows.append(c)
    return rows


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def bulk_insert(model: type[models.Model], rows: list[Row], now: dt.datetime) -> None:
    """Insert prepared rows: PostgreSQL's COPY (nothing is compiled per value, so millions of rows
    take minutes), `bulk_create` on other databases. Unset columns take the field's default."""
    if not rows:
        return
    fields = list(model._meta.concrete_fields)
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default()
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**{**defaults, **row}) for row in rows], batch_size=2000)
        return
    attnames = [f.attname for f in fields]
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(row[name] if name in row else defaults[name]) for name in attnames))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN", buffer
        )


def _deadline(ids, kind, a, s, starts_on, due, satisfied_at) -> Row:
    return Row(
        id=ids[Deadline](),
        kind=kind,
        party="unit",
        unit_id=a.unit_id,
        suggestion_id=s.id,
        assignment_id=a.id,
        starts_on=starts_on,
        due_date=due,
        original_due_date=due,
        satisfied_at=satisfied_at,
        next_reminder_on=None if satisfied_at else starts_on,
    )
