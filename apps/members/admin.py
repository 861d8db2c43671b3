from django.contrib import admin

from apps.members.models import Member


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["card_number", "first_name", "last_name", "postal_code", "joined_on", "status"]
    list_filter = ["status", "consent_list", "household_size", "children"]
    search_fields = ["=card_number", "last_name", "first_name", "email", "phone", "postal_code"]
    readonly_fields = ["phone_digits", "created_at", "updated_at"]
    show_full_result_count = False
