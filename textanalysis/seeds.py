"""The seed corpus: standard example suggestions of the demo's departments (`data/seed_examples.csv`,
`unit_code,title`), written in this project's own words for every unit of `data/units.json`.

An office that has no history yet still has a routing model that knows what each standard department
handles; the examples join the learnt model beside the duty sentences (`Router.fit(examples=...)`),
for the units whose code they carry, and weigh less than the office's own final assignments.
Pure Python on the data file: usable from the evaluation, the benchmarks and the app alike.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np

from common.text import semantic

SEED_FILE = Path(__file__).with_name("data") / "seed_examples.csv"


@lru_cache(maxsize=4)
def _read(path: Path) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            title = (row.get("title") or "").strip()
            if title:
                out.setdefault(row["unit_code"].strip(), []).append(title)
    return {code: tuple(titles) for code, titles in out.items()}


def seed_examples(codes=None, path: Path = SEED_FILE) -> dict[str, list[str]]:
    """Unit code -> its example titles, for the given codes only (all when None); nothing when the file
    is missing, so a deployment may drop it."""
    if not path.exists():
        return {}
    examples = _read(path)
    wanted = examples.keys() if codes is None else set(codes) & examples.keys()
    return {code: list(examples[code]) for code in sorted(wanted)}


VECTOR_FILE = SEED_FILE.with_name("seed_vectors.npz")


@lru_cache(maxsize=4)
def _read_vectors(path: Path, model: str) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        if str(data["model"]) != model:
            return {}
        return dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))


def seed_vectors(path: Path = VECTOR_FILE) -> dict[str, np.ndarray]:
    """The seed examples' sentence vectors computed ahead of time (`write_seed_vectors`), by
    `semantic.key` of each title: embedding the five thousand titles takes a minute or two, which a new
    office's first routing request must not wait for. Empty when the file is missing or was made by
    another model; a title it lacks (a seed edited since) is embedded when the router is fitted."""
    if not path.exists():
        return {}
    return _read_vectors(path, semantic.MODEL_NAME)


def write_seed_vectors(path: Path = VECTOR_FILE, seeds: Path = SEED_FILE) -> int:
    """Embed every seed title and store the vectors (float16) with the model's name; returns the count."""
    texts = sorted({semantic.key(t) for titles in seed_examples(path=seeds).values() for t in titles})
    vectors = semantic.embed(texts).astype(np.float16)
    np.savez_compressed(path, model=np.array(semantic.MODEL_NAME), texts=np.array(texts), vectors=vectors)
    _read_vectors.cache_clear()
    return len(texts)


if __name__ == "__main__":  # python -m textanalysis.seeds: after editing seed_examples.csv
    print(f"{write_seed_vectors()} seed vectors written to {VECTOR_FILE}")
