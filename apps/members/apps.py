from django.apps import AppConfig
from django.core import checks


class MembersConfig(AppConfig):
    name = "apps.members"

    def ready(self) -> None:
        from apps.members.limits import check_lookup_limits

        checks.register(check_lookup_limits, checks.Tags.security)
