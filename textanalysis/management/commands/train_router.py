"""Retrain the unit router (智能交办) on the duties and the office's final assignments."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from textanalysis.routing import TRAINING_LIMIT, router_train


class Command(BaseCommand):
    help = "Train the unit router on unit duties and the latest final assignments."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=TRAINING_LIMIT, help="most recent assignments to learn from")

    def handle(self, *args, limit: int, **options):
        row = router_train(limit=limit)
        if row is None:
            self.stdout.write("Nothing to learn from yet: no unit duties and no past assignments.")
            return
        self.stdout.write(f"Trained on {row.trained_on} assignments and {row.units} units in {row.seconds:.1f} s")
