"""The routing evaluation's data (issue 14: at least 200 real titles, each with its source) and the
way it is scored (per kind, per part, and each part trained on the others)."""

from __future__ import annotations

import csv
import json

from common.text.router import Router
from textanalysis import evaluate
from textanalysis.evaluate import (
    DATA,
    HELD_OUT,
    Row,
    evaluate_by_kind,
    held_out,
    leave_one_part_out,
    load_extra,
    load_reader,
    load_rows,
    load_units,
    reader_score,
)


def test_the_evaluation_set_has_200_sourced_titles_mapped_to_demo_units():
    rows = load_rows()
    codes = {u["code"] for u in json.loads((DATA / "units.json").read_text(encoding="utf-8"))}
    assert len(rows) >= 200
    assert len({r.title for r in rows}) == len(rows), "a title is listed twice"
    assert {r.unit for r in rows} <= codes
    assert {r.kind for r in rows} <= {"建议", "提案"}
    assert {r.part for r in rows} == {"dev", "test", "test2", "test3", "train", "test4", "train2", "test5", "test6"}
    with (DATA / "routing_eval.csv").open(encoding="utf-8", newline="") as f:
        for record in csv.DictReader(f):
            assert record["source_url"].startswith(("http://", "https://")), record["title"]
            assert record["answering_department"].strip(), record["title"]
            assert record["unit_code"] in codes, record["title"]


def test_bodies_are_short_excerpts_of_the_suggestion_not_the_answer():
    """A body is the deputy's matter as the page restates it: short, never the title again, and
    never the unit's answer (which would carry the label: 我局, 答复, 办理…)."""
    rows = load_rows()
    with_body = [r for r in rows if r.body]
    assert with_body, "the held-out part carries body excerpts"
    assert all(r.part not in ("dev", "test") for r in with_body), "bodies were only gathered from the fourth pass on"
    for r in with_body:
        assert 8 <= len(r.body) <= 300, r.title
        assert r.body != r.title, r.title
        assert not any(word in r.body for word in ("我局", "现答复", "答复如下", "办理情况")), r.title
        assert r.text == f"{r.title}\n{r.body}"
    assert all(r.text == r.title for r in rows if not r.body)


def test_scores_are_given_per_kind_and_on_the_test_part_alone():
    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
        "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
    }
    dev = [Row("关于改造电排站的建议", "SLJ"), Row("关于提高低保标准的建议", "MZJ")] * 3
    test = [Row("关于开通公交线路的提案", "JTJ", "提案", "test"), Row("关于加固堤防的建议", "SLJ", "建议", "test")]
    scores = {s.name: s for s in evaluate_by_kind(units, dev + test, k=2)}
    assert scores["all: cold start"].n == 8 and scores["提案: cold start"].n == 1
    assert scores["提案: cold start"].top1 == 1 and scores["建议: cold start"].n == 7
    test_scores = {s.name: s for s in held_out(units, dev + test)}
    assert test_scores["test part: cold start (duties only)"].n == 2
    assert test_scores["test part: cold start (duties only)"].top1 == 2
    # The dev part never saw a transport title, so its most frequent units miss the JTJ one.
    assert test_scores["test part: baseline (dev's most frequent)"].top3 == 1


def test_each_held_out_part_is_scored_on_titles_or_on_title_and_body():
    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
        "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
    }
    dev = [Row("关于改造电排站的建议", "SLJ"), Row("关于提高低保标准的建议", "MZJ")] * 3
    # The title alone says nothing; its body names the matter.
    test2 = [Row("关于解决群众困难的建议", "JTJ", "建议", "test2", "村里公路坑洼不平，客运班车不通。")]
    only_title = {s.name: s for s in held_out(units, dev + test2, "test2")}
    with_body = {s.name: s for s in held_out(units, dev + test2, "test2", with_body=True)}
    assert only_title["test2 part: cold start (duties only)"].n == 1
    assert with_body["test2 part (title + body): cold start (duties only)"].top1 == 1
    # The dev rows only train; a test2 row never lands in the default test part.
    assert held_out(units, dev + test2)[0].n == 0


def test_units_file_and_loader_agree():
    assert set(load_units()) == {u["code"] for u in json.loads((DATA / "units.json").read_text(encoding="utf-8"))}


def test_the_demo_duties_tell_apart_the_units_that_share_a_subject():
    """Made-up titles (not evaluation rows) on the splits the duty texts draw: 住建 builds the town's
    public works and 城管 keeps them; 水利 brings water to villages and the water company serves
    the towns' taps; 工信 sites phone masts and 公安 sets traffic lights; 市场监管 fights fakes."""
    cold = Router().fit(load_units())
    expected = {
        "关于新建城区公共停车场和立体停车库的建议": "ZJJ",
        "关于加强城区公厕日常保洁管护的建议": "CGJ",
        "关于解决山区村组人畜饮水困难的建议": "SLJ",
        "关于解决城区自来水水压不足的建议": "SWJT",
        "关于在偏远村组建设通信基站的建议": "GXJ",
        "关于在学校路口增设交通信号灯的建议": "GAJ",
        "关于严厉打击制售假冒伪劣商品的建议": "SCJ",
        "关于新建一所公办中学的建议": "JYJ",
    }
    assert {title: cold.rank(title, history=0)[0].unit for title in expected} == expected


def test_held_out_parts_share_one_fit_per_training_set(monkeypatch):
    """The benchmark scores a part on titles, on title + body and on its bodied rows: one cold fit
    and one fit on the dev part serve them all, with the same scores as fresh fits."""
    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
        "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
    }
    dev = [Row("关于改造电排站的建议", "SLJ"), Row("关于提高低保标准的建议", "MZJ")] * 3
    test2 = [Row("关于解决群众困难的建议", "JTJ", "建议", "test2", "村里公路坑洼不平，客运班车不通。")]
    monkeypatch.setattr(evaluate, "_FITTED", {})
    fresh = held_out(units, dev + test2, "test2", with_body=True)
    fits = []
    real_fit = Router.fit
    monkeypatch.setattr(Router, "fit", lambda self, *a, **k: fits.append(a) or real_fit(self, *a, **k))
    again = [held_out(units, dev + test2, "test2", with_body=b) for b in (True, False, True)]
    assert fits == [] and again[0] == again[2] == fresh
    monkeypatch.setattr(evaluate, "_FITTED", {})
    held_out(units, dev + test2, "test2")
    assert len(fits) == 2  # a new cache fits the cold and the dev-trained router once each


def test_leave_one_part_out_trains_on_the_other_parts():
    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
        "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
    }
    # This office sends 校车 to water works (say, a boat that takes pupils across the reservoir), and
    # only the test part shows it: the duties say nothing of 校车, the test part's history does.
    dev = [Row("关于校车安全的建议", "SLJ"), Row("关于新建客运站的建议", "JTJ"), Row("关于提高低保标准的建议", "MZJ")]
    test = [Row(t, "SLJ", "建议", "test") for t in ("关于规范校车运营的建议", "关于增加校车线路的建议")] * 20
    test += [
        Row("关于开通公交线路的建议", "JTJ", "建议", "test"),
        Row("关于特困供养的建议", "MZJ", "建议", "test"),
    ] * 10
    scores = {s.name: s for s in leave_one_part_out(units, dev + test)}
    assert scores["dev part: cold start"].n == 3 and scores["test part: cold start"].n == 60
    assert scores["dev part: cold start"].top1 == 2
    assert scores["dev part: trained on the other parts"].top1 == 3
    pooled = scores["all parts: trained on the other parts"]
    assert (pooled.n, pooled.top1) == (
        63,
        scores["dev part: trained on the other parts"].top1 + scores["test part: trained on the other parts"].top1,
    )


def test_extra_training_rows_join_as_their_own_part_without_repeating_a_scored_title(tmp_path):
    """Rows gathered outside the repository train the router: a title already in the evaluation (or
    earlier in the extra files) is dropped, and a row that names no part or a scored one joins
    `train`, so leave-one-part-out scores it as a part of its own and never inside a scored one."""
    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
        "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
    }
    known = [Row("关于改造电排站的建议", "SLJ"), Row("关于开通公交线路的建议", "JTJ", "建议", "test")]
    header = "title,answering_department,unit_code,year,source_url,source_title,kind,part,body\r\n"
    first = tmp_path / "a.csv"
    first.write_text(
        header
        + "关于 改造电排站的建议,水利局,SLJ,2024,https://example.org/1,答复,建议,train,\r\n"
        + "关于提高低保标准的建议,民政局,MZJ,2024,https://example.org/2,答复,建议,test,\r\n"
        + "关于特困供养的建议,民政局,MZJ,2024,https://example.org/3,答复,提案,,\r\n",
        encoding="utf-8",
    )
    second = tmp_path / "b.csv"
    second.write_text(
        header + "关于提高低保标准的建议,民政局,MZJ,2024,https://example.org/4,答复,建议,train,\r\n", encoding="utf-8"
    )
    extra = load_extra([first, second], known)
    assert [(r.title, r.part, r.kind) for r in extra] == [
        ("关于提高低保标准的建议", "train", "建议"),
        ("关于特困供养的建议", "train", "提案"),
    ]
    scores = {s.name: s for s in leave_one_part_out(units, known + extra)}
    assert scores["train part: cold start"].n == 2 and scores["test part: cold start"].n == 1
    assert scores["train part: trained on the other parts"].top1 == 2


def test_the_reader_answered_every_row_of_the_held_out_parts_with_three_units():
    """`reader_top3.csv` holds a reader's answers for test4, test5 and test6, row for row, each three distinct
    demo units; `reader_score` scores them like the router (here a row the reader missed)."""
    rows, reader = load_rows(), load_reader()
    held = [r for r in rows if r.part in ("test4", *HELD_OUT)]
    assert set(reader) == {"".join(r.title.split()) for r in held}
    units = set(load_units())
    assert all(len(set(top)) == 3 and set(top) <= units for top in reader.values())
    toy = [Row("关于加固堤防的建议", "SLJ", "建议", "x"), Row("关于提高低保标准的建议", "MZJ", "建议", "x")]
    score = reader_score(
        toy, "x", {"关于加固堤防的建议": ["SLJ", "JTJ", "MZJ"], "关于提高低保标准的建议": ["SLJ", "MZJ", "JTJ"]}
    )
    assert (score.n, score.top1, score.top3) == (2, 1, 2)


def test_the_seed_corpus_is_scored_beside_the_duties_alone():
    """Given seed examples, the evaluation scores the duties alone, the cold start with the examples
    and the trained router with them: here only the examples know that 渡船 are the transport
    bureau's, so the two cold lines differ by exactly that row."""
    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
        "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
    }
    examples = {"JTJ": ["关于加强渡口渡船安全管理的建议", "关于新建渡口码头的建议"]}
    dev = [Row("关于改造电排站的建议", "SLJ"), Row("关于提高低保标准的建议", "MZJ")] * 3
    test = [
        Row("关于更新老旧渡船的建议", "JTJ", "建议", "test"),
        Row("关于加固堤防的建议", "SLJ", "建议", "test"),
    ]
    scores = {s.name: s for s in held_out(units, dev + test, examples=examples)}
    assert scores["test part: cold start (duties only)"].top1 == 1
    assert scores["test part: cold start (duties + seed corpus)"].top1 == 2
    assert scores["test part: trained on dev"].n == 2 and scores["test part: trained on dev"].top3 == 2
    by_kind = {s.name: s for s in evaluate_by_kind(units, dev + test, k=2, examples=examples)}
    assert {"all: duties only", "all: cold start (duties + seed corpus)", "all: trained (2-fold)"} <= set(by_kind)
    assert by_kind["all: cold start (duties + seed corpus)"].top1 == by_kind["all: duties only"].top1 + 1
