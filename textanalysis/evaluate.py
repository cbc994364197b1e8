"""The routing evaluation (issue 14): real suggestion titles with the department that answered
them (`data/routing_eval.csv`, each with its source) against the demo's units (`data/units.json`).

Reports top-1 and top-3 accuracy of
- the baseline: always the most frequent unit of the training part (then the next most frequent);
- the cold-start recommender: duties only, nothing learnt (all rows are held out);
- the trained recommender: duties plus a model learnt from the other folds (k-fold, fixed seed),
  so every row is predicted by a model that never saw it.
Pure Python on the data files: no database, usable from `bench/routing_eval.py` and the tests.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from common.text.router import Router

DATA = Path(__file__).with_name("data")


@dataclass
class Score:
    name: str
    n: int
    top1: int
    top3: int

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.n if self.n else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.n if self.n else 0.0

    def line(self) -> str:
        return f"{self.name:<34} n={self.n:<4} top-1 {self.top1_rate:6.1%}   top-3 {self.top3_rate:6.1%}"


def load_units(path: Path = DATA / "units.json") -> dict[str, str]:
    """Each unit's words as the app builds them (`routing.unit_texts`): its name and its duties."""
    return {u["code"]: f"{u['name']}。{u['duties']}" for u in json.loads(path.read_text(encoding="utf-8"))}


def load_eval(path: Path = DATA / "routing_eval.csv") -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(row["title"], row["unit_code"]) for row in csv.DictReader(f)]


def _score(name: str, rows: list[tuple[str, str]], ranked: list[list[str]]) -> Score:
    top1 = sum(1 for (_, gold), r in zip(rows, ranked, strict=True) if r[:1] == [gold])
    top3 = sum(1 for (_, gold), r in zip(rows, ranked, strict=True) if gold in r[:3])
    return Score(name, len(rows), top1, top3)


def folds(n: int, k: int, seed: int = 14) -> list[list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def evaluate(units: dict[str, str], rows: list[tuple[str, str]], k: int = 5, seed: int = 14) -> list[Score]:
    rows = [r for r in rows if r[1] in units]
    cold = Router().fit(units)
    cold_ranked = [[c.unit for c in cold.rank(title)[:3]] for title, _ in rows]
    base_ranked: list[list[str]] = [[] for _ in rows]
    trained_ranked: list[list[str]] = [[] for _ in rows]
    for test in folds(len(rows), k, seed):
        held = set(test)
        train = [rows[i] for i in range(len(rows)) if i not in held]
        common = [code for code, _ in Counter(code for _, code in train).most_common(3)]
        router = Router().fit(units, [t for t, _ in train], [c for _, c in train])
        for i in test:
            base_ranked[i] = common
            trained_ranked[i] = [c.unit for c in router.rank(rows[i][0])[:3]]
    return [
        _score("baseline (most frequent unit)", rows, base_ranked),
        _score("cold start (duties only)", rows, cold_ranked),
        _score(f"trained ({k}-fold, duties + history)", rows, trained_ranked),
    ]
