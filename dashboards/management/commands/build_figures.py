"""`manage.py build_figures`: (re)build the maintained dashboard figures from the handling records."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from dashboards import figures


class Command(BaseCommand):
    help = "Recompute every maintained dashboard figure; from then on transitions keep them current."

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = figures.build()
        self.stdout.write(self.style.SUCCESS(f"{rows} figures in {time.monotonic() - started:.1f}s"))
