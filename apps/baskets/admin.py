from django.contrib import admin

from apps.baskets.models import Basket, BasketLine, ImportReject, Store


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city"]
    search_fields = ["code", "name", "city"]


class BasketLineInline(admin.TabularInline):
    model = BasketLine
    extra = 0
    fields = ["product", "quantity", "amount", "discount"]
    readonly_fields = fields
    can_delete = False


@admin.register(Basket)
class BasketAdmin(admin.ModelAdmin):
    list_display = ["basket_id", "member", "store", "purchased_at", "total_amount", "line_count"]
    list_filter = ["store", "source", ("purchased_at", admin.DateFieldListFilter)]
    search_fields = ["=basket_id", "=member__card_number"]
    raw_id_fields = ["member"]
    list_select_related = ["member", "store"]
    date_hierarchy = "purchased_at"
    inlines = [BasketLineInline]
    show_full_result_count = False


@admin.register(ImportReject)
class ImportRejectAdmin(admin.ModelAdmin):
    list_display = ["job", "file_name", "line", "reason"]
    list_filter = ["file_name"]
    search_fields = ["reason", "raw"]
    raw_id_fields = ["job"]
