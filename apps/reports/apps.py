from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Marketing dashboard: loyalty and redemption charts from pre-computed aggregates."""

    name = "apps.reports"
