"""Tips that fit the season, and offers on existing lists worded for the shopper.

A December list said "Pets drink more … and more so in summer": the all-year tip loses its
summer clause, and summer and winter tips say their season in their own months. Offer
items printed the campaign's internal name under the product; they now carry the offer's
text for shoppers (campaigns migration 0003 filled it in for existing offers). Rewards
said "3 coupon(s)"; they say "3 coupons" (and "1 coupon").
"""

from django.db import migrations

OLD_WATER = (
    "Pets drink more when the bowl is rinsed and refilled daily — and more so in summer."
)
NEW_WATER = "Pets drink more when the bowl is rinsed and refilled daily."

SUMMER = [6, 7, 8]
WINTER = [12, 1, 2]
SEASONAL = [
    ("Pet", "tip", "Hot days: water and shade", SUMMER,
     "In summer heat pets drink more: refill the bowl twice a day and walk them early or "
     "late, when the pavement is cool."),
    ("Pet", "tip", "Winter walks: wipe the paws", WINTER,
     "Road salt and de-icers sting: wipe paws with a damp cloth after winter walks."),
    ("Produce", "recipe", "Roasted root vegetables", [11, 12, 1, 2],
     "Cube carrots, parsnips and sweet potato, toss with oil and thyme; roast 35 minutes at "
     "425°F."),
    ("Produce", "tip", "Berries keep longer unwashed", [5, 6, 7, 8],
     "Rinse summer berries just before eating; stored dry in the fridge they last days longer."),
]  # fmt: skip

OFFER_TEXT = """
UPDATE lists_listitem li SET body = o.shopper_text
FROM campaigns_offer o, campaigns_campaign c
WHERE li.kind = 'offer' AND o.id = li.offer_id AND c.id = li.campaign_id
  AND li.body = c.name AND o.shopper_text <> ''
"""

OFFER_TEXT_BACK = """
UPDATE lists_listitem li SET body = c.name
FROM campaigns_offer o, campaigns_campaign c
WHERE li.kind = 'offer' AND o.id = li.offer_id AND c.id = li.campaign_id
  AND li.body = o.shopper_text
"""


# "In 3 coupon(s) of $5": said properly on lists already made, as new ones say it.
COUPONS = """
UPDATE lists_listitem
SET body = CASE WHEN body LIKE 'In 1 coupon(s) %' THEN replace(body, 'coupon(s)', 'coupon')
                ELSE replace(body, 'coupon(s)', 'coupons') END
WHERE kind = 'reward' AND body LIKE '%coupon(s)%'
"""


def seed(apps, schema_editor):
    ListContent = apps.get_model("lists", "ListContent")
    # Only the seeded wording: a tip edited in the admin is the chain's own.
    ListContent.objects.filter(department="Pet", body=OLD_WATER).update(body=NEW_WATER)
    for department, kind, title, months, body in SEASONAL:
        ListContent.objects.get_or_create(
            department=department,
            title=title,
            defaults={"kind": kind, "body": body, "months": months},
        )


def unseed(apps, schema_editor):
    ListContent = apps.get_model("lists", "ListContent")
    ListContent.objects.filter(department="Pet", body=NEW_WATER).update(body=OLD_WATER)
    ListContent.objects.filter(title__in=[row[2] for row in SEASONAL]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lists", "0004_content_months"),
        ("campaigns", "0003_offer_shopper_text"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunSQL(OFFER_TEXT, OFFER_TEXT_BACK),
        migrations.RunSQL(COUPONS, migrations.RunSQL.noop),
    ]
