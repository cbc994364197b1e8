"""Routing evaluation (issue 14): top-1/top-3 of the unit recommender on real suggestion titles.

Usage: .venv/bin/python bench/routing_eval.py [--folds 5] [--seed 14] [--leave-one-part-out] [--extra FILE ...]

Reads textanalysis/data/routing_eval.csv (titles with the department that answered them, each
with its public source, its kind 建议/提案, its part dev/test/test2/test3/train/test4/train2/test5/test6 and,
where the page restates it, a short body excerpt), textanalysis/data/units.json (the demo's units and
duties) and textanalysis/data/seed_examples.csv (the seed corpus) and prints the baseline (most
frequent unit), the duties alone, the cold-start recommender (duties and seed corpus, no history)
and the trained one (k-fold: each title predicted by a model that did not see it), over all rows and
per kind, on the parts read while tuning (every part but test5 and test6); then the held-out parts
test5 and test6, alone and together (gathered by separate workers while the router was chosen on the
others, and never read for it: the honest figure), cold start and trained on the rows read while
tuning, on titles and on title + body, without the meaning signal and with it, beside a reader; then
the test and test2 parts alone (trained on the dev part); with --leave-one-part-out, each part
trained on the others (see textanalysis/data/README.md); with --extra,
extra training rows kept outside the repository (same columns, part `train` unless the file names one;
titles already in the evaluation dropped) join as further parts, and each part, those included, is
scored trained on all the others. No database needed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

# One BLAS thread: the logistic regressions are small, and on a shared 2-core machine a thread pool
# per process mostly waits for the other's cores (about 3x slower under load). Set before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common.text import semantic  # noqa: E402
from common.text.router import Router  # noqa: E402
from textanalysis.evaluate import (  # noqa: E402
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
from textanalysis.seeds import seed_examples, seed_vectors  # noqa: E402


def timing(history: int = 20_000, asks: int = 200) -> None:
    """The router's costs in this process: a fit with no history (the duties and the seed corpus: what
    a new office's first request waits for, once), a fit with `history` past suggestions (what
    `train_router` spends, the app's TRAINING_LIMIT; titles drawn from the evaluation and the seed
    corpus, each with a number so none repeats), and the median of `asks` rank() calls."""
    units, rows = load_units(), load_rows()
    examples = seed_examples(units)
    started = time.perf_counter()
    vectors = seed_vectors()
    cold = Router().fit(units, examples=examples, vectors=vectors)
    print(f"fit, no history ({sum(map(len, examples.values()))} seed examples): {time.perf_counter() - started:.1f} s")
    pool = [(r.title, r.unit) for r in rows] + [(t, code) for code, titles in examples.items() for t in titles]
    rng = random.Random(14)
    drawn = [rng.choice(pool) for _ in range(history)]
    texts = [f"{title}（第{i}号）" for i, (title, _) in enumerate(drawn)]
    started = time.perf_counter()
    trained = Router().fit(units, texts, [code for _, code in drawn], examples=examples, vectors=vectors)
    print(f"fit, {history:,} past suggestions: {time.perf_counter() - started:.1f} s")
    # The nightly retrain: the same history and 2% new, the last model's vectors reused (`router_train`),
    # the process's own cache emptied as in a fresh worker.
    semantic._state.cache.clear()
    fresh = [f"{title}（新{i}）" for i, (title, _) in enumerate(drawn[: history // 50])]
    started = time.perf_counter()
    Router().fit(
        units,
        texts[len(fresh) :] + fresh,
        [code for _, code in drawn[len(fresh) :]] + [code for _, code in drawn[: len(fresh)]],
        examples=examples,
        vectors=vectors | trained.semantic_vectors(),
    )
    print(f"refit, {history:,} past suggestions of which {len(fresh):,} new: {time.perf_counter() - started:.1f} s")
    for name, router in (("no history", cold), (f"{history:,} past", trained)):
        # Each asked title new to the process (a number added), so none comes from the vector cache.
        asked = [f"{rows[rng.randrange(len(rows))].title}（{name}{i}）" for i in range(asks)]
        seconds = []
        for title in asked:
            started = time.perf_counter()
            router.rank(title)
            seconds.append(time.perf_counter() - started)
        print(f"rank(), {name}: median {statistics.median(seconds) * 1000:.1f} ms over {asks}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--leave-one-part-out", action="store_true", help="also score each part trained on the other parts (titles)"
    )
    parser.add_argument(
        "--extra",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help="extra training rows (CSV in the evaluation's columns): further parts of the leave-one-part-out",
    )
    parser.add_argument(
        "--timing",
        action="store_true",
        help="only time the router: fit with no history and with 20,000 past suggestions, and rank()",
    )
    args = parser.parse_args()
    if args.timing:
        timing()
        return
    units, rows = load_units(), load_rows()
    examples = seed_examples(units)
    extra = load_extra(args.extra, rows)
    started = time.perf_counter()
    answered = len({r.unit for r in rows})
    print(f"{len(rows)} titles, {len(units)} units, {answered} units answered at least one")
    print(f"seed corpus: {sum(map(len, examples.values()))} example titles for {len(examples)} units")
    tuned = [r for r in rows if r.part not in HELD_OUT]
    tuned_parts = tuple(sorted({r.part for r in tuned}))
    print(f"the parts read while tuning ({', '.join(tuned_parts)}): {len(tuned)} rows, {args.folds}-fold")
    for score in evaluate_by_kind(units, tuned, k=args.folds, seed=args.seed, examples=examples):
        print(score.line())
    reader = load_reader()
    # Each held-out part alone, then both as one ("held"), each trained on the parts read while tuning.
    pooled = [Row(r.title, r.unit, r.kind, "held", r.body) for r in rows if r.part in HELD_OUT]
    for part, scored in [(part, tuned + [r for r in rows if r.part == part]) for part in HELD_OUT] + [
        ("held", tuned + pooled)
    ]:
        held = [r for r in scored if r.part == part]
        print(
            f"HELD OUT: {part}, {len(held)} rows, {sum(1 for r in held if r.body)} with a body excerpt "
            f"(never read for any choice; trained on the {len(tuned)} rows read while tuning)"
        )
        for meaning in (False, True):
            for with_body in (False, True):
                for score in held_out(
                    units,
                    scored,
                    part,
                    with_body=with_body,
                    train_parts=tuned_parts,
                    examples=examples,
                    semantic=meaning,
                )[0 if meaning and not with_body else 1 :]:
                    print(score.line())
        print(reader_score(scored, part, reader).line())
    print(reader_score(rows, "test4", reader).line(), "(test4: read in the fourth round)")
    print("the earlier parts alone (read while tuning, so not held out), trained on the dev part:")
    for part in ("test", "test2"):
        held = [r for r in rows if r.part == part]
        print(f"{part}: {len(held)} rows, {sum(1 for r in held if r.body)} with a body excerpt")
        for with_body in (False, True):
            for score in held_out(units, tuned, part, with_body=with_body, examples=examples):
                print(score.line())
        bodied = [r for r in tuned if r.part != part or r.body]  # the dev rows, and the held rows with a body
        if len(bodied) < len(rows) and any(r.body for r in held):
            print(f"{part}, only its rows with a body excerpt:")
            for with_body in (False, True):
                for score in held_out(units, bodied, part, with_body=with_body, examples=examples)[1:]:
                    print(score.line())
    if args.leave_one_part_out:
        print("each part, trained on the other parts' titles; scored on titles, then on title + body:")
        for with_body in (False, True):
            for score in leave_one_part_out(units, rows, with_body=with_body, examples=examples):
                print(score.line())
    if extra:
        parts = ", ".join(
            f"{part} {sum(1 for r in extra if r.part == part)}" for part in sorted({r.part for r in extra})
        )
        print(f"each part, trained on all the other parts, {len(extra)} extra training rows among them ({parts}):")
        for with_body in (False, True):
            for score in leave_one_part_out(units, rows + extra, with_body=with_body, examples=examples):
                print(score.line())
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
