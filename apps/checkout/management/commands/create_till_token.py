"""Create a till token for a store and print its secret (shown this once only)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.baskets.models import Store
from apps.checkout.services import till_token_create


class Command(BaseCommand):
    help = "Create a till token for a store and print it (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="Store code")
        parser.add_argument("--name", required=True, help="Till name, e.g. 'Lane 3'")

    def handle(self, *args, store: str, name: str, **options):
        try:
            store_obj = Store.objects.get(code=store)
        except Store.DoesNotExist as exc:
            raise CommandError(f"No store with code {store!r}.") from exc
        _, secret = till_token_create(store=store_obj, name=name)
        self.stdout.write(secret)
