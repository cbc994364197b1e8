"""Demo data of the dashboards: this year's handling report published on the public portal.

Run after the other apps' demo data, so the report holds their replies, ratings and deliveries
(落实). Idempotent: a year already published is left as it was published.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User

from .models import PublishedReport
from .publication import report_publish


def load() -> PublishedReport:
    year = timezone.localdate().year
    report = PublishedReport.objects.filter(year=year).first()
    if report is None:
        report = report_publish(actor=User.objects.get(username="staff"), year=year)
    return report
