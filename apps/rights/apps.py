from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.rights"
    verbose_name = _("Members' data rights")

    def ready(self) -> None:
        # The batch erasure's task lives beside the erasure: registered for every worker.
        from apps.rights.erasure import tasks  # noqa: F401
