from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from apps.checkout.models import PosTransaction, Redemption, TillToken


@admin.register(TillToken)
class TillTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "created_at", "revoked_at"]
    list_filter = ["store", "revoked_at"]
    fields = ["store", "name", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if not change:
            secret = obj.set_new_secret()
            # Shown once: only the hash is stored.
            messages.warning(request, f"Till token for {obj.name} (copy it now): {secret}")
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke the selected till tokens")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} token(s) revoked.")


@admin.register(PosTransaction)
class PosTransactionAdmin(admin.ModelAdmin):
    list_display = ["transaction_id", "store", "basket", "created_at"]
    list_filter = ["store"]
    search_fields = ["transaction_id"]
    readonly_fields = [f.name for f in PosTransaction._meta.fields]


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = [
        "campaign",
        "member",
        "product",
        "discount",
        "manufacturer_share",
        "slot",
        "reversed_at",
    ]
    list_filter = ["campaign"]
    raw_id_fields = ["pos_transaction", "basket", "list_item", "member", "product"]
