from django.contrib import admin

from apps.agreements.models import ManufacturerAgreement


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
