"""The hand-built data set every metric test reads ("today" is 2026-09-01 in Shanghai).

Session 2026 (year 2026). Units: water (水务局) leads S1–S7, finance (财政局) leads S9,
education (教育局) holds only a co-assignment. Category cat1 = S1–S4, cat2 = S5–S7 and S9.

| id | lead  | state                  | first reply (class) | on time | contact ok | lead ratings        | deadline     |
|----|-------|------------------------|---------------------|---------|------------|---------------------|--------------|
| S1 | water | closed                 | 04-20 (A)           | yes     | yes        | r1 satisfied        |              |
| S2 | water | follow_up, extended    | 05-20 (B)           | no      | no (after) | r1 basically        |              |
| S3 | water | closed after re-handl. | 03-10 (C), r2 A     | yes     | yes        | r1 unsat, r2 sat    |              |
| S4 | water | rehandling             | 04-01 (B)           | yes     | yes        | r1 unsat            | rehandl. 08-15 overdue |
| S5 | water | handling               | —                   |         |            |                     | reply 08-01 overdue |
| S6 | water | handling               | —                   |         |            |                     | reply 09-05 due soon |
| S7 | water | closed, no evaluation  | 04-15 (A)           | yes     | yes        |                     |              |
| S8 | water | WITHDRAWN (excluded)   |                     |         |            |                     | reply 08-01 (ignored) |
| S9 | finance (water returned) | closed | 06-10 (A)      | no      | yes        | r1 satisfied        |              |
| S10| —     | registered, unassigned |                     |         |            |                     |              |
| S11| water | closed, session 2025   | (other year)        |         |            |                     |              |
| S12| water | merged, unnumbered     | (excluded)          |         |            |                     |              |

Commitments (承诺事项) and their latest delivery confirmation (落实):

| on | commitment due | latest confirmation | counts as |
|----|----------------|---------------------|-----------|
| S2 (B) | 07-01 | delivered | confirmed, delivered |
| S2 (B) | 08-01 | not delivered (owed again) | confirmed, not delivered |
| S2 (B) | 10-01 | — (not due) | neither |
| S3 round 1 (C, superseded) | 06-01 | delivered | confirmed, delivered (the superseded reply's promise was kept) |
| S4 (B) | 06-01 | not delivered on 06-02, then delivered on 07-10 | once, by the latest: confirmed, delivered |
| S8 (withdrawn) | 06-01 | delivered | excluded with S8 |
| S9, water's returned assignment | 06-01 | not delivered | excluded: water is off S9 |
| S11 (session 2025) | 2025-06-01 | delivered | 2025 only |
| S11 (session 2025) | 2026-03-01 | — (fallen due, nobody confirmed) | 2025 only: fallen due, not confirmed |
| S11 (session 2025) | 2026-12-01, reported done 08-20 | — | 2025 only: fallen due (reported done), not confirmed |
"""

from __future__ import annotations

import types

import pytest
import time_machine

from conftest import make_unit
from suggestions.models import Category, CongressSession

from . import factories as f


@pytest.fixture
def today():
    with time_machine.travel(f.at("2026-09-01", 9), tick=False):
        yield


@pytest.fixture
def dataset(today, session_2026, category, alice, bob, sam, water, finance, education):
    cat1, cat2 = category, Category.objects.create(name="财政经济")
    session_2025 = CongressSession.objects.create(term=16, number=3, year=2025)
    ns = types.SimpleNamespace(water=water, finance=finance, education=education, cat1=cat1, cat2=cat2)

    s1 = f.suggestion(session_2026, alice, status="closed", category=cat1, closed_at=f.at("2026-05-10"))
    a1 = f.assign(s1, water, sam, status="replied")
    f.reply(a1, sam, released="2026-04-20", result_class="A")
    f.contact(a1, sam, phase="before", day="2026-03-01")
    f.rate(s1, alice, result="satisfied")
    f.assign(s1, finance, sam, role="co", status="opinion_sent")

    s2 = f.suggestion(session_2026, alice, status="follow_up", category=cat1)
    a2 = f.assign(s2, water, sam, status="replied", due="2026-06-01", original="2026-05-01")
    r2 = f.reply(a2, sam, released="2026-05-20", result_class="B")
    f.commitment(r2, target="2026-07-01", delivery="delivered", by=alice)
    f.commitment(r2, target="2026-08-01", delivery="not_delivered", by=alice)
    f.commitment(r2, target="2026-10-01")
    f.contact(a2, sam, phase="during", day="2026-05-25")  # after the release: does not count
    f.contact(a2, sam, phase="after", day="2026-05-10")  # wrong phase: does not count
    f.rate(s2, alice, result="basically_satisfied")
    f.rate(s2, bob, result="unsatisfied", is_lead=False)  # a co-signer's rating never counts

    s3 = f.suggestion(session_2026, alice, status="closed", category=cat1, round=2, closed_at=f.at("2026-07-20"))
    a3 = f.assign(s3, water, sam, status="replied", due="2026-07-15", original="2026-05-01")
    r3 = f.reply(a3, sam, released="2026-03-10", result_class="C", status="superseded")
    f.commitment(r3, target="2026-06-01", delivery="delivered", by=alice)
    f.reply(a3, sam, released="2026-07-01", result_class="A", round=2)
    f.contact(a3, sam, phase="before", day="2026-03-01")
    f.rate(s3, alice, result="unsatisfied", round=1)
    f.rate(s3, alice, result="satisfied", round=2)

    s4 = f.suggestion(session_2026, alice, status="rehandling", category=cat1, round=2)
    a4 = f.assign(s4, water, sam, status="accepted", assigned="2026-03-05", due="2026-08-15", original="2026-06-05")
    r4 = f.reply(a4, sam, released="2026-04-01", result_class="B")
    # Confirmed not delivered on 06-02 (owed again), then delivered on 07-10: the latest counts.
    f.commitment(r4, target="2026-06-01", delivery="delivered", confirmed="2026-07-10", by=alice)
    f.contact(a4, sam, phase="before", day="2026-03-20")
    f.rate(s4, alice, result="unsatisfied")
    f.deadline(s4, a4, due="2026-05-01", satisfied=True)  # the first-round reply deadline, met
    f.deadline(s4, a4, due="2026-08-15", kind="rehandling_reply")

    s5 = f.suggestion(session_2026, alice, status="handling", category=cat2)
    a5 = f.assign(s5, water, sam, assigned="2026-05-01", due="2026-08-01")
    f.deadline(s5, a5, due="2026-08-01")

    s6 = f.suggestion(session_2026, alice, status="handling", category=cat2)
    a6 = f.assign(s6, water, sam, assigned="2026-06-05", due="2026-09-05")
    f.deadline(s6, a6, due="2026-09-05")

    s7 = f.suggestion(
        session_2026, alice, status="closed", category=cat2, no_evaluation=True, closed_at=f.at("2026-05-20")
    )
    a7 = f.assign(s7, water, sam, status="replied", assigned="2026-02-10")
    f.reply(a7, sam, released="2026-04-15", result_class="A")
    f.contact(a7, sam, phase="during", day="2026-04-01")

    s8 = f.suggestion(session_2026, alice, status="withdrawn", category=cat2)
    a8 = f.assign(s8, water, sam, assigned="2026-02-01", due="2026-08-01")
    f.deadline(s8, a8, due="2026-08-01")
    f.commitment(f.reply(a8, sam, released="2026-04-01", result_class="B"), target="2026-06-01", delivery="delivered")

    s9 = f.suggestion(session_2026, alice, status="closed", category=cat2, closed_at=f.at("2026-06-20"))
    a9_returned = f.assign(s9, water, sam, status="returned")
    r9_returned = f.reply(a9_returned, sam, released="2026-04-01", result_class="B", status="superseded")
    f.commitment(r9_returned, target="2026-06-01", delivery="not_delivered", by=alice)
    a9 = f.assign(s9, finance, sam, status="replied")
    f.reply(a9, sam, released="2026-06-10", result_class="A")
    f.contact(a9, sam, phase="before", day="2026-05-01")
    f.rate(s9, alice, result="satisfied")
    f.assign(s9, education, sam, role="co", status="pending")

    s10 = f.suggestion(session_2026, alice, status="registered", registered="2026-08-01")

    s11 = f.suggestion(session_2025, alice, status="closed", category=cat1, registered="2025-01-20")
    a11 = f.assign(s11, water, sam, status="replied", assigned="2025-02-01", due="2025-05-01")
    r11 = f.reply(a11, sam, released="2025-04-01", result_class="B")
    f.commitment(r11, target="2025-06-01", delivery="delivered", by=alice)
    f.commitment(r11, target="2026-03-01")  # fallen due, unconfirmed: weighs against the unit
    f.commitment(r11, target="2026-12-01", fulfilled="2026-08-20")  # reported done early: fallen due too

    s12 = f.suggestion(session_2026, alice, status="merged", numbered=False, category=cat1)
    f.assign(s12, water, sam, assigned="2026-02-01")

    ns.s = dict(enumerate([s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12], start=1))
    ns.session_2026, ns.session_2025 = session_2026, session_2025
    return ns


@pytest.fixture
def other_unit(db):
    return make_unit("ZJJ", "住建局")
