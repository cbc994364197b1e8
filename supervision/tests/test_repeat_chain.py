"""Must show 5: "raised N times since YEAR" on the demo's 南冲电排站 and on a hand-built chain of ten."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from suggestions.models import CongressSession, Suggestion
from supervision.selectors import repeat_chain, repeat_summary

pytestmark = pytest.mark.django_db


def render_chain(suggestion, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("supervision/_repeat_chain.html", {"suggestion": suggestion}, request=request)


@pytest.fixture
def chain_of_ten(alice, make_suggestion, session_2026):
    """The same matter raised every year from 2017 to 2026; each links to the year before (drafted
    with `repeat_of`, then taken to handling through the services)."""
    previous, made = None, []
    for i, year in enumerate(range(2017, 2027)):
        # Terms numbered below the cast's 十六届四次 (2026), which is the last link's session.
        session = (
            session_2026
            if year == 2026
            else CongressSession.objects.create(term=14 + i // 5, number=i % 5 + 1, year=year)
        )
        previous = make_suggestion(session, title=f"关于建设南冲电排站的建议({year})", repeat_of=previous)
        made.append(previous)
    return made


def test_hand_built_chain_of_ten(chain_of_ten, alice, django_assert_num_queries):
    first, middle, last = chain_of_ten[0], chain_of_ten[4], chain_of_ten[-1]
    for s in (first, middle, last):
        # Two queries however long the chain: one recursive walk, one fetch.
        with django_assert_num_queries(2):
            chain = repeat_chain(s)
        assert [x.pk for x in chain] == [x.pk for x in chain_of_ten]
        summary = repeat_summary(s)
        assert summary["count"] == 10 and summary["since_year"] == 2017
    with translation.override("en"):
        html = render_chain(last, alice)
    assert "Raised 10 times since 2017" in html
    assert html.count("<li") == 10 and 'aria-current="true"' in html
    with translation.override("zh-hans"):
        assert "自2017年以来共提出10次" in render_chain(middle, alice)
    # The first of the chain is where the matter started: it does not say it was raised "since" itself.
    with translation.override("en"):
        first_html = render_chain(first, alice)
    assert "First raised in 2017; raised 10 times in all, the last in 2026" in first_html
    assert "since 2017" not in first_html
    with translation.override("zh-hans"):
        assert "2017年首次提出，至2026年共提出10次" in render_chain(first, alice)


def test_a_suggestion_never_raised_before_shows_nothing(drainage, alice):
    assert repeat_summary(drainage)["count"] == 1
    assert render_chain(drainage, alice).strip() == ""


def test_a_cycle_entered_by_hand_does_not_loop(chain_of_ten):
    first, last = chain_of_ten[0], chain_of_ten[-1]
    Suggestion.objects.filter(pk=first.pk).update(repeat_of=last)
    assert first in repeat_chain(first)  # terminates; the broken chain still shows the suggestion itself


def test_demo_drainage_station_was_raised_ten_times(sam):
    from django.core.management import call_command

    call_command("load_demo")
    latest = Suggestion.objects.get(title="关于尽快建设南冲电排站的建议")
    summary = repeat_summary(latest)
    first_year = timezone.localdate().year - 9
    assert summary["count"] == 10 and summary["since_year"] == first_year
    with translation.override("en"):
        assert f"Raised 10 times since {first_year}" in render_chain(latest, sam)
