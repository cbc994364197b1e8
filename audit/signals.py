"""Receivers that turn Django's and django-axes' signals, and user edits, into audit events."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .models import AuditAction
from .services import record

User = get_user_model()


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    record(AuditAction.LOGIN, request=request, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.LOGOUT, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; keep only the name tried.
    username = str(credentials.get("username") or "")
    request = getattr(request, "_request", request)  # DRF's wrapper → the HttpRequest
    record(
        AuditAction.LOGIN_FAILED,
        request=request,
        username=username,
        detail={"locked": bool(getattr(request, "axes_locked_out", False))},
    )


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    request = getattr(request, "_request", request)
    record(AuditAction.LOCKOUT, request=request, username=username or "", detail={"ip_address": ip_address})


@receiver(pre_save, sender=User, dispatch_uid="audit_user_before")
def _remember_role(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    instance._audit_before = User.objects.filter(pk=instance.pk).values("role", "unit_id").first()


@receiver(post_save, sender=User, dispatch_uid="audit_user_after")
def _role_changed(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        record(
            AuditAction.USER_CREATED,
            object_type="user",
            object_id=instance.pk,
            detail={"username": instance.username, "role": instance.role, "unit": instance.unit_id},
        )
        return
    before = getattr(instance, "_audit_before", None)
    if not before:
        return
    if before["role"] != instance.role:
        record(
            AuditAction.ROLE_CHANGE,
            object_type="user",
            object_id=instance.pk,
            detail={"username": instance.username, "from": before["role"], "to": instance.role},
        )
    if before["unit_id"] != instance.unit_id:
        record(
            AuditAction.UNIT_CHANGE,
            object_type="user",
            object_id=instance.pk,
            detail={"username": instance.username, "from": before["unit_id"], "to": instance.unit_id},
        )
