"""factory_boy factories for the domain models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.agreements.models import ManufacturerAgreement
from apps.baskets.models import Basket, BasketLine, BasketSource, Store
from apps.catalog.models import BrandType, Category, Manufacturer, Product
from apps.members.models import Member


class ManufacturerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Manufacturer
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"MFR{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Maker {o.code}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Category {n}")
    department = "Grocery"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    upc = factory.Sequence(lambda n: f"{n:012d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory)
    brand = "Acme"
    brand_type = BrandType.NATIONAL
    manufacturer = factory.SubFactory(ManufacturerFactory)
    price = Decimal("2.99")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    card_number = factory.Sequence(lambda n: f"4000{n:08d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Faker("email")
    phone = factory.Sequence(lambda n: f"(555) 01{n % 100:02d}-{n % 10000:04d}")
    postal_code = "50001"
    joined_on = dt.date(2024, 1, 1)
    # Most test members want their lists; a test of consent says so when they do not.
    consent_list = True


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"S{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Store {o.code}")


class BasketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Basket

    basket_id = factory.Sequence(lambda n: f"B{n:08d}")
    member = factory.SubFactory(MemberFactory)
    store = factory.SubFactory(StoreFactory)
    purchased_at = factory.LazyFunction(timezone.now)
    source = BasketSource.IMPORT


class BasketLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BasketLine

    basket = factory.SubFactory(BasketFactory)
    product = factory.SubFactory(ProductFactory)
    member = factory.LazyAttribute(lambda o: o.basket.member)
    purchased_at = factory.LazyAttribute(lambda o: o.basket.purchased_at)
    quantity = Decimal("1")
    amount = Decimal("2.99")
    discount = Decimal("0")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManufacturerAgreement

    manufacturer = factory.SubFactory(ManufacturerFactory)
    name = factory.Sequence(lambda n: f"Agreement {n}")
    manufacturer_share_pct = Decimal("50")
    budget_cap = Decimal("10000")
    valid_from = dt.date(2026, 1, 1)
    valid_until = dt.date(2026, 12, 31)
    reporting_included = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CASHIER
    password = factory.django.Password("correct-horse-battery")
