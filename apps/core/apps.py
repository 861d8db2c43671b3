from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: template filters, and the Citus session settings."""

    name = "apps.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from apps.core.citus import citus_session

        connection_created.connect(citus_session, dispatch_uid="core.citus_session")
