from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DEPUTY = "deputy", _("Deputy")
    UNIT_HANDLER = "unit_handler", _("Unit handler")
    UNIT_HEAD = "unit_head", _("Unit head")
    STAFF = "staff", _("Deputy-affairs staff")
    SUPERVISOR = "supervisor", _("Supervising leader")


UNIT_ROLES = (Role.UNIT_HANDLER, Role.UNIT_HEAD)


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("Government department")
    COURT = "court", _("Court")
    PROCURATORATE = "procuratorate", _("Procuratorate")
    OTHER = "other", _("Other")


class Unit(models.Model):
    """承办单位: a body that handles suggestions assigned to it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("short code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.GOVERNMENT)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    head_name = models.CharField(_("head"), max_length=50, blank=True)
    liaison_name = models.CharField(_("liaison"), max_length=50, blank=True)
    liaison_phone = models.CharField(_("liaison phone"), max_length=30, blank=True)
    webhook_url = models.URLField(_("group robot webhook"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    duties = models.TextField(
        _("duties (三定职责)"),
        blank=True,
        help_text=_("What the unit is responsible for; used to suggest units at assignment (交办)."),
    )

    class Meta:
        verbose_name = _("handling unit (承办单位)")
        verbose_name_plural = _("handling units (承办单位)")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class AppUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser has every power of the staff role (SPEC section 10).
        extra_fields.setdefault("role", Role.STAFF)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person with exactly one role; unit users belong to exactly one unit."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.DEPUTY)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )

    objects = AppUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="unit_iff_unit_role",
                condition=(Q(role__in=list(UNIT_ROLES)) & Q(unit__isnull=False))
                | (~Q(role__in=list(UNIT_ROLES)) & Q(unit__isnull=True)),
            ),
        ]
        indexes = [
            # The deputies' roster (`/deputies/`) and the deputy search, by name: a page of 100 of
            # 83,000 deputies was a sort of all of them (docs/benchmarks.md, "pages").
            models.Index(fields=["role", "full_name", "username", "id"], name="user_role_name"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_deputy(self) -> bool:
        return self.role == Role.DEPUTY

    @property
    def is_unit_user(self) -> bool:
        return self.role in UNIT_ROLES

    @property
    def is_unit_head(self) -> bool:
        return self.role == Role.UNIT_HEAD

    @property
    def is_office_staff(self) -> bool:
        """Staff of the deputy-affairs office; superusers act as staff."""
        return self.role == Role.STAFF or self.is_superuser

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR


class DeputyProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="deputy_profile")
    delegation = models.CharField(_("delegation / group"), max_length=100, blank=True)
    term = models.PositiveSmallIntegerField(_("term (届)"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    card_number = models.CharField(_("deputy card number (代表证号)"), max_length=30, blank=True)
    # A delegation's leader (代表团团长 / 小组组长) reads the records of duty of its deputies.
    is_delegation_leader = models.BooleanField(_("delegation leader"), default=False)

    class Meta:
        verbose_name = _("deputy profile")
        verbose_name_plural = _("deputy profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.delegation})"
