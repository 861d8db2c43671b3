"""Create a till token for a store and print its secret (shown this once only)."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.baskets.models import Store
from apps.checkout.services import till_token_create
from apps.core.commands import TranslatedCommand


class Command(TranslatedCommand):
    help = _("Create a till token for a store and print it (only its hash is stored).")

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help=gettext("Store code"))
        parser.add_argument("--name", required=True, help=gettext("Till name, e.g. 'Lane 3'"))

    def handle(self, *args, store: str, name: str, **options):
        try:
            store_obj = Store.objects.get(code=store)
        except Store.DoesNotExist as exc:
            raise CommandError(gettext("No store with code %(code)r.") % {"code": store}) from exc
        _token, secret = till_token_create(store=store_obj, name=name)
        self.stdout.write(secret)
