"""Staff see and set the privacy budgets here, and read (never edit) the releases."""

from __future__ import annotations

from django.contrib import admin

from apps.portal.models import PrivacyBudget, Release


@admin.register(PrivacyBudget)
class PrivacyBudgetAdmin(admin.ModelAdmin):
    list_display = ("__str__", "manufacturer", "agreement", "spent", "limit", "left")
    list_filter = ("manufacturer",)
    # `spent` is the kept total of the releases' ε: only a release changes it.
    readonly_fields = ("manufacturer", "agreement", "spent", "updated_at")
    fields = ("manufacturer", "agreement", "limit", "spent", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False  # made with the default limits by the first release

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("agreement", "period_start", "period_end", "epsilon", "released_at",
                    "released_by")  # fmt: skip
    list_filter = ("agreement__manufacturer",)
    date_hierarchy = "period_start"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
