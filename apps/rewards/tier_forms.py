"""Marketing's edit of the tiers: every tier's name, threshold and multiplier in one form.

The tiers are edited together because their rules hold across them: the lowest starts at
$0 (every member is in a tier), no two share a threshold or a name, and a multiplier is at
least 1 (a tier never earns less than the base rate). Saving writes each changed tier's
history with the user (simple_history). New thresholds move members at the next nightly
recompute (rewards.tiers); a new multiplier applies to the next sale.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.rewards.models import MemberTier, Tier

SMALL = {"class": "form-control form-control-sm"}


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = ["name", "min_spend", "multiplier"]
        labels = {
            "name": pgettext_lazy("thing", "Name"),
            "min_spend": _("From ($ in 12 months)"),
            "multiplier": _("Multiplier"),
        }
        widgets = {
            "name": forms.TextInput(attrs=SMALL),
            "min_spend": forms.NumberInput(attrs={**SMALL, "step": "0.01", "min": "0"}),
            "multiplier": forms.NumberInput(attrs={**SMALL, "step": "0.01", "min": "1"}),
        }

    def clean_min_spend(self):
        spend = self.cleaned_data["min_spend"]
        if spend < 0:
            raise forms.ValidationError("A threshold is $0.00 or more.")
        return spend

    def clean_multiplier(self):
        multiplier = self.cleaned_data["multiplier"]
        if multiplier < 1:
            raise forms.ValidationError("A multiplier is at least 1: a tier never earns less.")
        return multiplier

    def validate_unique(self):
        """Uniqueness is the whole set's (TierFormSet.clean): checked one tier at a time
        against the stored rows, moving Silver to Gold's threshold while Gold moves up
        would be refused."""


class BaseTierFormSet(forms.BaseModelFormSet):
    def clean(self):
        if any(self.errors):
            return
        tiers = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and (form.instance.pk is not None or form.has_changed())
        ]
        if not tiers:
            raise forms.ValidationError(_("There must be at least one tier."))
        spends = [tier["min_spend"] for tier in tiers]
        names = [tier["name"].strip().casefold() for tier in tiers]
        problems = []
        if min(spends) != 0:
            problems.append(_("The lowest tier starts at $0.00: every member is in a tier."))
        if len(set(spends)) != len(spends):
            problems.append(_("Two tiers have the same threshold: each needs its own."))
        if len(set(names)) != len(names):
            problems.append(_("Two tiers have the same name."))
        if problems:
            raise forms.ValidationError(problems)


TierFormSet = forms.modelformset_factory(
    Tier, form=TierForm, formset=BaseTierFormSet, extra=1, can_delete=False
)


def tier_formset(data=None) -> BaseTierFormSet:
    return TierFormSet(data, queryset=Tier.objects.order_by("min_spend", "id"), prefix="tiers")


@transaction.atomic
def tiers_save(formset: BaseTierFormSet, *, user) -> list[Tier]:
    """Save a valid formset's changed and new tiers, with `user` in their history.

    The unique thresholds and names are checked row by row by the database, so changed
    tiers first step aside to values no tier holds (a plain UPDATE: no history), then take
    their new ones: shifting or swapping thresholds between tiers saves. Raises
    ValueError when the stored tiers changed meanwhile and still clash (nothing saved).
    """
    changed = formset.save(commit=False)
    try:
        with transaction.atomic():
            for tier in changed:
                if tier.pk is not None:
                    Tier.objects.filter(pk=tier.pk).update(
                        name=f"~tier {tier.pk}~",
                        min_spend=Decimal("99999999.99") - tier.pk / Decimal(100),
                    )
            for tier in changed:
                tier._history_user = user
                tier.save()
    except IntegrityError as error:
        raise ValueError(_("Another tier holds that threshold or name.")) from error
    return changed


def tiers_with_members() -> tuple[list[tuple[Tier, int]], object]:
    """Each tier with the members holding it at the last recompute, and that day."""
    counts = dict(
        MemberTier.objects.values_list("tier_id").annotate(n=Count("member_id")).order_by()
    )
    last = MemberTier.objects.aggregate(day=Max("computed_on"))["day"]
    return [(tier, counts.get(tier.pk, 0)) for tier in Tier.objects.order_by("min_spend")], last
