from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    """The points ledger: earning at the till, reversals on returns, lots and expiry."""

    name = "apps.rewards"
    verbose_name = _("Rewards")
