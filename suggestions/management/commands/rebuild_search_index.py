"""Segment every suggestion again and rewrite its search words (after a dictionary change, an
upgrade, or a bulk import that bypassed the services). jieba runs in a pool of processes over
chunks read by keyset; rows are written with COPY; from empty the GIN indexes are built once at
the end (see `suggestions.search_build`). Prints the time it took and the rate."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

from suggestions.models import Suggestion
from suggestions.search_build import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the Chinese full-text search index of all suggestions (a pool of segmenters, COPY)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="suggestions per chunk (and per transaction)")
        parser.add_argument("--workers", type=int, default=0, help="segmenting processes (default: one per core)")
        parser.add_argument(
            "--full",
            action="store_true",
            help="empty the index first and build its GIN indexes after the load (fastest; search is "
            "incomplete until it finishes)",
        )

    def handle(self, *args, batch: int, workers: int, full: bool, **options):
        if batch < 1:
            batch = 1
        bar = None
        if options["verbosity"] > 0:
            bar = tqdm(total=Suggestion.objects.count(), unit=" suggestions", unit_scale=True, disable=None)
        try:
            result = search_index_rebuild(
                full=full, workers=workers or None, chunk=batch, progress=bar.update if bar else None
            )
        finally:
            if bar is not None:
                bar.close()
        mode = "from empty, GIN indexes built after the load" if result.from_empty else "upserted"
        self.stdout.write(
            f"Indexed {result.rows} suggestions in {result.seconds:.1f} s ({result.rate:.0f} rows/s, {mode}"
            + (f"; indexes {result.index_seconds:.1f} s" if result.from_empty else "")
            + ")"
        )
