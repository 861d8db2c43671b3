from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the product: the one-command demo launcher and operational commands."""

    name = "apps.ops"
    verbose_name = _("Ops")
