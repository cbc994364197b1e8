"""Maintained figures (dashboards.figures) equal the live computation (dashboards.metrics):
on the hand-computed data set once built, and after a long random walk of lifecycle actions
driven through the services, refreshed only by the transitions' own queue."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

import pytest
import time_machine

from accounts.models import Unit
from common.errors import ActionError
from dashboards import figures, page_selectors, selectors
from dashboards import metrics as m
from dashboards.models import Figure, FigureQueue, FigureState
from suggestions import services
from suggestions.models import (
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    Commitment,
    Delivery,
    Event,
    Suggestion,
    SuggestionStatus,
)
from suggestions.selectors import published_reply_exists_q
from testing.factories import draft_reply, lead_assignment, log_contact, suggestion_in_state
from textanalysis import insights

from . import factories as f

pytestmark = pytest.mark.django_db


STAFF = SimpleNamespace(is_office_staff=True)  # a reader who may open every suggestion


@contextmanager
def live():
    with (
        mock.patch.object(figures, "serves", return_value=False),
        mock.patch.object(figures, "earliest_open_deadline", return_value=None),
    ):
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
        # The unit sheet's row and rank (`unit_standing`): from the figures it ranks the other units
        # by their weighted rates' terms alone; live it is the assessment's row.
        for unit in Unit.objects.order_by("pk"):
            out[(period, "standing", unit.pk)] = selectors.unit_standing(unit, period, settings)
        out[(period, "satisfaction")] = selectors.satisfaction_counts(period)
        # The report's overdue list starts where the stored histograms say the period's deadlines do.
        out[(period, "overdue")] = list(page_selectors.overdue_assignments(STAFF, period).values_list("pk", flat=True))
    # The routing page's monthly return rate (textanalysis), every month.
    out["returns"] = insights.lead_returns(dt.date(2000, 1, 1))
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
    # Delivery (落实): S2's two confirmed commitments, S3's superseded one, S4's confirmed again.
    assert (water["delivery_confirmed"], water["delivered"], water["delivery_rate"]) == (4, 3, 0.75)
    # The report's satisfaction summary (test_pages): first round S1 S9 satisfied, S2 basically, S3 S4
    # unsatisfied; final S1 S3 S9, S2, S4.
    assert figures.satisfaction_counts(m.Period(year=2026)) == {
        "first": {"satisfied": 2, "basically_satisfied": 1, "unsatisfied": 2},
        "final": {"satisfied": 3, "basically_satisfied": 1, "unsatisfied": 1},
    }


def test_figures_of_an_older_layout_are_not_read_until_rebuilt(dataset):
    """A deployment that changes what the figures hold (FIGURES_VERSION) computes live until
    `build_figures` has run: a report never reads a summary the old build did not store."""
    figures.build()
    FigureState.objects.update(version=figures.FIGURES_VERSION - 1)
    assert not figures.serves(None, m.Period(year=2026))
    assert selectors.satisfaction_counts(m.Period(year=2026))["final"]["satisfied"] == 3
    figures.build()
    assert figures.serves(None, m.Period(year=2026))


def test_the_periodic_refresh_builds_figures_missing_or_of_an_older_layout(dataset):
    """Nobody has to remember `build_figures`: the refresh task builds them on a new installation
    and after a release that changed their layout, then they equal the live computation."""
    from dashboards.tasks import refresh_figures

    assert not figures.is_built()
    refresh_figures()
    assert figures.is_built() and Figure.objects.exists()
    assert_figures_equal_live([m.Period(year=2026)])
    FigureState.objects.update(version=figures.FIGURES_VERSION - 1)
    Figure.objects.all().delete()
    refresh_figures()
    assert figures.is_built() and figures.serves(None, m.Period(year=2026))
    assert_figures_equal_live([m.Period(year=2026)])


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
        "new": 2, "assign": 2, "sign": 2, "reply": 3, "evaluate_bad": 1, "evaluate_good": 1, "return": 3, "extend": 3,
        "merge": 1, "withdraw": 1, "close": 1, "reopen": 1, "fulfil": 1, "delivered": 2, "not_delivered": 2,
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
            result_class = rng.choice("ABCD")
            # A B/C reply commits to something, due within a stretch or two of the walk.
            commitments = [
                {"description": "完成改造", "target_date": m.today() + dt.timedelta(days=rng.randint(1, 40))}
                for _c in range(rng.randint(1, 2) if result_class in "BC" else 0)
            ]
            services.reply_draft(
                assignment=lead, actor=handler, body="已办理。", result_class=result_class, adoption="adopted",
                public=True, commitments=commitments,
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
        elif action in ("fulfil", "delivered", "not_delivered"):
            # Any commitment of the walk (a random suggestion seldom has one): a refusal when not due yet.
            commitments = list(Commitment.objects.filter(reply__released_at__isnull=False).order_by("pk"))
            if not commitments:
                return
            commitment = rng.choice(commitments)
            if action == "fulfil":
                unit = commitment.reply.assignment.unit_id
                if unit in unit_users:
                    services.commitment_fulfil(commitment=commitment, actor=unit_users[unit][0], note="已完成")
            else:
                # 落实: delivered, or not (the follow-up reopens and the unit owes it again).
                services.commitment_confirm_delivery(
                    commitment=commitment, actor=cast.alice, delivered=action == "delivered", note="现场查看未落实"
                )
    except ActionError:
        pass


# Seeds whose walks reach every path asserted at the end (returns, re-handling, delivery both ways,
# a commitment re-opened and confirmed again, a closed suggestion reopened by an undelivered one).
@pytest.mark.parametrize("seed", [2, 7])
def test_figures_kept_by_the_transitions_equal_live_after_a_long_random_walk(cast, seed):
    """Re-handling, returns, extensions, merges, withdrawals, closures, commitments confirmed delivered
    or not (and re-opened, then confirmed again): after every stretch of the walk, refreshing the
    queued cells leaves figures identical to the live computation."""
    rng = random.Random(seed)
    with time_machine.travel(f.at("2026-03-02", 9), tick=False) as traveller:
        states = ("registered", "handling", "replied", "closed", "follow_up", "follow_up")
        pool = [suggestion_in_state(state, cast=cast) for state in states]
        draft_reply(suggestion_in_state("handling", cast=cast), cast)
        figures.build()
        periods = [m.Period(year=cast.session.year), m.Period(session_id=cast.session.pk), m.Period()]
        for stretch in range(6):
            for _step in range(25):
                _walk_step(rng, cast, pool)
                # The stored "has a published reply" (suggestions 0015) is the rule asked of the replies.
                assert set(Suggestion.objects.filter(has_published_reply=True).values_list("pk", flat=True)) == set(
                    Suggestion.objects.filter(published_reply_exists_q()).values_list("pk", flat=True)
                )
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
    # Delivery (落实) went both ways, and some commitment confirmed undelivered was confirmed again.
    actions = set(Event.objects.values_list("action", flat=True))
    assert {"commitment_delivered", "commitment_not_delivered"} <= actions
    assert Commitment.objects.filter(delivery=Delivery.DELIVERED).exists()
    confirmations = Counter(
        e.detail["commitment"]
        for e in Event.objects.filter(action__in=["commitment_delivered", "commitment_not_delivered"])
    )
    not_delivered = {e.detail["commitment"] for e in Event.objects.filter(action="commitment_not_delivered")}
    assert any(confirmations[c] >= 2 for c in not_delivered)  # re-opened, then confirmed again
    assert Event.objects.filter(action="delivery_reopen").exists()  # a closed suggestion reopened for it
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


def test_a_delivery_confirmation_refreshes_the_cells_after_commit(
    cast, django_capture_on_commit_callbacks, monkeypatch
):
    """Confirming a commitment (not delivered, then delivered) moves the unit's and the category's
    delivery figures through the transitions' queue, as a reply does."""
    from celery import current_app

    monkeypatch.setitem(current_app.conf, "task_always_eager", True)
    with time_machine.travel(f.at("2026-03-02", 9), tick=False) as traveller:
        suggestion = suggestion_in_state("follow_up", cast=cast)
        commitment = Commitment.objects.get(reply__assignment__suggestion=suggestion)
        figures.build()
        period = m.Period(year=cast.session.year)

        def delivery() -> tuple:
            unit = m.breakdown("unit", period)[cast.water.pk]
            category = m.breakdown("category", period)[cast.category.pk]
            assert (category["delivery_confirmed"], category["delivered"]) == (
                unit["delivery_confirmed"],
                unit["delivered"],
            )
            return unit["delivery_confirmed"], unit["delivered"], unit["delivery_rate"]

        assert delivery() == (0, 0, None)  # not confirmed yet: counts in neither
        traveller.move_to(dt.datetime.combine(commitment.target_date, dt.time(10), tzinfo=f.SH))
        with django_capture_on_commit_callbacks(execute=True):
            services.commitment_confirm_delivery(
                commitment=commitment, actor=cast.alice, delivered=False, note="泵站仍未动工"
            )
        assert not FigureQueue.objects.exists()
        assert delivery() == (1, 0, 0.0)
        # Re-opened: the unit owes it again; the latest confirmation replaces the first, counted once.
        traveller.shift(dt.timedelta(days=20))
        with django_capture_on_commit_callbacks(execute=True):
            services.commitment_confirm_delivery(commitment=commitment, actor=cast.alice, delivered=True)
        assert delivery() == (1, 1, 1.0)
        with live():
            assert m.breakdown("unit", period)[cast.water.pk]["delivered"] == 1
