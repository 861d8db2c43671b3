from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Marketing dashboard: loyalty and redemption charts from pre-computed aggregates."""

    name = "apps.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The dashboard's member-value figures follow the live fit (segments sends a signal,
        # since it may not import reports: data flows one way).
        from apps.reports import receivers  # noqa: F401
