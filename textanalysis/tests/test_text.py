"""The pure text functions (common.text), with Chinese cases written out."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from common.text.checks import drafting_findings, proposals, reply_findings
from common.text.highlight import highlight
from common.text.router import COLD_MODEL_WEIGHT, Router, _blend
from common.text.segment import index_text, query_terms, words


def test_the_domain_dictionary_keeps_place_names_and_terms_whole():
    assert "电排站" in words("关于改造南冲电排站的建议")
    assert "南冲" in words("关于改造南冲电排站的建议")
    assert "调休" in words("调休安排提前公布")
    assert {"台山", "台山市"} <= set(index_text("台山市部分农村低保户").split())
    # Duty terms the general dictionary cut wrongly: 用/电报/装 (a telegram), 负责人/才/引进.
    assert "用电报装" in words("办理用电报装") and "电报" not in words("办理用电报装")
    assert "人才引进" in words("负责人才引进") and "负责人" not in words("负责人才引进")
    assert {"供水", "管网", "供水管网"} <= set(index_text("更新老旧供水管网").split())


def test_query_terms_split_words_and_numbers():
    assert query_terms("南冲 电排站") == (["南冲", "电排站"], [])
    assert query_terms("第0123号") == ([], [123])
    assert query_terms("123 低保") == (["低保"], [123])


def test_highlight_marks_longest_words_and_escapes_the_rest():
    assert highlight("<b>电排站</b>", ["电排", "电排站"]) == "&lt;b&gt;<mark>电排站</mark>&lt;/b&gt;"
    long = "甲" * 200 + "南冲" + "乙" * 200
    excerpt = highlight(long, ["南冲"], snippet=40)
    assert excerpt.startswith("…") and excerpt.endswith("…") and "<mark>南冲</mark>" in excerpt


def test_proposals_split_by_numbering_and_semicolons():
    body = "南冲电排站年久失修。为此建议：一、尽快将南冲电排站改造列入计划；二、增加排涝泵站的维护经费；三、建立汛期值守制度。"
    assert proposals(body) == ["尽快将南冲电排站改造列入计划", "增加排涝泵站的维护经费", "建立汛期值守制度"]
    assert proposals("建议如下：\n1. 增设红绿灯\n2. 拓宽路口\n(3) 加强执法巡查") == [
        "增设红绿灯",
        "拓宽路口",
        "加强执法巡查",
    ]


def test_reply_findings_name_each_kind():
    body = "建议：一、尽快将南冲电排站改造列入计划；二、增加排涝泵站的维护经费；三、建立汛期值守制度。"
    reply = "我局高度重视，正在研究南冲电排站改造列入计划事宜，感谢代表关心。\n汛期值守制度已经建立。"
    earlier = ["我局高度重视，正在研究南冲电排站改造列入计划事宜，感谢代表关心和支持。"]
    found = reply_findings(suggestion_body=body, reply=reply, earlier_replies=earlier, result_class="B")
    kinds = {(f.kind, f.text) for f in found}
    assert ("boilerplate", "正在研究") in kinds and ("boilerplate", "高度重视") in kinds
    assert ("uncovered_point", "增加排涝泵站的维护经费") in kinds
    assert ("uncovered_point", "建立汛期值守制度") not in kinds
    assert any(k == "reused_text" for k, _ in kinds)
    assert ("missing_commitment_date", "B") in kinds
    dated = reply_findings(
        suggestion_body=body, reply="计划于2027年6月前完成改造。", earlier_replies=[], result_class="B"
    )
    assert not any(f.kind == "missing_commitment_date" for f in dated)


def test_drafting_guidance_advises_on_the_customary_shape():
    kinds = {f.kind for f in drafting_findings("南冲电排站和外海水闸及礼乐堤围", "电排站坏了")}
    assert kinds == {"title", "one_matter", "structure", "short"}
    good_body = (
        "目前南冲电排站设备老化，存在排涝能力不足的问题。由于建成已三十年，汛期内涝频发，造成农田受浸。"
        "建议：一、尽快将电排站改造列入年度计划；二、增加日常维护经费。"
    )
    assert drafting_findings("关于改造南冲电排站的建议", good_body) == []


def test_the_cold_router_reads_duties_and_the_trained_one_learns():
    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
        "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
    }
    cold = Router().fit(units)
    assert cold.rank("关于改造南冲电排站的建议")[0].unit == "SLJ"
    assert cold.rank("关于提高农村低保标准的建议")[0].unit == "MZJ"
    # History teaches what duties do not say: 校车 goes to transport in this office.
    texts = ["关于规范校车运营的建议", "关于增加校车线路的建议", "关于校车安全管理的建议"] * 20
    trained = Router().fit(units, texts, ["JTJ"] * 60, list(range(60)))
    ranked = trained.rank("关于校车接送的建议")
    assert ranked[0].unit == "JTJ" and ranked[0].history


def test_the_evaluation_compares_baseline_cold_start_and_trained():
    from textanalysis.evaluate import evaluate

    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
        "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
    }
    rows = [("关于改造电排站的建议", "SLJ"), ("关于提高低保标准的建议", "MZJ"), ("关于开通公交线路的建议", "JTJ")] * 4
    baseline, cold, trained = evaluate(units, rows, k=4)
    assert cold.top1_rate == 1.0 and trained.top1_rate == 1.0
    assert baseline.top1_rate < cold.top1_rate


def test_the_history_earns_its_weight_by_ranking_itself():
    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
        "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
    }
    # An office whose sea and river dikes carry the county road, so transport leads them, though
    # the duty match reads 堤 as water works: the learnt model ranks its own past better than the
    # duties do, so it is given weight and the office's practice wins.
    dikes = ["关于加固海堤的建议", "关于修缮江堤的建议", "关于堤围改造的建议", "关于堤防巡查的建议"]
    assert {Router().fit(units).rank(title)[0].unit for title in dikes} == {"SLJ"}
    taught = dikes * 8 + ["关于提高低保标准的建议", "关于特困老人供养的建议"] * 4
    router = Router().fit(units, taught, ["JTJ"] * 32 + ["MZJ"] * 8)
    assert router.learnt_weight is not None and router.learnt_weight >= 0.5
    assert router.rank("关于修缮江堤的建议")[0].unit == "JTJ"
    # A history the duties already rank right teaches nothing more: weight nought (the smaller
    # weight wins a tie), so the duty match alone decides a new title.
    agreed = {
        "关于改造电排站的建议": "SLJ",
        "关于加固堤防的建议": "SLJ",
        "关于修建水闸的建议": "SLJ",
        "关于提高低保标准的建议": "MZJ",
        "关于特困老人供养的建议": "MZJ",
        "关于开通公交线路的建议": "JTJ",
        "关于农村公路硬化的建议": "JTJ",
        "关于新建客运站的建议": "JTJ",
    }
    titles = list(agreed) * 5
    router = Router().fit(units, titles, [agreed[t] for t in titles])
    assert router.learnt_weight == 0.0
    assert router.rank("关于泵站排涝的建议")[0].unit == "SLJ"
    # Below the minimum history the weight still grows with the count, from the cold start's.
    few = Router().fit(units, titles[:10], [agreed[t] for t in titles[:10]])
    assert few.learnt_weight is None
    assert few._history_weight() == COLD_MODEL_WEIGHT + (1 - COLD_MODEL_WEIGHT) * 10 / 210


def test_a_title_meets_the_one_sentence_of_a_long_remit_that_names_it():
    """A long duties text names many matters, one per sentence; a title about one of them matches
    that sentence closely even where the whole text's cosine is diluted by the rest, and a short
    remit sharing a general word (道路) does not win it: the sentences count in the duty match and
    as the learnt model's examples, where the whole text's cosine alone chose the short remit."""
    units = {
        "CGJ": "负责城市市容环境卫生、垃圾清运和公厕保洁。负责占道经营、违章搭建和户外广告的执法。负责城市绿化养护和园林管理。"
        "负责市政设施的日常管护，包括道路保洁、井盖、路灯的维修。负责餐厨垃圾、建筑垃圾的收运处置。负责噪声扰民和油烟的执法。",
        "ZJJ": "负责城市道路、桥梁和排水管网的建设。",
        "JTJ": "负责公路、农村公路的建设与养护。负责公交线路、客运班车和客运站的管理。",
    }
    router = Router().fit(units)
    title = "关于城市道路井盖维修的建议"
    assert router.rank(title)[0].unit == "CGJ"
    whole = (router._vectors([title]) @ router.duty_matrix.T).toarray().ravel()
    assert router.codes[int(whole.argmax())] == "ZJJ"


def test_the_learnt_model_knows_every_unit_from_its_duty_sentences():
    """Each duty sentence is a small example of its unit, so the learnt model ranks every unit from
    the first day (the cold start weighs it COLD_MODEL_WEIGHT) and never forgets a unit the
    history has not named yet: here water works, which no past suggestion went to."""
    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
        "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
    }
    cold = Router().fit(units)
    assert set(cold.model_classes) == set(units) and cold._history_weight() == COLD_MODEL_WEIGHT
    history = [
        "关于开通公交线路的建议",
        "关于农村公路硬化的建议",
        "关于提高低保标准的建议",
        "关于特困老人供养的建议",
    ] * 10
    trained = Router().fit(units, history, ["JTJ", "JTJ", "MZJ", "MZJ"] * 10)
    assert trained.learnt_weight is not None and set(trained.model_classes) == set(units)
    ranked = trained.rank("关于加固堤防的建议")
    assert ranked[0].unit == "SLJ"
    assert ranked[0].model_score > 0.1  # a model learnt from the history alone gave it nought


def test_a_router_stored_before_the_duty_sentences_still_ranks():
    """`RouterModel` keeps pickled routers: one pickled before the sentence fields existed loads
    and ranks until the next retrain."""
    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
    }
    router = Router().fit(units)
    del router.sentence_matrix, router.sentence_units  # what an older pickle holds
    old = pickle.loads(pickle.dumps(router))
    assert old.rank("关于改造电排站的建议")[0].unit == "SLJ"


def test_the_two_signals_blend_geometrically():
    """A unit must do well on both the duty match and the learnt model: one that only the duties
    favour loses to one both rate fairly (an average would have kept the first). The blend is a
    distribution, and at weight nought it is the duty match."""
    duty_p, model_p = np.array([[0.8, 0.2, 0.0]]), np.array([[0.0, 0.5, 0.5]])
    blended = _blend(duty_p, model_p, 0.5)
    assert int(blended.argmax()) == 1 and int((0.5 * duty_p + 0.5 * model_p).argmax()) == 0
    assert blended.sum() == pytest.approx(1.0)
    assert _blend(duty_p, model_p, 0.0) == pytest.approx(duty_p)


def test_the_title_outweighs_the_body():
    """The title names the matter; a body that dwells on another unit's words (here the road the
    pumping station stands by) does not carry the suggestion off. The same text read as one title
    (no line break) goes the other way, which is what the title's weight changes."""
    units = {
        "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
        "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
        "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
    }
    title = "关于改造电排站的建议"
    body = "电排站旁的农村公路坑洼不平，公路狭窄，客运班车不通。"
    cold = Router().fit(units)
    assert cold.rank(f"{title}\n{body}")[0].unit == "SLJ"
    assert cold.rank(f"{title}，{body}")[0].unit == "JTJ"
