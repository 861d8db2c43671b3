from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckoutConfig(AppConfig):
    """POS API, automatic redemption exactly once, returns, manufacturer settlement."""

    name = "apps.checkout"
    verbose_name = _("Checkout")
