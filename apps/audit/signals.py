"""Sign-ins, failed sign-ins and sign-outs, from django.contrib.auth's signals."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from apps.audit.models import AuditKind
from apps.audit.services import audit_record


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(kind=AuditKind.LOGIN, request=request, actor=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(kind=AuditKind.LOGOUT, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # `credentials` comes cleansed: the password is already masked. django-axes (connected
    # first) has flagged the request when this attempt was refused by a lockout.
    audit_record(
        kind=AuditKind.LOGIN_FAILED,
        request=request,
        actor_name=str(credentials.get("username") or ""),
        detail={"locked_out": bool(getattr(request, "axes_locked_out", False))},
    )
