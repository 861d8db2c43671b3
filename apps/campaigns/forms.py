"""Campaign design form with its offers per usage tier, and the preview's rate."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.forms import inlineformset_factory

from apps.campaigns.models import CELL_CHOICES, Campaign, Offer


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
        label="Target cells",
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
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = self.fields["agreement"].queryset.select_related(
            "manufacturer"
        )
        _bootstrap(self)


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
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upcs"].required = False
        self.fields["upcs"].help_text = "Comma-separated."
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
                raise forms.ValidationError("Only one offer per usage tier.")
            tiers.append(tier)


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


class PreviewForm(forms.Form):
    rate = forms.DecimalField(
        label="Redemption rate (%)",
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        required=False,
    )
