"""Maintained figures (dashboards.figures) equal the live computation (dashboards.metrics):
on the hand-computed data set once built, and after a long random walk of lifecycle actions
driven through the services, refreshed only by the transitions' own queue."""

from __future__ import annotations

import datetime as dt
import random
from contextlib import contextmanager
from unittest import mock

import pytest
import time_machine

from common.errors import ActionError
from dashboards import figures, selectors
from dashboards import metrics as m
from dashboards.models import Figure, FigureQueue
from suggestions import services
from suggestions.models import (
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    Suggestion,
    SuggestionStatus,
)
from testing.factories import draft_reply, lead_assignment, log_contact, suggestion_in_state

from . import factories as f

pytestmark = pytest.mark.django_db


@contextmanager
def live():
    with mock.patch.object(figures, "serves", return_value=False):
        yield


def snapshot(periods: list[m.Period]) -> dict:
    """Everything the served dashboards read, for each period."""
    settings = selectors.dashboard_settings()
    out = {}
    for period in periods:
        for dim in figures.SERVED:
            out[(period, dim)] = m.breakdown(dim, period)
        out[(period, "trend")] = selectors.monthly_trend(period)
        out[(period, "units")] = selectors.units_table(period, settings)
    return out


def assert_figures_equal_live(periods: list[m.Period]) -> None:
    with live():
        expected = snapshot(periods)
    assert figures.serves("unit", periods[0])
    with mock.patch.object(figures, "compute", side_effect=AssertionError("read must not compute")):
        actual = snapshot(periods)
    for key in expected:
        assert actual[key] == expected[key], key


def test_built_figures_equal_the_live_computation_on_the_hand_computed_data(dataset):
    figures.build()
    periods = [
        m.Period(year=2026),
        m.Period(year=2025),
        m.Period(year=2030),
        m.Period(session_id=dataset.session_2026.pk),
        m.Period(),
    ]
    assert_figures_equal_live(periods)
    # The hand-computed figures themselves (test_metrics): water's year, from the stored figures.
    water = m.breakdown("unit", m.Period(year=2026))[dataset.water.pk]
    assert (water["assigned"], water["due"], water["replied"], water["replied_on_time"]) == (7, 6, 5, 4)
    assert figures.breakdown(None, m.Period(year=2026))[None]["overdue"] == 2


def test_date_ranges_and_key_items_stay_live(dataset):
    figures.build()
    assert not figures.serves("unit", m.Period(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 6, 30)))
    assert not figures.serves("key_item", m.Period(year=2026))


def test_dashboards_read_a_few_stored_rows_not_the_facts(dataset, client, sam, django_assert_max_num_queries):
    """The overview and the units table come from the figures: a fixed handful of queries."""
    figures.build()
    client.force_login(sam)
    with mock.patch.object(figures, "compute", side_effect=AssertionError("no recomputation per request")):
        assert client.get("/dashboards/?year=2026").status_code == 200
        assert client.get("/dashboards/units/?year=2026").status_code == 200
        assert client.get("/api/v1/stats/years/").status_code == 200


def _walk_step(rng: random.Random, cast, pool: list[Suggestion]) -> None:
    """One random lifecycle action on a random suggestion; refusals (409/400/403) are part of the walk."""
    s = rng.choice(pool)
    s.refresh_from_db()
    lead = s.assignments.filter(role=AssignmentRole.LEAD).exclude(status=AssignmentStatus.RETURNED).first()
    unit_users = {cast.water.pk: (cast.henry, cast.hannah), cast.finance.pk: (cast.ivan, cast.iris)}
    actions = {
        "new": 2, "assign": 2, "sign": 2, "reply": 3, "evaluate_bad": 1, "evaluate_good": 1, "return": 2, "extend": 3,
        "merge": 1, "withdraw": 1, "close": 1, "reopen": 1,
    }  # fmt: skip
    action = rng.choices(list(actions), weights=list(actions.values()))[0]
    try:
        if action == "new":
            pool.append(suggestion_in_state(rng.choice(["registered", "handling", "replied"]), cast=cast))
        elif action == "assign" and s.status == SuggestionStatus.REGISTERED:
            unit = rng.choice([cast.water, cast.finance])
            services.suggestion_assign(suggestion=s, actor=cast.sam, lead_units=[unit], co_units=[])
        elif action == "sign" and lead is not None and lead.unit_id in unit_users:
            services.assignment_sign(assignment=lead, actor=unit_users[lead.unit_id][0])
        elif action == "reply" and lead is not None and lead.unit_id in unit_users:
            handler, head = unit_users[lead.unit_id]
            if rng.random() < 0.5:
                log_contact(lead, handler)
            services.reply_draft(
                assignment=lead, actor=handler, body="已办理。", result_class=rng.choice("AD"), adoption="adopted",
                public=True, commitments=[],
            )  # fmt: skip
            services.reply_approve(assignment=lead_assignment(s), actor=head)
        elif action in ("evaluate_bad", "evaluate_good"):
            result = "unsatisfied" if action == "evaluate_bad" else rng.choice(["satisfied", "basically_satisfied"])
            services.suggestion_evaluate(
                suggestion=s, actor=cast.alice, attitude="satisfied", result=result, comment="未解决"
            )
        elif action == "return" and lead is not None and lead.unit_id in unit_users:
            services.assignment_request_return(
                assignment=lead, actor=unit_users[lead.unit_id][0], reason="非本单位职责"
            )
            if rng.random() < 0.7:
                services.assignment_approve_return(assignment=lead, actor=cast.sam)
            else:
                services.assignment_refuse_return(assignment=lead, actor=cast.sam)
        elif action == "extend" and lead is not None and lead.unit_id in unit_users:
            services.assignment_request_extension(
                assignment=lead, actor=unit_users[lead.unit_id][0], reason="需要更多时间",
                due_date=lead.due_date + dt.timedelta(days=20),
            )  # fmt: skip
            services.assignment_approve_extension(assignment=lead, actor=cast.sam)
        elif action == "merge":
            into = rng.choice(pool)
            services.suggestion_merge(suggestion=s, actor=cast.sam, into=into)
        elif action == "withdraw":
            services.suggestion_withdraw(suggestion=s, actor=cast.alice)
        elif action == "close":
            services.suggestion_close(suggestion=s, actor=cast.sam, note="办结")
        elif action == "reopen":
            services.suggestion_reopen(suggestion=s, actor=cast.sam, reason="重新办理")
    except ActionError:
        pass


@pytest.mark.parametrize("seed", [1, 2])
def test_figures_kept_by_the_transitions_equal_live_after_a_long_random_walk(cast, seed):
    """Re-handling, returns, extensions, merges, withdrawals, closures: after every stretch of the
    walk, refreshing the queued cells leaves figures identical to the live computation."""
    rng = random.Random(seed)
    with time_machine.travel(f.at("2026-03-02", 9), tick=False) as traveller:
        pool = [suggestion_in_state(state, cast=cast) for state in ("registered", "handling", "replied", "closed")]
        draft_reply(suggestion_in_state("handling", cast=cast), cast)
        figures.build()
        periods = [m.Period(year=cast.session.year), m.Period(session_id=cast.session.pk), m.Period()]
        for stretch in range(6):
            for _step in range(25):
                _walk_step(rng, cast, pool)
            assert FigureQueue.objects.exists()  # the transitions queued their suggestions
            figures.process_queue(batch=7)
            assert not FigureQueue.objects.exists()
            assert_figures_equal_live(periods)
            # Days pass: overdue and due-soon move with today, from the same stored histograms.
            traveller.shift(dt.timedelta(days=17 * (stretch + 1)))
            assert_figures_equal_live([m.Period(year=cast.session.year)])
    statuses = set(Suggestion.objects.values_list("status", flat=True))
    assert Suggestion.objects.filter(round__gte=2).exists()  # re-handled at least once
    assert {"merged", "closed"} & statuses, statuses  # the walk went places
    assert Assignment.objects.filter(status=AssignmentStatus.RETURNED).exists()
    assert AssignmentRequest.objects.filter(kind="extension", status="approved").exists()
    assert Figure.objects.exists()


def test_a_transition_refreshes_after_commit_through_the_task(cast, django_capture_on_commit_callbacks, monkeypatch):
    # The task runs in this process (as without Redis); with a broker it would wait for a worker.
    from celery import current_app

    monkeypatch.setitem(current_app.conf, "task_always_eager", True)
    with time_machine.travel(f.at("2026-03-02", 9), tick=False):
        figures.build()
        with django_capture_on_commit_callbacks(execute=True):
            suggestion = suggestion_in_state("replied", cast=cast)
        assert not FigureQueue.objects.exists()
        rows = m.breakdown("unit", m.Period(year=cast.session.year))
        assert rows[cast.water.pk]["replied"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            services.suggestion_evaluate(
                suggestion=suggestion, actor=cast.alice, attitude="satisfied", result="unsatisfied", comment="未解决"
            )
        rows = m.breakdown("unit", m.Period(year=cast.session.year))
        assert rows[cast.water.pk]["rehandled"] == 1
