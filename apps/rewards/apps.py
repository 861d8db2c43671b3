from django.apps import AppConfig


class RewardsConfig(AppConfig):
    """The points ledger: earning at the till, reversals on returns, lots and expiry."""

    name = "apps.rewards"
