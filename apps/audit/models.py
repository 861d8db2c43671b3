"""The audit trail: one append-only row per security-relevant event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    LOGIN = "login", _("Sign-in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Sign-out")
    CAMPAIGN_CHANGE = "campaign_change", _("Campaign change")
    REDEMPTION = "redemption", _("Redemption")
    REVERSAL = "reversal", _("Reversal")
    EXPORT = "export", _("Export")
    LOOKUP = "lookup", _("Member lookup")
    MODEL_FIT_LIVE = "model_fit_live", _("Member-value fit made live")
    MEMBER_VIEW = "member_view", _("Member record viewed")
    ACCESS_EXPORT = "access_export", _("Member's data exported (access request)")
    CONSENT = "consent", _("Consent changed")
    ERASURE = "erasure", _("Member erased")
    RETENTION = "retention", _("Retention run")


class AuditEvent(models.Model):
    """Who did what, when, from where.

    Rows are written by Python (sign-ins, exports) and by PostgreSQL triggers (redemptions,
    reversals, campaign history), so set-based writes that send no Django signal are
    recorded too. A trigger refuses UPDATE and DELETE: the trail is append-only, except
    that an export's row count may be filled in once, when its stream ends.
    """

    at = models.DateTimeField(db_default=Now(), db_index=True, verbose_name=_("at"))
    kind = models.CharField(max_length=20, choices=AuditKind.choices, verbose_name=_("kind"))
    # No foreign-key constraint: the trail outlives the users it names.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(
        max_length=150,
        blank=True,
        help_text=_("User name, or the till, at the time."),
        verbose_name=_("actor name"),
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))
    path = models.CharField(max_length=500, blank=True, verbose_name=_("path"))
    query = models.TextField(blank=True, verbose_name=_("query"))
    object_type = models.CharField(max_length=40, blank=True, verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, blank=True, verbose_name=_("object id"))
    row_count = models.IntegerField(null=True, blank=True, verbose_name=_("row count"))
    detail = models.JSONField(default=dict, blank=True, verbose_name=_("detail"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"], name="audit_kind_at")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.actor_name}"
