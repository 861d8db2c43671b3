"""Seed the non-price content: tips and recipes keyed to departments members buy in."""

from django.db import migrations

CONTENT = [
    ("Pet", "tip", "Fresh water, every day",
     "Pets drink more when the bowl is rinsed and refilled daily — and more so in summer."),
    ("Pet", "tip", "Switching food? Take a week",
     "Mix a little more of the new food into the old each day for 7 days to spare tummies."),
    ("Baby", "tip", "Diaper sizes by weight",
     "Move up a size when tabs no longer reach the middle or leaks start, not by age."),
    ("Baby", "recipe", "First purée: sweet potato",
     "Bake a sweet potato 45 minutes at 400°F, scoop and mash with a little breast milk "
     "or formula until smooth."),
    ("Produce", "recipe", "Ten-minute vegetable stir-fry",
     "Slice peppers, carrots and broccoli thin; stir-fry 4 minutes in a hot pan with oil, "
     "add soy sauce, garlic and a pinch of sugar."),
    ("Produce", "tip", "Keep herbs fresh for a week",
     "Trim the stems and stand them in a glass of water in the fridge, loosely covered."),
    ("Meat & Seafood", "recipe", "Sheet-pan chicken and potatoes",
     "Toss thighs and quartered potatoes with oil, salt and paprika; roast 40 minutes at "
     "425°F."),
    ("Dairy", "tip", "Milk keeps longer at the back",
     "The fridge door is its warmest spot: keep milk and yogurt on a back shelf."),
    ("Bakery", "tip", "Freeze bread the day you buy it",
     "Slice first, freeze flat in a bag, and toast straight from the freezer."),
    ("Frozen", "recipe", "Quick fish tacos",
     "Bake frozen fish fillets, flake into warm tortillas with slaw and a squeeze of lime."),
    ("Snacks", "tip", "Snack swap",
     "Portion a family bag into small containers on shopping day: fewer trips to the pantry."),
    ("Beverages", "tip", "Infused water",
     "Add cucumber slices or berries to a pitcher of cold water for a no-sugar drink."),
]  # fmt: skip


def seed(apps, schema_editor):
    ListContent = apps.get_model("lists", "ListContent")
    for department, kind, title, body in CONTENT:
        ListContent.objects.get_or_create(
            department=department, title=title, defaults={"kind": kind, "body": body}
        )


def unseed(apps, schema_editor):
    ListContent = apps.get_model("lists", "ListContent")
    ListContent.objects.filter(title__in=[title for _, _, title, _ in CONTENT]).delete()


class Migration(migrations.Migration):
    dependencies = [("lists", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
