from django.contrib import admin

from apps.lists.models import ListContent, ListItem, ShoppingList


@admin.register(ListContent)
class ListContentAdmin(admin.ModelAdmin):
    list_display = ["department", "kind", "title", "months", "active"]
    list_filter = ["department", "kind", "active"]


class ListItemInline(admin.TabularInline):
    model = ListItem
    extra = 0
    raw_id_fields = ["product", "campaign", "offer", "content"]


@admin.register(ShoppingList)
class ShoppingListAdmin(admin.ModelAdmin):
    list_display = ["barcode", "member", "period_start", "period_end", "spend"]
    list_filter = ["period_start"]
    search_fields = ["barcode", "member__card_number"]
    raw_id_fields = ["member", "job"]
    inlines = [ListItemInline]
