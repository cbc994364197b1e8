"""Configuration of the dashboards (targets, weights, small-sample size) and frozen snapshots.

The metrics themselves are never stored: they are derived from the handling records by
`dashboards.metrics`. A `Snapshot` is the one exception, on purpose: it freezes the figures a
report was made from, with the definitions and settings in force at that moment.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    """The rate metrics of SPEC section 7 that take targets and assessment weights."""

    REPLY_RATE = "reply_rate", _("Reply rate (办复率)")
    ON_TIME_RATE = "on_time_rate", _("On-time rate (按期答复率)")
    COMPLETION_RATE = "completion_rate", _("Completion rate (办结率)")
    SATISFACTION_RATE_FIRST = "satisfaction_rate_first", _("Satisfaction rate, first round (满意率·首轮)")
    SATISFACTION_RATE = "satisfaction_rate", _("Satisfaction rate, final round (满意率·终轮)")
    RESPONSE_RATE = "response_rate", _("Response rate (测评率)")
    DELIVERY_RATE = "delivery_rate", _("Delivery rate (落实率)")
    CONTACT_RATE = "contact_rate", _("Contact rate (沟通率)")
    SOLVED_RATE = "solved_rate", _("Solved rate, class A (A类率)")


# Defaults used until staff save their own: (weight, green at or above, amber at or above).
METRIC_DEFAULTS: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    Metric.REPLY_RATE: (Decimal(20), Decimal("0.95"), Decimal("0.85")),
    Metric.ON_TIME_RATE: (Decimal(20), Decimal("0.90"), Decimal("0.80")),
    Metric.COMPLETION_RATE: (Decimal(15), Decimal("0.80"), Decimal("0.60")),
    Metric.SATISFACTION_RATE_FIRST: (Decimal(10), Decimal("0.90"), Decimal("0.80")),
    Metric.SATISFACTION_RATE: (Decimal(20), Decimal("0.95"), Decimal("0.85")),
    # Not weighted by default (the rankings stay as they were); staff may give it a weight.
    Metric.RESPONSE_RATE: (Decimal(0), Decimal("0.90"), Decimal("0.70")),
    # Likewise: weighted only once staff give it a weight in the settings.
    Metric.DELIVERY_RATE: (Decimal(0), Decimal("0.90"), Decimal("0.75")),
    Metric.CONTACT_RATE: (Decimal(10), Decimal("0.95"), Decimal("0.85")),
    Metric.SOLVED_RATE: (Decimal(5), Decimal("0.50"), Decimal("0.30")),
}


class MetricSetting(models.Model):
    """Staff-edited target (red/amber/green thresholds) and assessment weight of one metric."""

    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices, unique=True)
    weight = models.DecimalField(_("assessment weight"), max_digits=6, decimal_places=2, default=Decimal(0))
    green_at = models.DecimalField(_("green at or above"), max_digits=5, decimal_places=4)
    amber_at = models.DecimalField(_("amber at or above"), max_digits=5, decimal_places=4)

    class Meta:
        verbose_name = _("metric target and weight (考核指标)")
        verbose_name_plural = _("metric targets and weights (考核指标)")
        ordering = ["metric"]
        constraints = [
            models.CheckConstraint(name="metric_weight_not_negative", condition=Q(weight__gte=0)),
            models.CheckConstraint(
                name="metric_thresholds_ordered",
                condition=Q(amber_at__gte=0) & Q(amber_at__lte=models.F("green_at")) & Q(green_at__lte=1),
            ),
        ]

    def __str__(self) -> str:
        return self.get_metric_display()


class DashboardConfig(models.Model):
    """A single row of dashboard-wide settings (pk is always 1)."""

    small_sample = models.PositiveIntegerField(
        _("small sample below"),
        default=5,
        help_text=_("A rate computed over fewer items than this is flagged as a small sample."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dashboard settings")
        verbose_name_plural = _("dashboard settings")

    def __str__(self) -> str:
        return str(_("dashboard settings"))


class SnapshotScope(models.TextChoices):
    YEAR = "year", _("Year")
    SESSION = "session", _("Session")


class Snapshot(models.Model):
    """Frozen figures (冻结数据) of a year or a session, with the definitions and settings used."""

    scope = models.CharField(_("scope"), max_length=10, choices=SnapshotScope.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    session = models.ForeignKey(
        "suggestions.CongressSession",
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    taken_at = models.DateTimeField(_("frozen at"))
    as_of = models.DateField(_("figures as of"))
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    definitions = models.JSONField(_("definitions used"), default=dict)
    config = models.JSONField(_("targets and weights used"), default=dict)
    data = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("frozen figures (冻结数据)")
        verbose_name_plural = _("frozen figures (冻结数据)")
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="snapshot_scope_matches",
                condition=(Q(scope="year") & Q(year__isnull=False) & Q(session__isnull=True))
                | (Q(scope="session") & Q(session__isnull=False)),
            ),
        ]
        indexes = [
            models.Index(fields=["scope", "year", "-taken_at"], name="snapshot_year_latest"),
            models.Index(fields=["session", "-taken_at"], name="snapshot_session_latest"),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.scope} {self.year or self.session_id} @ {self.taken_at:%Y-%m-%d %H:%M}"


class PublishedReport(models.Model):
    """办理情况报告 published on the public portal: the figures as they stood when staff published it.

    Frozen on purpose (like `Snapshot`): the public reads what the office released, not live figures
    that move with every reply. Publishing again replaces the figures; unpublishing removes the row.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    figures = models.JSONField(_("figures"), default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("published handling report (办理情况报告)")
        verbose_name_plural = _("published handling reports (办理情况报告)")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Figure(models.Model):
    """One maintained dashboard figure (see `dashboards.figures`): a count for one cell (a unit or a
    category, in one session), or one day's bucket of a date histogram (`day` set) for the counts that
    depend on today's date. Rebuilt cell by cell from the live definitions; never edited by hand."""

    dim = models.CharField(max_length=10)
    key = models.IntegerField()  # the unit or category id; 0 for "no category"
    session_id = models.IntegerField()
    name = models.CharField(max_length=20)
    day = models.DateField(null=True)
    value = models.IntegerField()

    class Meta:
        # The dashboards sum a year's cells (24,000 rows of 300 units at 10^6 suggestions) from the
        # index alone: 35 -> 22 ms for the units' table (PostgreSQL; other databases ignore INCLUDE).
        indexes = [
            models.Index(
                fields=["dim", "session_id", "key"], include=["name", "day", "value"], name="figure_cell_cover"
            )
        ]


class FigureQueue(models.Model):
    """Suggestions whose figures are to be refreshed, written in the transaction that changed them;
    `cells` are the cells the suggestion counted in at that moment (so a cell it leaves is refreshed too)."""

    suggestion_id = models.BigIntegerField()
    cells = models.JSONField(default=list)
    queued_at = models.DateTimeField(auto_now_add=True)


class FigureState(models.Model):
    """Present (pk=1) once the figures have been built; until then the dashboards compute live.
    `version` is the layout of the stored figures (`figures.FIGURES_VERSION`): figures built by an
    earlier layout are not read (the dashboards compute live) until `build_figures` runs again."""

    built_at = models.DateTimeField()
    version = models.PositiveSmallIntegerField(default=1)
