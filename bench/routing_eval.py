"""Routing evaluation (issue 14): top-1/top-3 of the unit recommender on real suggestion titles.

Usage: .venv/bin/python bench/routing_eval.py [--folds 5] [--seed 14] [--leave-one-part-out]

Reads textanalysis/data/routing_eval.csv (titles with the department that answered them, each
with its public source, its kind 建议/提案, its part dev/test/test2 and, where the reply letter
restates it, a short body excerpt) and textanalysis/data/units.json (the demo's units and duties)
and prints the baseline (most frequent unit), the cold-start recommender (duties only) and the
trained one (k-fold: each title predicted by a model that did not see it), over all rows and per
kind; then the test and test2 parts alone (cold start, and trained on the dev part), on titles and
on title + body; with --leave-one-part-out, each part trained on the others. Since the second round
of issue 14 every part has been read for error analysis, so none is held out any more (see
textanalysis/data/README.md). No database needed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# One BLAS thread: the logistic regressions are small, and on a shared 2-core machine a thread pool
# per process mostly waits for the other's cores (about 3x slower under load). Set before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textanalysis.evaluate import (  # noqa: E402
    evaluate_by_kind,
    held_out,
    leave_one_part_out,
    load_rows,
    load_units,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--leave-one-part-out", action="store_true", help="also score each part trained on the other parts (titles)"
    )
    args = parser.parse_args()
    units, rows = load_units(), load_rows()
    started = time.perf_counter()
    answered = len({r.unit for r in rows})
    print(f"{len(rows)} titles, {len(units)} units, {answered} units answered at least one")
    for score in evaluate_by_kind(units, rows, k=args.folds, seed=args.seed):
        print(score.line())
    for part in ("test", "test2"):
        held = [r for r in rows if r.part == part]
        print(f"{part}: {len(held)} rows, {sum(1 for r in held if r.body)} with a body excerpt")
        for with_body in (False, True):
            for score in held_out(units, rows, part, with_body=with_body):
                print(score.line())
        bodied = [r for r in rows if r.part != part or r.body]  # the dev rows, and the held rows with a body
        if len(bodied) < len(rows) and any(r.body for r in held):
            print(f"{part}, only its rows with a body excerpt:")
            for with_body in (False, True):
                for score in held_out(units, bodied, part, with_body=with_body)[1:]:
                    print(score.line())
    if args.leave_one_part_out:
        print("each part, trained on the other parts (titles):")
        for score in leave_one_part_out(units, rows):
            print(score.line())
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
