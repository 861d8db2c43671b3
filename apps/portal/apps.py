from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Manufacturer portal: a maker's own agreements and reports released with privacy."""

    name = "apps.portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        checks.register(check_min_members, checks.Tags.security)
        checks.register(check_privacy_settings, checks.Tags.security)


def check_min_members(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse to start with a threshold on noisy counts below 5 members."""
    from django.conf import settings

    from apps.portal.privacy import MIN_THRESHOLD

    k = getattr(settings, "REPORT_MIN_MEMBERS", None)
    if not isinstance(k, int) or isinstance(k, bool) or k < MIN_THRESHOLD:
        return [
            checks.Error(
                f"REPORT_MIN_MEMBERS must be an integer of at least {MIN_THRESHOLD}, got {k!r}.",
                hint="Set REPORT_MIN_MEMBERS (default 10): the manufacturer portal withholds "
                "figures whose noisy count of members is below it.",
                id="portal.E001",
            )
        ]
    return []


def check_privacy_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse to start with an unusable ε, money cap or privacy budget."""
    from django.core.exceptions import ImproperlyConfigured

    from apps.portal.privacy import privacy_settings

    try:
        privacy_settings()
    except ImproperlyConfigured as error:
        if "REPORT_MIN_MEMBERS" in str(error):
            return []  # portal.E001 says it
        return [
            checks.Error(
                str(error),
                hint="See docs/configuration.md, manufacturer portal (PORTAL_DP_*).",
                id="portal.E002",
            )
        ]
    return []
