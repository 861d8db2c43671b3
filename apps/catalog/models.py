"""What the chain sells: manufacturers, categories and products."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class Manufacturer(models.Model):
    """A maker of national-brand products (or the chain itself for the store brand)."""

    code = models.CharField(max_length=32, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=200, verbose_name=_("name"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("manufacturer")
        verbose_name_plural = _("manufacturers")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A product category (e.g. 'Ketchup'), grouped into a department (e.g. 'Grocery')."""

    name = models.CharField(max_length=120, unique=True, verbose_name=_("name"))
    department = models.CharField(max_length=120, verbose_name=_("department"))

    class Meta:
        ordering = ["department", "name"]
        verbose_name_plural = "categories"
        verbose_name = _("category")

    def __str__(self) -> str:
        return self.name


class BrandType(models.TextChoices):
    NATIONAL = "national", _("National brand")
    STORE = "store", _("Store brand")


class Product(models.Model):
    """A scannable item: one UPC, one category, a national or store brand."""

    upc = models.CharField(_("UPC"), max_length=14, unique=True)
    name = models.CharField(max_length=200, verbose_name=_("name"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    brand = models.CharField(max_length=120, verbose_name=_("brand"))
    brand_type = models.CharField(
        max_length=8, choices=BrandType.choices, verbose_name=_("brand type")
    )
    manufacturer = models.ForeignKey(
        Manufacturer,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("manufacturer"),
    )
    price = models.DecimalField(
        _("regular price"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["upc"]
        indexes = [
            models.Index(fields=["category", "brand_type"]),
            models.Index(fields=["manufacturer"]),
            models.Index(Upper("brand"), name="product_brand_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(brand_type__in=["national", "store"]),
                name="product_brand_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0),
                name="product_price_not_negative",
            ),
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} ({self.upc})"
