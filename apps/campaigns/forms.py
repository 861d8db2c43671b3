"""Campaign design form with its offers per usage tier, the preview's rate, the confirmations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import groupby
from operator import attrgetter

from django import forms
from django.forms import inlineformset_factory
from django.forms.models import ModelChoiceIterator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.campaigns.drafts import CampaignDraft, OfferChanges, OfferDraft
from apps.campaigns.models import CELL_CHOICES, Campaign, Offer
from apps.campaigns.selectors import (
    AFFINITY_MIN_BASKETS,
    AFFINITY_MIN_LIFT,
    WIN_BACK_P_ALIVE,
    WIN_BACK_TOP_SHARE,
)
from apps.campaigns.validation import TIER_UNIQUE_MESSAGE, campaign_ended_error


class DepartmentChoiceIterator(ModelChoiceIterator):
    """Yield the categories in one <optgroup> per department, the departments in order."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        categories = self.queryset.order_by("department", "name")
        for department, group in groupby(categories, key=attrgetter("department")):
            yield (department, [self.choice(category) for category in group])


class CategoryChoiceField(forms.ModelChoiceField):
    """The category select, labelled by department (269 categories in one flat list hid
    "Coffee"); static/js/choice-filter.js adds a type-to-filter box when scripts run."""

    iterator = DepartmentChoiceIterator


def _bootstrap(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", f"{css} form-control-sm" if css == "form-control" else css)


class CampaignForm(forms.ModelForm):
    target_cells = forms.MultipleChoiceField(
        choices=CELL_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label=_("Target cells"),
        # The two audiences beyond the cells, in words a VP checks before choosing them
        # (apps.campaigns.selectors.AUDIENCE_SQL has the exact rules).
        help_text=format_lazy(
            _(
                "A member is counted once, in the first chosen group that holds them. "
                "Win back: buyers of the category among the top {top_share} of "
                "members by past spend whose chance of still shopping has fallen under "
                "{p_alive} (member value). "
                "Affinity (cross-sell, trial): members who did not buy the category in the "
                "last 52 weeks but buy a category bought together with it (lift at least "
                "{min_lift} on at least {min_baskets} baskets, see Together); "
                "they get the low usage tier's offer, so give that tier the trial offer."
            ),
            top_share=f"{WIN_BACK_TOP_SHARE:.0%}",
            p_alive=f"{WIN_BACK_P_ALIVE:.0%}",
            min_lift=AFFINITY_MIN_LIFT,
            min_baskets=AFFINITY_MIN_BASKETS,
        ),
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=None,
        help_text=_("Grouped by department."),
        widget=forms.Select(attrs={"data-choice-filter": "category"}),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "goal",
            "category",
            "target_cells",
            "valid_from",
            "valid_until",
            "redemptions_per_member",
            "budget",
            "holdout_pct",
            "agreement",
            "redemption_rate_pct",
        ]
        # The labels Django derives from the model's field names, marked for translation.
        labels = {
            "name": pgettext_lazy("thing", "Name"),
            "goal": _("Goal"),
            "category": _("Category"),
            "valid_from": _("Valid from"),
            "valid_until": _("Valid until"),
            "redemptions_per_member": _("Redemptions per member"),
            "budget": _("Total budget (discount money)"),
            "holdout_pct": _("Holdout share (%)"),
            "agreement": _("Agreement"),
            "redemption_rate_pct": _("Assumed redemption rate (%)"),
        }
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        from apps.catalog.models import Category

        super().__init__(*args, **kwargs)
        self.today = today  # the demo seeds "as of" its own day; pages use the real one
        self.fields["category"].queryset = Category.objects.all()
        self.fields["agreement"].queryset = self.fields["agreement"].queryset.select_related(
            "manufacturer"
        )
        _bootstrap(self)

    def clean(self):
        """Refuse dates that are over: such a campaign would never reach a list or a till."""
        cleaned = super().clean()
        error = campaign_ended_error(cleaned.get("valid_until"), today=self.today)
        if error:
            self.add_error("valid_until", error)
        return cleaned

    def draft(self) -> CampaignDraft:
        """Return the valid form's values, typed, for `campaign_save`."""
        data = self.cleaned_data
        agreement = data["agreement"]
        return CampaignDraft(
            name=data["name"],
            goal=data["goal"],
            category_id=data["category"].pk,
            target_cells=tuple(data["target_cells"]),
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            budget=data["budget"],
            redemptions_per_member=data["redemptions_per_member"],
            holdout_pct=data["holdout_pct"],
            agreement_id=agreement.pk if agreement is not None else None,
            redemption_rate_pct=data["redemption_rate_pct"],
        )


class OfferForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = [
            "usage_tier",
            "applies_to",
            "brand_type",
            "brand",
            "upcs",
            "discount_kind",
            "discount_value",
            "min_quantity",
            "shopper_text",
        ]
        # The labels Django derives from the model's field names, marked for translation.
        labels = {
            "usage_tier": pgettext_lazy("usage", "Usage tier"),
            "applies_to": _("Applies to"),
            "brand_type": _("Brand type"),
            "brand": _("Brand"),
            "upcs": _("UPCs"),
            "discount_kind": _("Discount kind"),
            "min_quantity": _("Min quantity"),
            "shopper_text": _("Text for shoppers"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upcs"].required = False
        self.fields["upcs"].help_text = _("Comma-separated.")
        self.fields["discount_value"].label = _("Value")
        # xgettext:no-python-format
        self.fields["discount_value"].help_text = _("$ off, % off, or a whole number of points.")
        shopper_text = self.fields["shopper_text"].widget.attrs
        shopper_text["placeholder"] = "$1.00 off Field Hound Dog Chews"
        shopper_text["style"] = "min-width: 16rem"  # a line of the list, readable as typed
        _bootstrap(self)


class BaseOfferFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """One offer per usage tier, counting the campaign's saved offers not being deleted.

        The database enforces it too (offer_one_per_tier); checking here turns a stale or
        doubled form into a message instead of an error page.
        """
        super().clean()
        # Saved offers the posted forms do not carry (a stale page) still hold their tier.
        tiers = (
            list(
                Offer.objects.filter(campaign=self.instance)
                .exclude(pk__in=[form.instance.pk for form in self.initial_forms])
                .values_list("usage_tier", flat=True)
            )
            if self.instance.pk
            else []
        )
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            tier = form.cleaned_data.get("usage_tier")
            if tier is None:
                continue
            if tier in tiers:
                raise forms.ValidationError(TIER_UNIQUE_MESSAGE)
            tiers.append(tier)

    def get_unique_error_message(self, unique_check) -> str:
        """Say the rule in words, not "Please correct the duplicate data for usage_tier"."""
        if "usage_tier" in unique_check:
            return TIER_UNIQUE_MESSAGE
        return super().get_unique_error_message(unique_check)


def offer_changes(formset: BaseOfferFormSet) -> OfferChanges:
    """Return the valid formset's offers to save and to delete, typed, for `campaign_save`.

    The ones `formset.save()` would touch: new forms that were filled in, saved offers
    whose form changed, and saved offers marked for deletion.
    """
    deleted = [form for form in formset.deleted_forms if form.instance.pk is not None]
    save = []
    for form in formset.forms:
        if form in formset.deleted_forms or not form.has_changed():
            continue
        data = form.cleaned_data
        save.append(
            OfferDraft(
                offer_id=form.instance.pk,
                usage_tier=data["usage_tier"],
                applies_to=data["applies_to"],
                brand_type=data["brand_type"],
                brand=data["brand"],
                upcs=tuple(data["upcs"] or ()),
                discount_kind=data["discount_kind"],
                discount_value=data["discount_value"],
                min_quantity=data["min_quantity"],
                shopper_text=data["shopper_text"],
            )
        )
    return OfferChanges(save=tuple(save), delete=tuple(form.instance.pk for form in deleted))


OfferFormSet = inlineformset_factory(
    Campaign,
    Offer,
    form=OfferForm,
    formset=BaseOfferFormSet,
    extra=3,
    max_num=3,
    validate_max=True,
    can_delete=True,
)


class ApproveForm(forms.Form):
    """The approval's confirmation: the expected cost the user saw, and whether they accept
    it over the budget (the approval refuses if the figure has moved since)."""

    expected_cost = forms.DecimalField(
        max_digits=14, decimal_places=2, required=False, widget=forms.HiddenInput
    )
    confirm_over_budget = forms.BooleanField(
        label=_("Approve over budget"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def accepted_cost(self) -> Decimal | None:
        """Return the expected cost the user confirmed, or None if they did not confirm."""
        if not self.is_valid() or not self.cleaned_data["confirm_over_budget"]:
            return None
        return self.cleaned_data["expected_cost"]
