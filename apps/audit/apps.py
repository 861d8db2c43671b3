from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Audit trail: sign-ins, campaign changes, redemptions, reversals, exports."""

    name = "apps.audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from apps.audit import signals  # noqa: F401 - connects the sign-in receivers
