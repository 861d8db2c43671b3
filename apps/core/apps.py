from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares; installed only so that its template filters load (no models)."""

    name = "apps.core"
