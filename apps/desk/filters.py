"""Filters of the marketing member table."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.desk.selectors import member_search_q
from apps.members.models import Member, MemberStatus


def _consent_select() -> forms.Select:
    return forms.Select(choices=[("", _("Any")), ("true", _("Given")), ("false", _("Not given"))])


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        widget=forms.TextInput(
            attrs={"placeholder": _("Card, name, phone or e-mail"), "type": "search"}
        ),
    )
    status = django_filters.ChoiceFilter(
        choices=MemberStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    # One filter per channel's consent (apps.members.models.Channel).
    consent_list = django_filters.BooleanFilter(label=_("List consent"), widget=_consent_select())
    consent_email = django_filters.BooleanFilter(
        label=_("E-mail consent"), widget=_consent_select()
    )
    consent_sms = django_filters.BooleanFilter(label=_("SMS consent"), widget=_consent_select())
    postal_code = django_filters.CharFilter(
        field_name="postal_code", lookup_expr="startswith", label=_("Postal code starts")
    )
    joined_from = django_filters.DateFilter(
        field_name="joined_on",
        lookup_expr="gte",
        label=_("Joined from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    joined_to = django_filters.DateFilter(
        field_name="joined_on",
        lookup_expr="lte",
        label=_("Joined to"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Member
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, f in self.form.fields.items():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault(
                "class",
                f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm",
            )
            f.widget.attrs.setdefault("id", f"filter-{name}")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(member_search_q(value)) if value else queryset
