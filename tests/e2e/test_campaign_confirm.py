"""Issue 15 in a real browser: approving goes through a confirm page (no inline script),
which asks for an explicit tick when the expected cost is over the budget; the category
select filters as one types (static/js/choice-filter.js) and works without it."""

from __future__ import annotations

from decimal import Decimal

from apps.accounts.models import Role
from apps.audit.models import AuditEvent
from apps.campaigns.models import CampaignAudience, CampaignStatus
from tests.campaigns.helpers import offer_for, running_campaign_for, snapshot_with
from tests.factories import CategoryFactory, ProductFactory, UserFactory


def test_approve_through_its_confirm_page_and_find_a_category_by_typing(sign_in):
    UserFactory(username="vp", role=Role.MARKETING)  # password: correct-horse-battery
    chews = CategoryFactory(name="Dog Chews", department="Pet")
    CategoryFactory(name="Coffee", department="Beverages")
    CategoryFactory(name="Coffee Filters", department="Household")
    CategoryFactory(name="Tea", department="Beverages")
    ProductFactory(category=chews, brand="Field Hound", price=Decimal("10.99"))
    snapshot_with(chews, {"national-3": 20})
    # 20 members, no holdout, $5.00 off, 15 % redemption: $15.00 expected on a $10 budget.
    campaign = running_campaign_for(
        chews, ["national-3"], name="NC Field Hound Dog Chews switch",
        holdout_pct=Decimal("0"), budget=Decimal("10.00"),
    )  # fmt: skip
    offer_for(campaign, 3, applies_to="brand", brand="Field Hound", discount_value=Decimal("5"),
              shopper_text="$5.00 off Field Hound Dog Chews")  # fmt: skip

    vp = sign_in("vp", "correct-horse-battery", name="issue15-vp")
    page = vp.page
    vp.goto(campaign.get_absolute_url())
    with page.expect_navigation():
        page.click("a:has-text('Approve…')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/campaigns/{campaign.pk}/approve/confirm/")
    effects = page.inner_text(".confirm-effects")
    assert (
        "Its audience is stored now, from the latest snapshot of Dog Chews: 20 members" in effects
    )
    assert "Nothing reaches members yet" in effects
    warning = page.inner_text(".over-budget")
    assert "The expected cost, $15.00, is over the budget of $10.00." in warning
    vp.shot("approve-confirm")
    # Untouched, the page changed nothing.
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT

    # Approve without the tick: refused, and the page says why; still a draft.
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Approve')")
    page.wait_for_load_state("networkidle")
    assert "Not approved: the expected cost, $15.00, is over the budget" in page.inner_text(
        ".alert-danger"
    )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert not CampaignAudience.objects.filter(campaign=campaign).exists()

    page.check("input[name=confirm_over_budget]")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Approve')")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("h1 .badge") == "Approved"
    assert "Approved by vp," in page.inner_text(".card:has(h2:text('History'))")
    vp.shot("approved")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.APPROVED
    event = AuditEvent.objects.get(detail__change="approved over budget")
    assert (event.actor_name, event.detail["expected_cost"], event.detail["budget"]) == (
        "vp",
        "15.00",
        "10.00",
    )

    # The category: labelled departments, and a filter box that the script adds.
    vp.goto("/campaigns/new/")
    assert page.locator("#id_category optgroup[label='Beverages'] option").all_inner_texts() == [
        "Coffee",
        "Tea",
    ]
    page.fill("#id_category-filter", "coff")
    visible = page.locator("#id_category option:not([hidden])").all_inner_texts()
    assert [v for v in visible if v != "---------"] == ["Coffee", "Coffee Filters"]
    assert page.inner_text(".choice-filter-status") == "2 of 4 match"
    page.fill("#id_category-filter", "chews")  # one match: chosen
    assert page.input_value("#id_category") == str(chews.pk)
    page.fill("#id_category-filter", "beverages")  # a department's name finds its categories
    visible = page.locator("#id_category option:not([hidden])").all_inner_texts()
    assert [v for v in visible if v != "---------"] == ["Coffee", "Tea"]
    vp.shot("category-filter")
    assert not vp.console_errors, vp.console_errors  # no CSP violation, no script error


def test_the_category_filter_speaks_chinese(sign_in):
    """The filter box's texts come from the scripts' catalog (static/js/choice-filter.js)."""
    UserFactory(username="li", role=Role.MARKETING, language="zh-hans")
    CategoryFactory(name="Coffee", department="Beverages")
    CategoryFactory(name="Coffee Filters", department="Household")
    CategoryFactory(name="Tea", department="Beverages")
    li = sign_in("li", "correct-horse-battery", name="zh-category-filter")
    page = li.page
    li.goto("/campaigns/new/")
    assert page.inner_text("label[for=id_category-filter]") == "按名称或部门查找品类"
    placeholder = page.get_attribute("#id_category-filter", "placeholder")
    assert placeholder == "输入以查找品类（例如：coffee）"
    page.fill("#id_category-filter", "coff")
    assert page.inner_text(".choice-filter-status") == "3 项中有 2 项匹配"
    li.shot("category-filter")
    assert not li.console_errors, li.console_errors  # the catalog loads under the CSP
