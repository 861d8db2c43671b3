"""Privacy pages: access. Find a member, see what is held, export it as JSON or a page.

Every view of the member page and every export is in the audit trail (MEMBER_VIEW,
ACCESS_EXPORT), naming the member by id.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.members.models import Member
from apps.rights.access import (
    consent_now,
    member_find,
    member_record,
    record_counts,
    record_for_html,
    record_json,
    record_row_counts,
)
from apps.rights.access.services import access_export_record, access_view_record


class MemberSearchForm(forms.Form):
    """A card number or a list's barcode, as scanned or typed (the page draws the input)."""

    number = forms.CharField(label=_("Card number or list barcode"), max_length=32, strip=True)


def _member(card_number: str) -> Member:
    member = Member.objects.filter(card_number=card_number).first()
    if member is None:
        raise Http404("No member has this card number.")
    return member


@role_required(Role.PRIVACY)
def member_search(request):
    form = MemberSearchForm(request.GET or None)
    not_found = False
    if form.is_valid():
        member = member_find(form.cleaned_data["number"])
        if member is not None:
            return redirect("privacy:member", card_number=member.card_number)
        not_found = True
    return render(request, "privacy/member_search.html", {"form": form, "not_found": not_found})


@role_required(Role.PRIVACY)
def member(request, card_number: str):
    member = _member(card_number)
    sections = record_counts(member)
    counts = {t["model"]: t["count"] for s in sections for t in s["tables"]}
    access_view_record(request=request, member=member, counts=counts)
    context = {
        "member": member,
        "sections": sections,
        "total_rows": sum(counts.values()),
        "consent": consent_now(member),
    }
    return render(request, "privacy/member.html", context)


@role_required(Role.PRIVACY)
def export_json(request, card_number: str):
    member = _member(card_number)
    record = member_record(member)
    access_export_record(
        request=request, member=member, fmt="json", counts=record_row_counts(record)
    )
    response = HttpResponse(record_json(record), content_type="application/json; charset=utf-8")
    # Named by the member's id, never the card or name: the file name lands in the trail.
    filename = f"member-{member.pk}-record-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(Role.PRIVACY)
def export_html(request, card_number: str):
    member = _member(card_number)
    record = member_record(member)
    access_export_record(
        request=request, member=member, fmt="html", counts=record_row_counts(record)
    )
    context = {"member": member, "record": record, "sections": record_for_html(record)}
    return render(request, "privacy/member_record.html", context)


urlpatterns = [
    path("members/", member_search, name="member_search"),
    path("members/<str:card_number>/", member, name="member"),
    path("members/<str:card_number>/record.json", export_json, name="export_json"),
    path("members/<str:card_number>/record/", export_html, name="export_html"),
]
