"""`manage.py generate_data --suggestions N`: bulk synthetic data for benchmarks and demos."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dashboards.generator import generate


class Command(BaseCommand):
    help = "Generate N synthetic suggestions with assignments, replies, contacts, ratings and deadlines."

    def add_arguments(self, parser):
        parser.add_argument("--suggestions", type=int, required=True)
        parser.add_argument("--units", type=int, default=300)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--chunk", type=int, default=10000)

    def handle(self, *args, **options):
        if options["suggestions"] < 1 or options["units"] < 1 or options["years"] < 1 or options["chunk"] < 1:
            raise CommandError("--suggestions, --units, --years and --chunk must be positive.")
        started = time.monotonic()
        # A progress bar with the rate and the time left (on stderr, so stdout keeps the summary);
        # -v 0 turns it off.
        with tqdm(
            total=options["suggestions"],
            unit=" suggestions",
            unit_scale=True,
            disable=options["verbosity"] == 0,
            file=self.stderr._out,
            dynamic_ncols=True,
        ) as bar:
            stats = generate(
                suggestions=options["suggestions"],
                units=options["units"],
                years=options["years"],
                seed=options["seed"],
                chunk=options["chunk"],
                progress=bar.update,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{stats.suggestions} suggestions, {stats.assignments} assignments, {stats.replies} replies, "
                f"{stats.contacts} contacts, {stats.evaluations} evaluations, {stats.deadlines} deadlines, "
                f"{stats.cosigners} co-signers, {stats.commitments} commitments "
                f"over {stats.units} units in {time.monotonic() - started:.1f}s"
            )
        )
