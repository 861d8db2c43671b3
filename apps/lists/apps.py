from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "apps.lists"

    def ready(self) -> None:
        from apps.lists import receivers  # noqa: F401  (connects the signal receivers)
