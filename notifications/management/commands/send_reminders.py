from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = "Run the reminder sweep once (the same work as the scheduled Celery task), then send the outbox."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None, help="deadlines per batch (transaction)")
        parser.add_argument("--no-deliver", action="store_true", help="record reminders but send nothing")

    def handle(self, *args, batch_size=None, no_deliver=False, **options):
        result = services.reminders_sweep(batch_size=batch_size)
        digests = services.digests_queue()
        sent = 0 if no_deliver else services.deliveries_send()
        self.stdout.write(
            f"swept {len(result.deadlines)} deadlines in {result.batches} batches; "
            f"{digests} digests queued; {sent} outbox messages handled"
        )
