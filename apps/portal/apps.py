from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Manufacturer portal: a maker's own agreements and anonymized reports, nothing more."""

    name = "apps.portal"
