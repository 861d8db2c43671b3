from django.apps import AppConfig
from django.core import checks


class PortalConfig(AppConfig):
    """Manufacturer portal: a maker's own agreements and anonymized reports, nothing more."""

    name = "apps.portal"

    def ready(self) -> None:
        checks.register(check_min_members, checks.Tags.security)


def check_min_members(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse to start with a suppression threshold below 5 members."""
    from django.conf import settings

    from apps.portal.report import MIN_K

    k = getattr(settings, "REPORT_MIN_MEMBERS", None)
    if not isinstance(k, int) or k < MIN_K:
        return [
            checks.Error(
                f"REPORT_MIN_MEMBERS must be an integer of at least {MIN_K}, got {k!r}.",
                hint="Set REPORT_MIN_MEMBERS (default 10): the manufacturer portal hides "
                "figures resting on fewer members.",
                id="portal.E001",
            )
        ]
    return []
