from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "apps.lists"
    verbose_name = _("Lists")

    def ready(self) -> None:
        from apps.lists import receivers  # noqa: F401  (connects the signal receivers)
