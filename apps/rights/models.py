"""Members' data rights: erasures (consent by channel lives with members)."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext, gettext_noop, pgettext
from django.utils.translation import gettext_lazy as _


class ErasureReason(models.TextChoices):
    REQUEST = "request", _("The member's request")
    RETENTION = "retention", _("Retention: inactive too long")


# The reference a retention run's erasures keep (stored in English, read in the reader's).
RETENTION_REFERENCE = gettext_noop("Retention job #%(job)s")


class Erasure(models.Model):
    """A member's personal data removed for good; the row it points at is anonymous now.

    Irreversible: the values removed are not kept anywhere, here included. `reference` is
    the request's own reference (a ticket number), never the person's name.
    """

    member = models.OneToOneField(
        "members.Member", on_delete=models.PROTECT, related_name="erasure"
    )
    at = models.DateTimeField(db_default=Now())
    reason = models.CharField(max_length=10, choices=ErasureReason.choices)
    reference = models.CharField(max_length=80, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Erasure of member {self.member_id} ({self.get_reason_display()})"

    def reference_display(self) -> str:
        """Return the reference as a person reads it: a retention run's in their language."""
        job = re.fullmatch(r"Retention job #(\d+)", self.reference)
        if self.reason == ErasureReason.RETENTION and job:
            return gettext(RETENTION_REFERENCE) % {"job": job[1]}
        if self.reason == ErasureReason.RETENTION and self.reference == "Retention":
            return pgettext("erasure reason", "Retention")
        return self.reference
