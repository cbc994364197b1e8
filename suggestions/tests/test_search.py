"""Chinese full-text search (issue 14): words after segmentation, all of them in any order, a place
name from the domain dictionary, numbers, replies only as far as the reader may read them, ranked,
highlighted, and never a confidential suggestion for an outsider. Same results on SQLite."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from suggestions import services
from suggestions.models import SearchDocument, Suggestion
from testing.factories import draft, lead_assignment, log_contact, suggestion_in_state

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def search(client, words: str) -> list[int]:
    return ids(client.get("/api/v1/suggestions/", {"search": words}))


@pytest.fixture
def corpus(cast):
    """Three registered suggestions of alice's; staff see all of them."""
    station = suggestion_in_state("registered", cast=cast, title="关于改造南冲电排站的建议")
    relief = draft(cast, title="关于提高农村低保标准的建议", body="台山市部分农村低保户生活困难，建议提高标准。")
    services.suggestion_submit(suggestion=relief, actor=cast.alice)
    services.suggestion_accept(suggestion=relief, actor=cast.sam)
    holiday = draft(cast, title="关于调休安排提前公布的建议", body="调休安排影响群众出行，建议提前一个月公布。")
    return station, relief, holiday


def test_two_words_match_in_any_order(cast, api, corpus):
    station, _relief, _holiday = corpus
    staff = api(cast.sam)
    assert search(staff, "南冲 电排站") == [station.pk]
    assert search(staff, "电排站 南冲") == [station.pk]
    assert search(staff, "南冲电排站") == [station.pk]
    # Every word must match: 南冲 and 低保 are never in one suggestion.
    assert search(staff, "南冲 低保") == []


def test_place_name_and_domain_terms_from_the_dictionary(cast, api, corpus):
    station, relief, holiday = corpus
    staff = api(cast.sam)
    assert search(staff, "台山") == [relief.pk]  # the body says 台山市; the dictionary splits out 台山
    assert search(staff, "低保") == [relief.pk]
    assert search(staff, "排涝") == [station.pk]  # a word of the body, not the title
    assert search(api(cast.alice), "调休") == [holiday.pk]
    assert search(api(cast.carol), "调休") == []  # alice's draft is hers alone


def test_a_number_finds_its_suggestion(cast, api, corpus):
    station, relief, _holiday = corpus
    station.refresh_from_db()
    relief.refresh_from_db()
    staff = api(cast.sam)
    assert search(staff, str(relief.number)) == [relief.pk]
    assert search(staff, f"第{relief.number:04d}号") == [relief.pk]
    assert search(staff, f"{station.number} 电排站") == [station.pk]
    assert search(staff, f"{relief.number} 电排站") == []


def test_a_confidential_suggestion_is_never_found_by_an_outsider(cast, api):
    secret = suggestion_in_state(
        "replied", cast=cast, confidential=True, public=True, title="关于南冲电排站保密事项的建议"
    )
    open_one = suggestion_in_state("replied", cast=cast, public=True, title="关于南冲电排站公开事项的建议")
    assert search(api(cast.carol), "南冲 电排站") == [open_one.pk]
    assert search(api(cast.oscar), "南冲 电排站") == []
    assert sorted(search(api(cast.sam), "南冲 电排站")) == sorted([secret.pk, open_one.pk])
    page = api().get("/public/", {"q": "南冲 电排站"})
    assert "保密事项" not in page.content.decode() and "公开事项" in page.content.decode()


def test_replies_count_only_where_the_reader_may_read_them(cast, api):
    private = suggestion_in_state("handling", cast=cast, title="关于改造南冲电排站的建议")
    lead = lead_assignment(private)
    log_contact(lead, cast.henry)
    services.reply_draft(
        assignment=lead, actor=cast.henry, body="已将外海泵站列入年度计划。", result_class="A",
        adoption="adopted", public=False, commitments=[],
    )  # fmt: skip
    assert search(api(cast.sam), "外海") == []  # a draft reply is not searchable yet
    services.reply_approve(assignment=lead_assignment(private), actor=cast.hannah)
    assert search(api(cast.sam), "外海") == [private.pk]
    assert search(api(cast.alice), "外海") == [private.pk]  # her own suggestion's reply
    assert search(api(cast.henry), "外海") == [private.pk]
    assert search(api(cast.carol), "外海") == []  # not public, not hers


def test_ranked_best_first_with_highlights(cast, api):
    weak = suggestion_in_state("registered", cast=cast, title="关于农村道路的建议")
    Suggestion.objects.filter(pk=weak.pk).update(body="顺带一提，南冲也有问题。")
    weak.save(update_fields=["body"])  # a write through save keeps the index current
    strong = suggestion_in_state("registered", cast=cast, title="关于南冲电排站<改造>的建议")
    response = api(cast.sam).get("/api/v1/suggestions/", {"search": "南冲"})
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [strong.pk, weak.pk]
    assert rows[0]["highlight"]["title"] == "关于<mark>南冲</mark>电排站&lt;改造&gt;的建议"
    assert "<mark>南冲</mark>" in rows[1]["highlight"]["body"]
    assert api(cast.sam).get("/api/v1/suggestions/").json()["results"][0]["highlight"] is None


def test_pages_mark_the_words_and_escape_the_rest(cast, client):
    suggestion_in_state("registered", cast=cast, title="关于南冲电排站<b>改造</b>的建议")
    client.force_login(cast.sam)
    html = client.get("/suggestions/", {"q": "电排站"}).content.decode()
    assert "<mark>电排站</mark>" in html
    assert "&lt;b&gt;改造&lt;/b&gt;" in html and "<b>改造</b>" not in html


def test_editing_the_title_updates_the_index(cast, api):
    suggestion = draft(cast, title="关于开平碉楼保护的建议")
    alice = api(cast.alice)
    assert search(alice, "碉楼") == [suggestion.pk]
    services.suggestion_update(suggestion=suggestion, actor=cast.alice, title="关于恩平温泉开发的建议")
    assert search(alice, "碉楼") == []
    assert search(alice, "恩平") == [suggestion.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector index is PostgreSQL's")
def test_rebuild_command_restores_a_lost_index(cast, api, capsys):
    station = suggestion_in_state("registered", cast=cast)
    SearchDocument.objects.all().delete()
    assert search(api(cast.sam), "电排站") == []
    call_command("rebuild_search_index", batch=1)
    assert "Indexed 1 suggestions" in capsys.readouterr().out
    assert search(api(cast.sam), "电排站") == [station.pk]


def test_a_search_list_runs_a_fixed_number_of_queries(cast, api):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    staff = api(cast.sam)
    counts = []
    for n in (2, 6):
        while Suggestion.objects.count() < n:
            suggestion_in_state("registered", cast=cast, title=f"关于南冲电排站第{Suggestion.objects.count()}期的建议")
        with CaptureQueriesContext(conn) as queries:
            assert len(search(staff, "南冲 电排站")) == n
        counts.append(len(queries))
    # PostgreSQL: the words' statistics, the ranked window (one query, whatever the matches), the
    # page's rows with their co-signers and units (one query), the reply passages; SQLite has no
    # statistics or window.
    assert counts == [4, 4] if connection.vendor == "postgresql" else counts == [2, 2]


def test_a_match_only_in_a_reply_shows_the_reply_passage_marked(cast, api, client):
    """A reply's words find the suggestion, and the list shows why: the passage of the reply with
    the words marked, only from replies the reader may read."""
    private = suggestion_in_state(
        "replied", cast=cast, title="关于改造南冲电排站的建议", reply_body="已将外海泵站<扩容>列入明年水利计划。"
    )
    published = suggestion_in_state(
        "replied", cast=cast, public=True, title="关于河道清淤的建议", reply_body="礼乐河清淤工程将于年内完成。"
    )
    staff = api(cast.sam).get("/api/v1/suggestions/", {"search": "外海 泵站"}).json()["results"]
    assert [r["id"] for r in staff] == [private.pk]
    assert staff[0]["highlight"]["reply"] == "已将<mark>外海</mark><mark>泵站</mark>&lt;扩容&gt;列入明年水利计划。"
    assert "<mark>" not in staff[0]["highlight"]["title"]  # the title does not hold the words
    own = api(cast.alice).get("/api/v1/suggestions/", {"search": "泵站"}).json()["results"]
    assert own[0]["highlight"]["reply"].startswith("已将外海<mark>泵站</mark>")
    assert search(api(cast.carol), "泵站") == []  # a private reply finds nothing for an outsider
    # A published reply: anyone finds it and sees the passage, on the pages too.
    carol = api(cast.carol).get("/api/v1/suggestions/", {"search": "礼乐 清淤"}).json()["results"]
    assert [r["id"] for r in carol] == [published.pk]
    assert "<mark>礼乐</mark>河<mark>清淤</mark>工程" in carol[0]["highlight"]["reply"]
    page = client.get("/public/", {"q": "礼乐"}).content.decode()
    assert "<mark>礼乐</mark>河清淤工程" in page
    client.force_login(cast.sam)
    page = client.get("/suggestions/", {"q": "外海"}).content.decode()
    assert "已将<mark>外海</mark>泵站&lt;扩容&gt;" in page


def test_a_private_reply_is_never_shown_to_an_outsider_who_finds_the_suggestion(cast, api):
    """Found by its title (published), the suggestion also has a private released reply (the
    co-unit's, here) holding the words: staff see that passage, an outsider never does."""
    from django.utils import timezone

    from suggestions.models import Reply
    from testing.factories import co_assignment

    published = suggestion_in_state("replied", cast=cast, public=True, title="关于外海泵站扩容的建议")
    Reply.objects.create(
        assignment=co_assignment(published), body="外海泵站扩容资金已落实。", result_class="A",
        adoption="adopted", public=False, status="released", released_at=timezone.now(), drafted_by=cast.henry,
    )  # fmt: skip
    rows = api(cast.carol).get("/api/v1/suggestions/", {"search": "外海"}).json()["results"]
    assert [r["id"] for r in rows] == [published.pk]
    assert rows[0]["highlight"]["title"] == "关于<mark>外海</mark>泵站扩容的建议"
    assert rows[0]["highlight"]["reply"] is None
    staff = api(cast.sam).get("/api/v1/suggestions/", {"search": "外海"}).json()["results"]
    assert staff[0]["highlight"]["reply"] == "<mark>外海</mark>泵站扩容资金已落实。"


def test_a_declined_co_signer_does_not_search_the_private_replies(cast, api):
    suggestion = suggestion_in_state("draft", cast=cast, co_signers=[cast.carol], title="关于改造南冲电排站的建议")
    services.suggestion_cosign(suggestion=suggestion, actor=cast.carol, accept=False)
    services.suggestion_submit(suggestion=suggestion, actor=cast.alice)
    assert search(api(cast.carol), "电排站") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the window is PostgreSQL's")
def test_a_common_word_ranks_the_newest_window_found_slice_by_slice(cast, api, monkeypatch):
    """Only the newest SEARCH_WINDOW matches are ranked; the window is filled newest slice first,
    so a word matching the whole table still reads a bounded number of rows."""
    from suggestions import search as search_module

    made = [suggestion_in_state("registered", cast=cast, title=f"关于南冲电排站第{i}期的建议") for i in range(5)]
    strong = made[1]
    Suggestion.objects.filter(pk=strong.pk).update(title="关于南冲电排站南冲段的建议")
    Suggestion.objects.get(pk=strong.pk).save(update_fields=["title"])
    other = draft(cast, title="关于农村低保标准的建议", body="农村低保户生活困难。")
    newest = other.pk
    # Slices of 1 and 3 ids below the newest: the window of 3 takes the newest three matches.
    monkeypatch.setattr(search_module, "SEARCH_WINDOW", 3)
    # (The slices are sized from the words' share in the index statistics; here they are set.)
    statistics = search_module._window_slices
    monkeypatch.setattr(
        search_module, "_window_slices", lambda terms, size: (statistics(terms, size)[0], (1, 3), terms[-1])
    )
    staff = api(cast.sam)
    found = search(staff, "南冲")
    assert sorted(found) == sorted(s.pk for s in made[2:])
    # Two words: the first slice is read by the rarest word, the whole query checked on its rows.
    assert sorted(search(staff, "电排站 南冲")) == sorted(s.pk for s in made[2:])
    assert search(staff, "南冲 低保") == []
    # A window reaching back to the first id finds the strong one, ranked first.
    monkeypatch.setattr(search_module, "SEARCH_WINDOW", 10)
    assert search(staff, "南冲")[0] == strong.pk and len(search(staff, "南冲")) == 5
    monkeypatch.setattr(search_module, "SEARCH_WINDOW", None)  # the whole match, as before
    assert search(staff, "南冲")[0] == strong.pk
    assert newest not in search(staff, "南冲")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the statistics are PostgreSQL's")
def test_the_window_is_used_only_when_the_statistics_expect_many_matches(cast, monkeypatch):
    from suggestions import search as search_module

    for i in range(6):
        suggestion_in_state("registered", cast=cast, title=f"关于台山第{i}号碉楼保护的建议")
    suggestion_in_state("registered", cast=cast, title="关于开平学位紧张的建议")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE suggestions_searchdocument")
    frequency, rows = search_module.term_frequencies(["碉楼", "学位", "没有的词"])
    assert rows == 7 and frequency["碉楼"] == pytest.approx(6 / 7) and frequency["没有的词"] == 0
    monkeypatch.setattr(search_module, "WINDOW_FACTOR", 2)
    newest = Suggestion.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert search_module._window_slices(["碉楼"], size=1000) == (newest, None, "碉楼")  # 6 expected: one scan
    # A window of 1: 碉楼 is expected 6 times, so the first slice is sized to hold 2 of them.
    assert search_module._window_slices(["碉楼"], size=1) == (newest, (int(2 / (6 / 7)),), "碉楼")
    # A slice of most of the table is no slice: one scan reads every match.
    assert search_module._window_slices(["碉楼"], size=3) == (newest, None, "碉楼")
    # The rarest word bounds the expected matches.
    assert search_module._window_slices(["碉楼", "没有的词"], size=1) == (newest, None, "没有的词")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector index is PostgreSQL's")
def test_the_parallel_rebuild_writes_the_same_index(cast, api, capsys):
    from suggestions.search_build import search_index_rebuild

    rows = [suggestion_in_state("registered", cast=cast, title=f"关于台山第{i}号碉楼保护的建议") for i in range(5)]
    before = dict(SearchDocument.objects.values_list("suggestion_id", "vector"))
    result = search_index_rebuild(full=True, workers=2, chunk=2)
    assert result.rows == 5 and result.from_empty
    assert dict(SearchDocument.objects.values_list("suggestion_id", "vector")) == before
    assert sorted(search(api(cast.sam), "碉楼 台山")) == sorted(r.pk for r in rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'suggestions_searchdocument'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"searchdoc_vector_gin", "searchdoc_public_vector_gin"} <= names
    # Not from empty: an upsert that keeps the index in place.
    assert search_index_rebuild(workers=1, chunk=3).from_empty is False
    assert dict(SearchDocument.objects.values_list("suggestion_id", "vector")) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the window is PostgreSQL's")
def test_the_sliced_window_keeps_visibility_exact(cast, api, monkeypatch):
    """The first slice is found by the rarest word and the whole query checked on its rows: an
    outsider still never finds a confidential suggestion, nor one through a reply they may not read."""
    from suggestions import search as search_module

    statistics = search_module._window_slices
    monkeypatch.setattr(
        search_module, "_window_slices", lambda terms, size: (statistics(terms, size)[0], (1,), terms[0])
    )
    secret = suggestion_in_state(
        "replied", cast=cast, confidential=True, public=True, title="关于南冲电排站保密事项的建议"
    )
    open_one = suggestion_in_state("replied", cast=cast, public=True, title="关于南冲电排站公开事项的建议")
    private = suggestion_in_state("handling", cast=cast, title="关于南冲河道清淤的建议")
    lead = lead_assignment(private)
    log_contact(lead, cast.henry)
    services.reply_draft(
        assignment=lead, actor=cast.henry, body="电排站已列入年度计划。", result_class="A",
        adoption="adopted", public=False, commitments=[],
    )  # fmt: skip
    services.reply_approve(assignment=lead_assignment(private), actor=cast.hannah)
    assert search(api(cast.carol), "南冲 电排站") == [open_one.pk]
    assert private.pk in search(api(cast.alice), "电排站 南冲")  # her own suggestion's reply
    assert search(api(cast.oscar), "电排站 南冲") == []
    assert sorted(search(api(cast.sam), "南冲 电排站")) == sorted([secret.pk, open_one.pk, private.pk])
    page = api().get("/public/", {"q": "南冲 电排站"})
    assert "保密事项" not in page.content.decode() and "公开事项" in page.content.decode()


@pytest.mark.parametrize("sliced", [False, True])
def test_a_deputy_finds_exactly_what_they_see_by_every_way_of_seeing(cast, api, monkeypatch, sliced):
    """The page and its count keep only the window's ids, which the window query read through the
    deputy's whole visibility rule: the result is the plain visibility-filtered match, for a
    suggestion they lead, co-sign, follow through a merge (并案), follow as a member of the committee
    of its category, or read as public, and none of the private or confidential ones."""
    from suggestions import search as search_module
    from suggestions.models import Category
    from suggestions.selectors import suggestions_visible_to
    from supervision import committees
    from supervision.models import CommitteeKind

    if sliced and connection.vendor == "postgresql":
        statistics = search_module._window_slices
        monkeypatch.setattr(
            search_module, "_window_slices", lambda terms, size: (statistics(terms, size)[0], (1,), terms[0])
        )
    title = "关于南冲电排站{}的建议".format
    led = suggestion_in_state("handling", cast=cast, title=title("改造"))
    Suggestion.objects.filter(pk=led.pk).update(lead_deputy=cast.carol)
    cosigned = suggestion_in_state("handling", cast=cast, co_signers=[cast.carol], title=title("扩容"))
    target = suggestion_in_state("handling", cast=cast, title=title("并案"))
    merged = suggestion_in_state("handling", cast=cast, title=title("合并"))
    Suggestion.objects.filter(pk=merged.pk).update(lead_deputy=cast.carol, merged_into=target)
    followed = Category.objects.create(name="城建")
    in_committee = suggestion_in_state("handling", cast=cast, title=title("城建"), category=followed)
    committees.committee_save(
        actor=cast.sam,
        name="城建专业小组",
        kind=CommitteeKind.DEPUTY_GROUP,
        members=[cast.carol],
        categories=[followed],
    )
    public = suggestion_in_state("replied", cast=cast, public=True, title=title("公开"))
    hidden = [
        suggestion_in_state("handling", cast=cast, title=title("私下")),
        suggestion_in_state("replied", cast=cast, public=True, confidential=True, title=title("保密")),
        suggestion_in_state("replied", cast=cast, public=False, title=title("未公开")),
    ]
    expected = {led.pk, cosigned.pk, target.pk, merged.pk, in_committee.pk, public.pk}
    plain = set(suggestions_visible_to(cast.carol).filter(title__contains="电排站").values_list("pk", flat=True))
    assert plain == expected and not plain & {h.pk for h in hidden}
    response = api(cast.carol).get("/api/v1/suggestions/", {"search": "南冲 电排站", "page_size": 50})
    assert set(ids(response)) == expected
    assert response.json()["count"] == len(expected)
    assert set(search(api(cast.carol), "电排站")) == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the window is PostgreSQL's")
def test_a_deputy_search_page_does_not_check_visibility_again(cast):
    """`lead_deputy=user` leaves an unreferenced join in the query: it must not keep the deputy's
    whole rule (EXISTS per row) on the page and its count, which filter by the window's ids."""
    from suggestions import search as search_module
    from suggestions.selectors import suggestions_visible_to

    sql = str(search_module._among(suggestions_visible_to(cast.carol), [1, 2]).values("pk").query)
    assert "EXISTS" not in sql and "lead_deputy_id" not in sql
