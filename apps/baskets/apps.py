from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BasketsConfig(AppConfig):
    name = "apps.baskets"
    verbose_name = _("Baskets")
