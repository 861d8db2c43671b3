from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from apps.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only (a database trigger refuses edits anyway)."""

    list_display = [
        "at", "kind", "actor_name", "ip_address", "object_type", "object_id", "row_count", "path"
    ]  # fmt: skip
    list_filter = ["kind"]
    search_fields = ["actor_name", "object_id", "path"]
    date_hierarchy = "at"
    readonly_fields = [
        "at", "kind", "actor", "actor_name", "ip_address", "path", "query",
        "object_type", "object_id", "row_count", "detail", "history_link",
    ]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Campaign history")
    def history_link(self, obj: AuditEvent) -> str:
        """Link a campaign change to django-simple-history's record of it."""
        history_id = obj.detail.get("history_id") if obj.object_type == "campaign" else None
        if not history_id or obj.detail.get("offer"):
            return "—"
        try:
            url = reverse(
                "admin:campaigns_campaign_simple_history", args=[obj.object_id, history_id]
            )
        except NoReverseMatch:
            return "—"
        return format_html('<a href="{}">history record {}</a>', url, history_id)
