from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the product: the one-command demo launcher and operational commands."""

    name = "apps.ops"
