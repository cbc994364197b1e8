"""Segment every suggestion again and rewrite its search words (after a dictionary change, an
upgrade, or a bulk import that bypassed the services). Batched; prints the time it took."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from suggestions.models import Suggestion
from suggestions.search import search_documents_refresh


class Command(BaseCommand):
    help = "Rebuild the Chinese full-text search index of all suggestions, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="suggestions per transaction")

    def handle(self, *args, batch: int, **options):
        started = time.perf_counter()
        done = 0
        last = 0
        while True:
            ids = list(Suggestion.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            # One batch per transaction: a crash loses at most one batch, and a re-run redoes it.
            with transaction.atomic():
                done += search_documents_refresh(suggestion_ids=ids)
            last = ids[-1]
            if options["verbosity"] > 1:
                self.stdout.write(f"{done} suggestions indexed")
        seconds = time.perf_counter() - started
        self.stdout.write(f"Indexed {done} suggestions in {seconds:.1f} s")
