"""Issue 7's journeys in a real browser: the marketing VP, a cashier, a manufacturer.

One test runs the three in sequence because each needs what the one before left behind
(the campaign, then its redemptions), on a live server, a real PostgreSQL and a real Celery
worker process. The chain is the demo's (300 members, 20 weeks, its programme seeded on
top), dated so that the list period after the demo's current one holds today. Today is a
fixed day (Django's clock is set to it, tests/clock.py), so the demo's data, and every
figure below, are the same whatever the day the test runs; the worker keeps the real clock,
which the lists it builds for a given period do not read.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
import uuid
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.agreements.models import ManufacturerAgreement, SettlementStatement
from apps.baskets.models import Store
from apps.campaigns.models import Campaign, CampaignStatus
from apps.catalog.models import Product
from apps.checkout.services import till_token_create
from apps.demo.program import demo_program_seed
from apps.demo.services import demo_generate
from apps.lists.models import ListItem, ShoppingList
from apps.segments.models import SegmentSnapshot
from tests.clock import freeze_django_clock
from tests.migration_data import restore_migration_data

CENT = Decimal("0.01")
PASSWORDS = {name: f"{name}-demo-pass" for name in ("marketing", "cashier", "maker1", "maker2")}
REDEEMERS = 6  # distinct members redeeming at the till
K = 5  # the portal's threshold on noisy counts in this test
# A Wednesday: the demo's history ends on Sunday, March 1, and its next list period,
# March 9-22, holds today.
TODAY = dt.date(2026, 3, 11)


def _history_end(today: dt.date) -> dt.date:
    """The last Sunday at least 8 days ago: the demo's next list period then holds today."""
    latest = today - dt.timedelta(days=8)
    return latest - dt.timedelta(days=(latest.weekday() + 1) % 7)


@pytest.fixture
def chain(transactional_db, settings, monkeypatch):
    """The demo chain, committed (the live server's thread and the worker must see it)."""
    settings.REPORT_MIN_MEMBERS = K
    freeze_django_clock(monkeypatch, timezone.make_aware(dt.datetime.combine(TODAY, dt.time(9))))
    today = timezone.localdate()
    assert today == TODAY
    end = _history_end(today)
    # From empty tables with their id sequences reset, as tests/demo/test_measured_test.py:
    # the demo's holdouts hash member ids, so ids moved by earlier tests put other members
    # on this campaign's lists (5 where 6 redeem below).
    call_command("flush", interactive=False, verbosity=0)
    restore_migration_data()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        demo_generate(members=300, weeks=20, seed=11, end_date=end)
        seeded = demo_program_seed(seed=42)
    maker = get_user_model().objects.get(username="maker1").manufacturer
    agreement = ManufacturerAgreement.objects.get(manufacturer=maker)
    trial = Campaign.objects.get(agreement=agreement)
    next_start = end + dt.timedelta(days=8)
    assert next_start <= today < next_start + dt.timedelta(days=14)
    return {
        "today": today,
        "end": end,
        "next_start": next_start,
        "maker": maker,
        "agreement": agreement,
        "brand": agreement.brands[0],
        "trial": trial,
        "seeded": seeded,
    }


def _pick_category(chain) -> tuple[int, str, int]:
    """The agreement's category selling the maker's brand (not the demo trial's, whose
    offers would share the till lines) with most buyers not loyal to a national brand in
    the latest snapshot: (id, name, buyers)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH latest AS (
                SELECT DISTINCT ON (category_id) id, category_id
                FROM segments_segmentsnapshot
                ORDER BY category_id, window_end DESC, computed_at DESC, id DESC
            )
            SELECT c.id, c.name, count(*) FROM catalog_category c
            JOIN latest ON latest.category_id = c.id
            JOIN segments_segmentmember sm ON sm.snapshot_id = latest.id
                AND sm.loyalty IN ('store', 'swinger')
            WHERE c.id IN (SELECT category_id FROM agreements_manufactureragreement_categories
                           WHERE manufactureragreement_id = %s)
              AND c.id <> %s
              AND EXISTS (SELECT 1 FROM catalog_product p WHERE p.category_id = c.id
                          AND upper(p.brand) = upper(%s) AND p.manufacturer_id = %s)
            GROUP BY c.id, c.name ORDER BY count(*) DESC, c.id LIMIT 1
            """,
            [
                chain["agreement"].pk,
                chain["trial"].category_id,
                chain["brand"],
                chain["maker"].pk,
            ],
        )
        return cursor.fetchone()


def _latest_cells(category_id: int) -> dict[str, int]:
    """Active store-brand-loyal and swinging buyers per cell in the latest snapshot."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT sm.loyalty || '-' || sm.usage_tier, count(*) FROM segments_segmentmember sm
            JOIN members_member m ON m.id = sm.member_id AND m.status = 'active'
            WHERE sm.loyalty IN ('store', 'swinger') AND sm.snapshot_id = (
                SELECT id FROM segments_segmentsnapshot WHERE category_id = %s
                ORDER BY window_end DESC, computed_at DESC, id DESC LIMIT 1)
            GROUP BY 1
            """,
            [category_id],
        )
        return dict(cursor.fetchall())


def _checkout(base_url: str, secret: str, body: dict) -> dict:
    request = urllib.request.Request(
        base_url + "/api/pos/checkout",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our server
        assert response.status in (200, 201)
        return json.loads(response.read())


def _scan(cashier, barcode: str) -> None:
    """Type the barcode into the focused scan field and press Enter, as a scanner does."""
    page = cashier.page
    field = page.locator("#lookup-q")
    assert page.evaluate("document.activeElement.id") == "lookup-q"
    field.fill("")
    page.keyboard.type(barcode)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")


def test_vp_designs_a_campaign_a_cashier_redeems_it_and_the_maker_sees_it(
    chain, live_worker, sign_in, live_server
):
    category_id, category_name, buyers = _pick_category(chain)
    cells = _latest_cells(category_id)
    assert sum(cells.values()) == buyers >= 10
    brand, next_start = chain["brand"], chain["next_start"]
    # All that is left under the agreement's cap once its other campaigns' shares are taken.
    agreement = chain["agreement"]
    share = agreement.manufacturer_share_pct / 100
    committed = sum(c.budget for c in agreement.campaigns.all()) * share
    budget = int((agreement.budget_cap - committed) / share)
    assert budget >= 20
    name = f"{category_name}: store-brand buyers and swingers to {brand}"

    # ---- 1. The marketing VP designs, previews, approves and activates the campaign. ----
    vp = sign_in("marketing", PASSWORDS["marketing"], name="1-marketing")
    vp.goto("/campaigns/new/")
    page = vp.page
    page.fill("#id_name", name)
    page.select_option("#id_goal", "convert")  # store-brand buyers won to the maker's brand
    page.select_option("#id_category", str(category_id))
    for cell in ("store-3", "store-2", "store-1", "swinger-3", "swinger-2", "swinger-1"):
        page.check(f"input[name=target_cells][value={cell}]")
    page.fill("#id_valid_from", next_start.isoformat())
    page.fill("#id_valid_until", (next_start + dt.timedelta(days=13)).isoformat())
    page.fill("#id_budget", str(budget))
    page.fill("#id_holdout_pct", "10")
    page.select_option("#id_agreement", str(chain["agreement"].pk))
    # High usage gets the deepest discount: 40 %, 25 %, 10 % off the maker's brand.
    for row, (tier, pct) in enumerate(((3, "40"), (2, "25"), (1, "10"))):
        page.select_option(f"#id_offers-{row}-usage_tier", str(tier))
        page.select_option(f"#id_offers-{row}-applies_to", "brand")
        page.fill(f"#id_offers-{row}-brand", brand)
        page.select_option(f"#id_offers-{row}-discount_kind", "percent")
        page.fill(f"#id_offers-{row}-discount_value", pct)
        page.fill(f"#id_offers-{row}-min_quantity", "1")
        page.fill(f"#id_offers-{row}-shopper_text", f"{pct}% off {brand}")
    vp.shot("campaign-form")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Save draft')")
    page.wait_for_load_state("networkidle")
    errors = page.locator(".invalid-feedback, .alert-danger").all_inner_texts()
    assert not errors, errors
    assert "saved" in page.inner_text(".alert-success")
    campaign = Campaign.objects.get(name=name)
    assert page.url.endswith(f"/campaigns/{campaign.pk}/")
    assert page.inner_text("h1 .badge") == "Draft"

    # The preview: every targeted buyer of the latest snapshot, as counted above straight
    # from the snapshot's rows, and how many of them the period's allocation reaches.
    # The allocation preview's footer: total, audience, with a list, get the offer, held out.
    footer = page.locator("table tfoot tr td").all_inner_texts()
    audience, with_list, given, held = (int(text) for text in footer[1:5])
    assert audience == buyers
    assert given + held <= with_list <= audience
    vp.shot("campaign-preview")

    # Each step opens a confirm page saying what it does; its button acts (issue 15).
    for step in ("Approve", "Activate"):
        with page.expect_navigation():
            page.click(f"a:has-text('{step}…')")
        if page.locator("input[name=confirm_over_budget]").count():
            page.check("input[name=confirm_over_budget]")  # the budget is what the cap allows
        with page.expect_navigation():
            page.click(f"button[type=submit]:has-text('{step}')")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("h1 .badge") == {"Approve": "Approved", "Activate": "Active"}[step]
    assert page.inner_text("h1 .badge") == "Active"
    assert f"{buyers} members stored" in page.inner_text("body")
    vp.shot("campaign-detail-active")

    # Lists of the next period, generated by the worker; the bar fills and the page reloads.
    vp.goto("/lists/")
    page.fill("#id_period_start", next_start.isoformat())
    with page.expect_navigation():
        page.click("button:has-text('Generate')")
    row = page.locator("tr", has_text=f"{next_start:%Y-%m-%d} –")
    vp.shot("lists-index-running")
    from playwright.sync_api import expect  # installed with the e2e extras only

    # The script fills the bar as chunks finish, then reloads: the server says "Succeeded".
    expect(row.locator(".job-status")).to_have_text("Succeeded", timeout=120_000)
    page.wait_for_load_state("networkidle")
    assert row.locator(".progress-bar").inner_text() == "100%"
    lists = ShoppingList.objects.filter(period_start=next_start)
    assert row.locator("td").nth(1).inner_text() == str(lists.count()) != "0"
    vp.shot("lists-index-finished")

    # ---- 2. A cashier scans a list; the till redeems its offers; the screen shows it. ----
    items = list(
        ListItem.objects.filter(placed_list__period_start=next_start, campaign=campaign)
        .select_related("placed_list__member")
        .order_by("member_id")
    )
    assert len(items) >= REDEEMERS, f"only {len(items)} lists carry the new offer"
    redeemers = REDEEMERS
    # Each of the campaign's list items: its tier's percentage and nothing held out.
    assert {item.discount_pct for item in items} <= {Decimal(40), Decimal(25), Decimal(10)}
    product = (
        Product.objects.filter(category_id=category_id, brand__iexact=brand).order_by("upc").first()
    )
    store = Store.objects.order_by("code").first()
    _, secret = till_token_create(store=store, name="E2E lane")

    first = items[0]
    cashier = sign_in("cashier", PASSWORDS["cashier"], name="2-cashier")
    cashier.goto("/members/lookup/")
    _scan(cashier, first.placed_list.barcode)
    text = cashier.page.inner_text(".current-list")
    assert "Scanned shopping list" in text and first.placed_list.barcode in text
    offer_row = cashier.page.locator(".list-offers tr", has_text=first.body)
    assert "Not used" in offer_row.inner_text()
    count_before = cashier.page.inner_text(".list-offer-count")
    cashier.shot("scan-before-checkout")

    expected_total = Decimal(0)
    for number, item in enumerate(items[:redeemers]):
        answer = _checkout(
            live_server.url,
            secret,
            {
                "transaction_id": f"E2E-{uuid.uuid4().hex[:8]}-{number}",
                "store": store.code,
                "scanned": item.placed_list.barcode,
                "purchased_at": timezone.now().isoformat(),
                "lines": [{"upc": product.upc, "quantity": 1, "unit_price": str(product.price)}],
            },
        )
        # The tier's percentage of one unit, half up to the cent.
        expected = (product.price * item.discount_pct / 100).quantize(CENT, ROUND_HALF_UP)
        assert [(r["campaign"], r["upc"], r["discount"]) for r in answer["redemptions"]] == [
            (campaign.pk, product.upc, str(expected))
        ], answer
        expected_total += expected

    _scan(cashier, first.placed_list.barcode)
    offer_row = cashier.page.locator(".list-offers tr", has_text=first.body)
    assert "✓ Redeemed" in offer_row.inner_text()
    assert "table-success" in offer_row.get_attribute("class")
    redeemed_before, total = (int(n) for n in count_before.split()[1::2][:2])
    assert cashier.page.inner_text(".list-offer-count") == (
        f"· {redeemed_before + 1} of {total} redeemed"
    )
    cashier.shot("scan-after-checkout")

    # ---- 3. Marketing sends today's statement; the maker sees report and statement. ----
    today = chain["today"]
    # Statements of an agreement go out in order: first send the drafts the demo left.
    for draft in SettlementStatement.objects.filter(
        agreement=chain["agreement"], status="draft"
    ).order_by("period_start"):
        vp.goto(draft.get_absolute_url())
        with vp.page.expect_navigation():
            vp.page.click("button:has-text('Mark sent')")
        assert not vp.page.locator(".alert-danger").count(), vp.page.inner_text(".alert-danger")
    vp.goto("/settlement/new/")
    vp.page.select_option("#id_agreement", str(chain["agreement"].pk))
    vp.page.fill("#id_period_start", today.isoformat())
    vp.page.fill("#id_period_end", today.isoformat())
    vp.shot("statement-form")
    with vp.page.expect_navigation():
        vp.page.click("button:has-text('Create draft')")
    vp.page.wait_for_load_state("networkidle")
    errors = vp.page.locator(".invalid-feedback, .alert-danger, .errorlist").all_inner_texts()
    assert not errors, errors
    vp.shot("statement-draft")
    with vp.page.expect_navigation():
        vp.page.click("button:has-text('Mark sent')")
    vp.page.wait_for_load_state("networkidle")
    assert not vp.page.locator(".alert-danger").count(), vp.page.inner_text(".alert-danger")
    statement_url = vp.page.url
    vp.shot("statement-sent")

    maker = sign_in("maker1", PASSWORDS["maker1"], name="3-maker1")
    # The portal answers whole months once they have ended, each released once (issue 17):
    # a one-day range is refused and the last ended month (February) is offered; today's
    # redemptions show exactly on the statement below.
    maker.goto(f"/portal/agreements/{chain['agreement'].pk}/?start={today}&end={today}")
    assert "Reports cover whole calendar months" in maker.page.content()
    assert "February 2026 is not released yet" in maker.page.content()
    with maker.page.expect_navigation():
        maker.page.click("button:has-text('Release February 2026')")
    assert maker.page.locator(".portal-stat").count() == 4
    assert "Figures are perturbed to protect shoppers" in maker.page.content()
    maker.shot("portal-report-today")

    maker.goto("/settlement/")
    maker.shot("statement-list")
    path = statement_url.removeprefix(live_server.url)
    maker.goto(path)
    summary = maker.page.locator("table.summary tbody tr").first.locator("td")
    assert summary.nth(1).inner_text() == str(redeemers)  # a statement is not anonymized
    assert summary.nth(2).inner_text() == f"${expected_total:,.2f}"
    assert summary.nth(3).inner_text() == (
        f"${(expected_total * share).quantize(CENT, ROUND_HALF_UP):,.2f}"
    )
    assert campaign.name in maker.page.inner_text("body")
    maker.shot("statement-detail")
    maker.page.emulate_media(media="print")
    maker.shot("statement-detail-print")
    maker.page.emulate_media(media="screen")

    assert maker.console_errors == [], maker.console_errors
    for refused in ("/campaigns/", f"/campaigns/{campaign.pk}/", "/lists/", "/members/"):
        response = maker.goto(refused)
        assert response.status == 403, refused
        assert "You do not have access to this page" in maker.page.inner_text("h1")
    maker.shot("refused-403")

    # The browser reports each refused page as a failed load; nothing else may show.
    assert all("status of 403" in error for error in maker.console_errors)
    for session in (vp, cashier):
        assert session.console_errors == [], session.console_errors
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.ACTIVE

    # ---- Every main page of each role, screenshotted for a look (layout, charts). ----
    _sweep(
        vp,
        cashier,
        maker,
        chain=chain,
        category_id=category_id,
        list_barcode=first.placed_list.barcode,
    )


def _sweep(vp, cashier, maker, *, chain, category_id: int, list_barcode: str) -> None:
    """Open each role's main pages: each answers 200 without a console error, and leaves a
    screenshot (statements also in print media) in tests/e2e/screenshots/."""
    snapshot = (
        SegmentSnapshot.objects.filter(category_id=category_id)
        .order_by("-window_end", "-pk")
        .first()
    )
    member = ShoppingList.objects.get(barcode=list_barcode).member
    agreement = chain["agreement"]
    statement = SettlementStatement.objects.filter(agreement=agreement).order_by("-pk").first()
    pages = {
        vp: [
            ("home", "/"),
            ("members", "/members/"),
            ("member-detail", f"/members/{member.card_number}/"),
            ("segments", "/segments/"),
            ("segment-snapshot", f"/segments/{snapshot.pk}/"),
            ("member-value", "/segments/member-value/"),
            ("campaigns", "/campaigns/"),
            ("list-detail", f"/lists/{list_barcode}/"),
            ("reports", "/reports/"),
            ("reports-loyalty", "/reports/loyalty/"),
            ("reports-redemption", "/reports/redemption/"),
            ("settlement-list", "/settlement/"),
            ("portal-index", "/portal/"),
            ("jobs", "/jobs/"),
            ("imports", "/imports/"),
        ],
        cashier: [("home", "/"), ("lookup-empty", "/members/lookup/")],
        maker: [
            ("portal-home", "/portal/"),
            ("portal-agreement", f"/portal/agreements/{agreement.pk}/"),
            ("portal-category", f"/portal/agreements/{agreement.pk}/categories/{category_id}/"),
            ("settlement-list", "/settlement/"),
        ],
    }
    for session, visits in pages.items():
        session.console_errors.clear()
        for label, path in visits:
            response = session.goto(path)
            assert response.status == 200, (session.name, path, response.status)
            session.shot(f"sweep-{label}")
        assert session.console_errors == [], (session.name, session.console_errors)
    for session in (vp, maker):
        session.goto(statement.get_absolute_url())
        session.page.emulate_media(media="print")
        session.shot("sweep-statement-print")
        session.page.emulate_media(media="screen")
    vp.goto(f"/lists/{list_barcode}/")
    vp.page.emulate_media(media="print")
    vp.shot("sweep-list-print")
    vp.page.emulate_media(media="screen")
