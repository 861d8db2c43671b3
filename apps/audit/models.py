"""The audit trail: one append-only row per security-relevant event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


class AuditKind(models.TextChoices):
    LOGIN = "login", "Sign-in"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    LOGOUT = "logout", "Sign-out"
    CAMPAIGN_CHANGE = "campaign_change", "Campaign change"
    REDEMPTION = "redemption", "Redemption"
    REVERSAL = "reversal", "Reversal"
    EXPORT = "export", "Export"
    LOOKUP = "lookup", "Member lookup"
    MODEL_FIT_LIVE = "model_fit_live", "Member-value fit made live"
    MEMBER_VIEW = "member_view", "Member record viewed"
    ACCESS_EXPORT = "access_export", "Member's data exported (access request)"
    CONSENT = "consent", "Consent changed"
    ERASURE = "erasure", "Member erased"
    RETENTION = "retention", "Retention run"


class AuditEvent(models.Model):
    """Who did what, when, from where.

    Rows are written by Python (sign-ins, exports) and by PostgreSQL triggers (redemptions,
    reversals, campaign history), so set-based writes that send no Django signal are
    recorded too. A trigger refuses UPDATE and DELETE: the trail is append-only, except
    that an export's row count may be filled in once, when its stream ends.
    """

    at = models.DateTimeField(db_default=Now(), db_index=True)
    kind = models.CharField(max_length=20, choices=AuditKind.choices)
    # No foreign-key constraint: the trail outlives the users it names.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(
        max_length=150, blank=True, help_text="User name, or the till, at the time."
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    query = models.TextField(blank=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    row_count = models.IntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"], name="audit_kind_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.actor_name}"
