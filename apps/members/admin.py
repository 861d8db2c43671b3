from django.contrib import admin

from apps.members.models import Member


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = [
        "card_number", "first_name", "last_name", "postal_code", "joined_on", "status", "language",
    ]  # fmt: skip
    # language: the member's shopping list and its PDF are printed in it (apps.lists).
    list_filter = [
        "status", "language", "consent_list", "consent_email", "consent_sms", "household_size",
        "children",
    ]  # fmt: skip
    search_fields = ["=card_number", "last_name", "first_name", "email", "phone", "postal_code"]
    # Consent changes only through apps.members.consent (the member page's form), which keeps
    # their history and audit; an edit here would leave neither.
    readonly_fields = [
        "phone_digits", "consent_list", "consent_email", "consent_sms", "created_at", "updated_at",
    ]  # fmt: skip
    show_full_result_count = False
