"""The seed corpus (issue 14): example suggestions of the standard departments that the routing
model learns from before an office has a past, and never shows or counts as that past."""

from __future__ import annotations

import csv
import pickle
from collections import Counter

import pytest

from common.text.router import Router
from textanalysis.evaluate import DATA, load_rows, load_units
from textanalysis.seeds import SEED_FILE, seed_examples, seed_vectors

UNITS = {
    "SLJ": "负责水利工程、堤防、水闸、电排站、泵站的建设和排涝。",
    "MZJ": "负责最低生活保障（低保）、特困供养、养老服务和社会救助。",
    "JTJ": "负责公路、农村公路、公交线路和客运站的建设与管理。",
}


def _key(title: str) -> str:
    return "".join(title.split())


def test_every_demo_unit_has_its_examples_and_none_is_an_evaluation_title():
    """Each of the 41 demo units has at least a hundred examples, no title twice; and no example is
    a title of the routing evaluation (a scored row must never be learnt from)."""
    examples = seed_examples()
    assert set(examples) == set(load_units())
    assert min(len(titles) for titles in examples.values()) >= 100
    keys = [_key(t) for titles in examples.values() for t in titles]
    assert len(keys) == len(set(keys))
    assert not set(keys) & {_key(r.title) for r in load_rows()}
    with SEED_FILE.open(encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == ["unit_code", "title"]
    assert SEED_FILE.parent == DATA


def test_examples_are_given_for_the_asked_codes_only(tmp_path):
    assert set(seed_examples(["SLJ", "XXX"])) == {"SLJ"}
    assert seed_examples(["XXX"]) == {}
    assert seed_examples(path=tmp_path / "missing.csv") == {}
    own = tmp_path / "seeds.csv"
    own.write_text(
        "unit_code,title\r\nSLJ,关于修缮水闸的建议\r\nSLJ,\r\nMZJ,关于提高低保标准的建议\r\n", encoding="utf-8"
    )
    assert seed_examples(["SLJ", "MZJ"], path=own) == {"MZJ": ["关于提高低保标准的建议"], "SLJ": ["关于修缮水闸的建议"]}


def test_a_unit_learns_a_matter_its_duties_do_not_name_from_its_examples():
    """The duties say nothing of 校车 or 渡口; examples of the transport bureau do, and the cold
    router sends such a title there, where the duties alone send it elsewhere or nowhere in
    particular. The examples are no history: nothing is counted as trained on, nothing is cited."""
    title = "关于解决偏远村小学生渡口安全隐患的建议"
    plain = Router().fit(UNITS)
    seeded = Router().fit(
        UNITS,
        examples={"JTJ": ["关于加强渡口渡船安全管理的建议", "关于规范农村校车运营的建议", "关于新建渡口码头的建议"]},
    )
    assert plain.rank(title)[0].unit != "JTJ"
    best = seeded.rank(title)[0]
    assert best.unit == "JTJ"
    assert seeded.trained_on == 0 and best.history == [] and seeded.history_matrix is None
    assert Counter(seeded.seed_labels) == {"JTJ": 3}


def test_the_office_history_outweighs_an_example():
    """An example weighs SEED_WEIGHT of a past suggestion: where this office's own history sends a
    matter to another unit, its history wins."""
    examples = {"JTJ": ["关于规范校车运营的建议", "关于增加校车线路的建议"]}
    history = ["关于规范校车运营管理的建议", "关于校车安全的建议", "关于提高低保标准的建议", "关于加固堤防的建议"] * 10
    labels = ["SLJ", "SLJ", "MZJ", "SLJ"] * 10
    router = Router().fit(UNITS, history, labels, examples=examples)
    assert router.rank("关于校车接送的建议")[0].unit == "SLJ"


def test_a_router_stored_before_the_seed_corpus_still_ranks():
    router = Router().fit(UNITS)
    del router.seed_matrix, router.seed_labels  # what an older pickle holds
    old = pickle.loads(pickle.dumps(router))
    assert old.seed_labels == [] and old.rank("关于改造电排站的建议")[0].unit == "SLJ"


@pytest.fixture(scope="module")
def shipped() -> Router:
    """The product's cold start on the demo units, with the seed corpus's shipped vectors (embedding it
    afresh takes a minute): one fit (a few seconds) for the module."""
    units = load_units()
    return Router().fit(units, examples=seed_examples(units), vectors=seed_vectors())


@pytest.mark.parametrize(
    ("title", "unit"),
    [
        ("关于在学校门口增设减速带和限速标志的建议", "GAJ"),
        ("关于为新建道路命名的建议", "MZJ"),
        ("关于加强地灾隐患点排查的建议", "ZRJ"),
        ("关于提高住房公积金贷款额度的建议", "GJJ"),
    ],
)
def test_the_shipped_corpus_routes_made_up_titles(shipped, title, unit):
    """Made-up titles (not evaluation rows): the product's cold start, duties and seed corpus, gets
    them right."""
    assert shipped.rank(title, history=0)[0].unit == unit
