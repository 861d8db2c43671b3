from django.contrib import admin

from apps.agreements.models import ManufacturerAgreement, SettlementStatement, StatementEvent


@admin.register(ManufacturerAgreement)
class ManufacturerAgreementAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "manufacturer",
        "manufacturer_share_pct",
        "budget_cap",
        "valid_from",
        "valid_until",
        "status",
        "reporting_included",
    ]
    list_filter = ["status", "reporting_included", "manufacturer"]
    search_fields = ["name", "manufacturer__name", "manufacturer__code", "brands"]
    filter_horizontal = ["categories"]
    autocomplete_fields = ["manufacturer"]


class StatementEventInline(admin.TabularInline):
    model = StatementEvent
    extra = 0
    can_delete = False
    fields = ["at", "user", "action", "from_status", "to_status", "note", "changes"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SettlementStatement)
class SettlementStatementAdmin(admin.ModelAdmin):
    """Read-only here: statements change through the settlement pages, which keep the trail."""

    list_display = ["number", "agreement", "period_start", "period_end", "status", "amount_due"]
    list_filter = ["status", "agreement__manufacturer"]
    search_fields = ["agreement__name", "agreement__manufacturer__name"]
    date_hierarchy = "period_start"
    inlines = [StatementEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
