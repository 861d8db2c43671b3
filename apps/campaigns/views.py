"""Campaign pages for marketing: list, design (with offers per tier), preview, status flow."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.audit.exports import table_csv_response
from apps.campaigns import services
from apps.campaigns.allocation import (
    MEMBER_GROUPS,
    PERIOD_DAYS,
    allocation_members,
    allocation_preview,
    campaign_reach,
)
from apps.campaigns.confirmations import ACTIONS, campaign_confirmation
from apps.campaigns.forms import (
    ApproveForm,
    CampaignForm,
    OfferFormSet,
    offer_changes,
)
from apps.campaigns.history import campaign_history, user_name
from apps.campaigns.models import Campaign
from apps.campaigns.tables import AllocationMemberTable, CampaignTable


@role_required(Role.MARKETING)
def campaign_list(request):
    table = CampaignTable(Campaign.objects.select_related("category", "agreement__manufacturer"))
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(request, "campaigns/campaign_list.html", {"table": table})


def _edit(request, campaign: Campaign | None):
    instance = campaign or Campaign()
    form = CampaignForm(request.POST or None, instance=instance)
    offers = OfferFormSet(request.POST or None, instance=instance, prefix="offers")
    if request.method == "POST" and form.is_valid() and offers.is_valid():
        try:
            saved = services.campaign_save(
                campaign_id=instance.pk,
                draft=form.draft(),
                offers=offer_changes(offers),
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("Campaign “%(name)s” saved.") % {"name": saved})
            return redirect(saved)
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "offers": offers, "campaign": campaign},
    )


@role_required(Role.MARKETING)
def campaign_create(request):
    return _edit(request, None)


@role_required(Role.MARKETING)
def campaign_edit(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    if not campaign.is_editable:
        messages.error(request, gettext("Only a draft campaign can be edited."))
        return redirect(campaign)
    return _edit(request, campaign)


@role_required(Role.MARKETING)
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(
        Campaign.objects.select_related("category", "agreement__manufacturer", "approved_by"),
        pk=pk,
    )
    allocation = allocation_preview(campaign=campaign)
    context = {
        "campaign": campaign,
        "offers": campaign.offers.all(),
        # The period's allocation run with this campaign in it, then rolled back: what the
        # lists will carry, and why the rest of the audience gets nothing.
        "allocation": allocation,
        "period_iso": allocation.period_start.isoformat(),
        "reach": campaign_reach(campaign=campaign),
        "history": campaign_history(campaign=campaign),
        "approved_by_name": user_name(campaign.approved_by) if campaign.approved_by else "—",
        "audience_count": campaign.audience.count(),
    }
    return render(request, "campaigns/campaign_detail.html", context)


@role_required(Role.MARKETING)
@require_GET
def campaign_confirm(request, pk: int, action: str):
    """Say what Approve, Activate or End will do, and what stops it, before the button."""
    campaign = get_object_or_404(
        Campaign.objects.select_related("category", "agreement__manufacturer"), pk=pk
    )
    confirmation = campaign_confirmation(campaign=campaign, action=action)
    form = None
    if action == "approve" and confirmation.preview is not None:
        form = ApproveForm(initial={"expected_cost": confirmation.preview.cost})
    return render(
        request,
        "campaigns/campaign_confirm.html",
        {"campaign": campaign, "confirmation": confirmation, "form": form},
    )


def _status_view(action: str):
    service = {
        "approve": services.campaign_approve,
        "activate": services.campaign_activate,
        "end": services.campaign_end,
    }[action]

    @role_required(Role.MARKETING)
    @require_POST
    def view(request, pk: int):
        campaign = get_object_or_404(Campaign, pk=pk)
        extra = {}
        if action == "approve":
            extra["accepted_cost"] = ApproveForm(request.POST).accepted_cost()
        try:
            service(campaign_id=campaign.pk, user=request.user, **extra)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            # Back to the confirm page: it shows what stops the step, and the button again.
            return redirect(f"campaigns:{action}_confirm", pk=campaign.pk)
        messages.success(request, gettext("Campaign %(done)s.") % {"done": ACTIONS[action].done})
        return redirect(campaign)

    return view


campaign_approve = _status_view("approve")
campaign_activate = _status_view("activate")
campaign_end = _status_view("end")


@role_required(Role.MARKETING)
@require_GET
def campaign_members(request, pk: int, group: str):
    """The members behind one count of the campaign's allocation: paged, sorted, as CSV.

    Read from the same run as the page's figures (stored, or the dry run), so a count and
    its list of members agree. `?period=YYYY-MM-DD` picks another period.
    """
    campaign = get_object_or_404(Campaign, pk=pk)
    if group not in MEMBER_GROUPS:
        raise Http404("No such group")
    try:
        period = dt.date.fromisoformat(request.GET["period"]) if request.GET.get("period") else None
    except ValueError:
        period = None
    period_start, rows = allocation_members(campaign=campaign, group=group, period_start=period)
    table = AllocationMemberTable(rows)
    if request.GET.get("export") == "csv":
        return table_csv_response(table, f"campaign-{campaign.pk}-{group}-{period_start}.csv")
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    export = request.GET.copy()
    export.pop("page", None)
    export["export"] = "csv"
    export["period"] = period_start.isoformat()
    return render(
        request,
        "campaigns/campaign_members.html",
        {
            "campaign": campaign,
            "table": table,
            "label": MEMBER_GROUPS[group][0],
            "count": len(rows),
            "period_start": period_start,
            "last_day": period_start + dt.timedelta(days=PERIOD_DAYS - 1),
            "export_query": export.urlencode(),
        },
    )
