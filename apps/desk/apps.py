from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """Pages that compose every app's sections; it sits above all the apps it shows."""

    name = "apps.desk"
    verbose_name = _("Desk")

    def ready(self) -> None:
        from apps.desk.limits import check_lookup_limits

        checks.register(check_lookup_limits, checks.Tags.security)
