"""The points pages: the adjustment (posted from the member page), the earning rule."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.members.models import Member
from apps.rewards.charts import points_month_figure
from apps.rewards.earning import rule_for
from apps.rewards.forms import AdjustForm, EarningRuleForm
from apps.rewards.monthly import points_by_month
from apps.rewards.selectors import earning_rules, points_liability
from apps.rewards.services import points_adjust
from apps.rewards.tier_forms import tier_formset, tiers_save, tiers_with_members


@role_required(Role.MARKETING)
@require_POST
def points_adjust_view(request, card_number: str):
    """Add or take away points with a reason; back to the member page with what happened."""
    member = get_object_or_404(Member, card_number=card_number)
    form = AdjustForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        messages.error(request, _("Points not adjusted: %(problems)s") % {"problems": problems})
        return redirect("members:detail", card_number=member.card_number)
    try:
        entry_id, balance = points_adjust(
            member_id=member.pk,
            points=form.cleaned_data["points"],
            user=request.user,
            reason=form.cleaned_data["reason"],
            key=str(form.cleaned_data["token"]),
        )
    except ValidationError as error:
        messages.error(
            request, _("Points not adjusted: %(problems)s") % {"problems": " ".join(error.messages)}
        )
    else:
        if entry_id is None:
            messages.info(
                request,
                _("That adjustment was made already. Balance: %(balance)s.")
                % {"balance": f"{balance:,}"},
            )
        else:
            messages.success(
                request,
                _("Adjusted by %(points)s. Balance: %(balance)s.")
                % {"points": f"{form.cleaned_data['points']:+,}", "balance": f"{balance:,}"},
            )
    return redirect("members:detail", card_number=member.card_number)


@role_required(Role.MARKETING)
def earning_rules_view(request):
    """The earning rule's versions, the programme's liability, and a new version."""
    form = EarningRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rule = form.save(commit=False)
        rule._history_user = request.user
        rule.save()
        form.save_m2m()
        messages.success(request, _("Saved: %(rule)s.") % {"rule": rule})
        return redirect("rewards:rules")
    return render(
        request,
        "rewards/rules.html",
        {
            "form": form,
            "rules": earning_rules(),
            "current_id": getattr(rule_for(timezone.localdate()), "id", None),
            "today": timezone.localdate(),
            "liability": points_liability(),
            "points_figure": points_month_figure(points_by_month()),
        },
    )


@role_required(Role.MARKETING)
def tiers_view(request):
    """The tiers with the members in each, and marketing's edit of all of them at once."""
    formset = tier_formset(request.POST if request.method == "POST" else None)
    if request.method == "POST" and formset.is_valid():
        try:
            saved = tiers_save(formset, user=request.user)
        except ValueError as error:
            messages.error(request, _("Tiers not saved: %(error)s") % {"error": error})
        else:
            names = ", ".join(tier.name for tier in saved) or _("nothing changed")
            messages.success(request, _("Tiers saved: %(names)s.") % {"names": names})
            return redirect("rewards:tiers")
    tiers, computed_on = tiers_with_members()
    return render(
        request,
        "rewards/tiers.html",
        {"formset": formset, "tiers": tiers, "computed_on": computed_on},
    )
