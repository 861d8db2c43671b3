from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.campaigns.models import Campaign, CampaignAudience, Offer


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    # The change history (who, when, what) is on the campaign's own page and, through
    # SimpleHistoryAdmin, behind the admin's History button.
    list_display = ["name", "category", "status", "valid_from", "valid_until", "budget"]
    list_filter = ["status", "goal"]
    search_fields = ["name"]
    readonly_fields = ["holdout_seed", "approved_by", "approved_at", "created_by"]
    inlines = [OfferInline]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


@admin.register(CampaignAudience)
class CampaignAudienceAdmin(admin.ModelAdmin):
    list_display = ["campaign", "member", "cell", "usage_tier", "holdout"]
    list_filter = ["holdout", "cell"]
    raw_id_fields = ["member"]
