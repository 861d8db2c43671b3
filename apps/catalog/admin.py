from django.contrib import admin

from apps.catalog.models import Category, Manufacturer, Product


@admin.register(Manufacturer)
class ManufacturerAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "department"]
    list_filter = ["department"]
    search_fields = ["name", "department"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["upc", "name", "category", "brand", "brand_type", "manufacturer", "price"]
    list_filter = ["brand_type", "category__department", "manufacturer"]
    search_fields = ["upc", "name", "brand", "category__name"]
    list_select_related = ["category", "manufacturer"]
    autocomplete_fields = ["category", "manufacturer"]
