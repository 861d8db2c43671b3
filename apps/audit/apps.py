from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Audit trail: sign-ins, campaign changes, redemptions, reversals, exports."""

    name = "apps.audit"

    def ready(self) -> None:
        from apps.audit import signals  # noqa: F401 - connects the sign-in receivers
