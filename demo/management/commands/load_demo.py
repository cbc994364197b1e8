from django.core.management.base import BaseCommand

from dashboards import demo as dashboards_demo
from deputies import demo as deputies_demo
from handling import demo as handling_demo
from suggestions.demo import DEMO_PASSWORD, Demo
from supervision import demo as supervision_demo


class Command(BaseCommand):
    help = "Load the Jiangmen demo data (idempotent: running it again adds nothing)."

    def handle(self, *args, **options):
        Demo(out=None).load()
        supervision_demo.load()
        handling_demo.load()
        deputies_demo.load()
        # Last: the published report freezes the figures of everything loaded before it.
        dashboards_demo.load()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Demo accounts use the password {DEMO_PASSWORD!r}."))
