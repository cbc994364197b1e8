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
