from django.core.management.base import BaseCommand

from notifications import schedule, services


class Command(BaseCommand):
    help = (
        "Run the reminder sweep once and send the outbox, then every other periodic task of the schedule "
        "(CELERY_BEAT_SCHEDULE) once, such as closing suggestions whose evaluation window passed: for cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=None, help="deadlines per batch (transaction)")
        parser.add_argument("--no-deliver", action="store_true", help="record reminders but send nothing")
        parser.add_argument(
            "--reminders-only", action="store_true", help="skip the other periodic tasks of the schedule"
        )

    def handle(self, *args, batch_size=None, no_deliver=False, reminders_only=False, **options):
        result = services.reminders_sweep(batch_size=batch_size)
        digests = services.digests_queue()
        sent = 0 if no_deliver else services.deliveries_send()
        self.stdout.write(
            f"swept {len(result.deadlines)} deadlines in {result.batches} batches; "
            f"{digests} digests queued; {sent} outbox messages handled"
        )
        if reminders_only:
            return
        # Unlike the long-running scheduler, a failure here fails the command, so cron reports it.
        for task in schedule.periodic_tasks():
            if task.task != schedule.SWEEP_TASK:
                self.stdout.write(f"{task.name}: {task.run()}")
