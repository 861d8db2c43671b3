from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    """POS API, automatic redemption exactly once, returns, manufacturer settlement."""

    name = "apps.checkout"
